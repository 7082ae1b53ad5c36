import { realpath, stat } from "node:fs/promises";
import { z } from "zod";
import { isInside, parseDataSource } from "../../shared/storage/data-source";
import { isWellFormed } from "../../shared/storage/blob-name";
import { checkedTarget } from "../../shared/storage/url-policy";
import { parseGateRules } from "../../shared/evaluation/gate";
import { backendOf, sourcePolicyOf, type Settings } from "../../shared/config/settings";
import { catalogueFor } from "../../shared/evaluation/catalogues";

/** Largest body `POST /api/retrain` reads; its fields are a few short strings. */
export const MAX_RETRAIN_BODY_BYTES = 16 * 1024;

const bodySchema = z
  .object({
    endpoint: z.string().min(1, "endpoint must not be empty").max(64, "endpoint is at most 64 characters").optional(),
    dataSource: z.string().min(1, "dataSource must not be empty").max(2048, "dataSource is at most 2048 characters").optional(),
    gate: z.string().min(1, "gate must not be empty").max(1024, "gate is at most 1024 characters").optional(),
    dryRun: z.boolean({ invalid_type_error: "dryRun must be true or false" }).optional(),
    requireApproval: z.boolean({ invalid_type_error: "requireApproval must be true or false" }).optional(),
    force: z.boolean({ invalid_type_error: "force must be true or false" }).optional(),
  })
  .strict();

export type RetrainRequest = z.infer<typeof bodySchema> & { endpoint: string };

export class BadRequest extends Error {
  override readonly name = "BadRequest";
  constructor(message: string, readonly status = 400) {
    super(message);
  }
}

/** An issue's message, led by its field when zod's own text does not name it ("Expected string, received number"). */
const named = (i: z.ZodIssue) => (i.path.length > 0 && !i.message.startsWith(String(i.path[0])) ? `${i.path.join(".")}: ${i.message}` : i.message);

/**
 * An optional JSON-object body, checked against a strict schema: size (413), JSON syntax, shape
 * and unknown fields (400) are each named in the message. An empty body is `{}`.
 */
export function parseJsonObjectBody<T extends z.ZodTypeAny>(text: string, schema: T, refused: Readonly<Record<string, string>> = {}): z.infer<T> {
  if (Buffer.byteLength(text) > MAX_RETRAIN_BODY_BYTES) throw new BadRequest(`The request body is larger than ${MAX_RETRAIN_BODY_BYTES} bytes.`, 413);
  let raw: unknown = {};
  if (text.trim() !== "") {
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new BadRequest(`The request body is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new BadRequest("The request body must be a JSON object.");
  const present = Object.keys(refused).filter((k) => Object.prototype.hasOwnProperty.call(raw, k));
  if (present.length > 0) throw new BadRequest(present.map((k) => refused[k]).join("; "));
  const r = schema.safeParse(raw);
  if (!r.success) {
    const allowed = schema instanceof z.ZodObject ? Object.keys(schema.shape as object).join(", ") : "";
    throw new BadRequest(r.error.issues.map((i) => (i.code === "unrecognized_keys" ? `unknown field(s): ${i.keys.join(", ")}; allowed: ${allowed}` : named(i))).join("; "));
  }
  return r.data as z.infer<T>;
}

/** Validates the optional JSON body of `POST /api/retrain`; every problem is named in the message. */
export function parseRetrainRequest(text: string, settings: Settings): RetrainRequest {
  const body = parseJsonObjectBody(text, bodySchema);
  const endpoint = body.endpoint ?? settings.RETRAIN_ENDPOINTS[0]!;
  const known = settings.RETRAIN_ENDPOINTS.find((e) => e.toLowerCase() === endpoint.toLowerCase());
  if (!known) throw new BadRequest(`endpoint "${endpoint}" is not one this app retrains; configured: ${settings.RETRAIN_ENDPOINTS.join(", ")}.`);
  try {
    if (body.dataSource !== undefined) parseDataSource(body.dataSource, settings.RETRAIN_DATA_ROOT, sourcePolicyOf(settings));
    if (body.gate !== undefined) parseGateRules(body.gate, catalogueFor(backendOf(settings, known)));
  } catch (e) {
    throw new BadRequest((e as Error).message);
  }
  return { ...body, endpoint: known };
}

/**
 * `parseRetrainRequest`, then what staging would otherwise find out only after the run started:
 * a caller's file data source must exist, be a file, and really lie inside the data folder
 * (symbolic links followed). Staging checks again, since the file can change in between.
 */
export async function checkRetrainRequest(text: string, settings: Settings): Promise<RetrainRequest> {
  const body = parseRetrainRequest(text, settings);
  if (body.dataSource !== undefined) await checkSource(body.dataSource, settings);
  return body;
}

async function checkSource(text: string, settings: Settings): Promise<void> {
  const source = parseDataSource(text, settings.RETRAIN_DATA_ROOT);
  if (source.kind === "url") {
    // Where the URL leads now; staging checks every hop again, redirects included.
    try {
      await checkedTarget(source.url, { allowLoopback: settings.RETRAIN_ALLOW_LOOPBACK_SOURCES });
    } catch (e) {
      throw new BadRequest((e as Error).message);
    }
    return;
  }
  if (source.kind !== "file") return;
  // Paths are taken literally: "..%2f" names a file called that, which is never what was meant.
  const literal = /%[0-9a-f]{2}/i.test(text) ? " (the path is taken literally, not URL-decoded)" : "";
  let real: string;
  try {
    real = await realpath(source.path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BadRequest(code === "ENOENT" || code === "ENOTDIR" ? `dataSource "${text}" does not exist in the data folder${literal}.` : `dataSource "${text}" cannot be read (${code ?? "error"}).`);
  }
  if (!isInside(real, await realpath(source.root))) throw new BadRequest(`dataSource "${text}" leads out of the data folder through a symbolic link.`);
  if (!(await stat(real)).isFile()) throw new BadRequest(`dataSource "${text}" is not a file.`);
}

const approvalSchema = z
  .object({
    // A lone surrogate (JSON can carry one) is no text a record, a log or a message can hold.
    comment: z.string().max(1024, "comment is at most 1024 characters").refine(isWellFormed, "comment is not well-formed Unicode (it holds a lone surrogate)").optional(),
    runId: z.string().min(1, "runId must not be empty").max(128, "runId is at most 128 characters").optional(),
  })
  .strict();

/** Who decided is recorded from App Service authentication, never from what the caller says. */
const APPROVAL_REFUSED = { by: '"by" is not accepted: the approver is recorded from App Service authentication (or as "function key"); put a name in "comment" instead' };

/** An approve/reject/cancel call: the run it is meant for (required) and why. */
export interface DecisionRequest {
  readonly runId: string;
  readonly comment?: string;
}

/**
 * The body of an approve/reject/cancel call (`{"runId", "comment"}`, both optional in the body)
 * and the `runId` query parameter the product's own links carry. The run id is required, from
 * either place (the same if both): a decision is bound to the run the person reviewed.
 */
export function parseDecisionRequest(text: string, queryRunId: string | null, action: string, instanceId: string): DecisionRequest {
  const body = parseJsonObjectBody(text, approvalSchema, APPROVAL_REFUSED);
  if (queryRunId !== null && (queryRunId === "" || queryRunId.length > 128)) throw new BadRequest("The runId query parameter must be a run id of 1 to 128 characters.");
  if (queryRunId !== null && body.runId !== undefined && queryRunId !== body.runId) {
    throw new BadRequest(`The runId query parameter (${queryRunId}) and the body's runId (${body.runId}) name different runs; nothing was changed.`);
  }
  const runId = body.runId ?? queryRunId ?? undefined;
  if (runId === undefined) {
    throw new BadRequest(`"runId" is required: name the run you mean to ${action} (in the body or as ?runId=), as GET /api/retrain/${instanceId} shows it; a decision is bound to the run that was reviewed. Nothing was changed.`);
  }
  return { runId, ...(body.comment !== undefined ? { comment: body.comment } : {}) };
}
