import type { Router, Request } from "../../http/router";
import { AmlHttpError, badArgument, notFound, unauthorized } from "../../http/errors";
import { keyMatches, bearerKey } from "../../auth";
import { requireApiVersion } from "./bes";
import { TrainingError } from "../../training/errors";
import type { ServiceContext } from "./context";
import type { EndpointRecord } from "../workspace";

/** Request-Response scoring on each predictive endpoint, with that endpoint's current model. */
export function rrsRoutes(router: Router, ctx: ServiceContext): void {
  const inFlight = new Map<string, number>();
  router.add("POST", "/workspaces/:ws/services/:svc/execute", async (req) => {
    const endpoint = authorize(ctx, req);
    const busy = inFlight.get(endpoint.name) ?? 0;
    if (busy >= endpoint.maxConcurrentCalls) {
      throw new AmlHttpError(503, "ServiceUnavailable", `The endpoint already serves ${busy} concurrent calls, its limit.`, "TooManyConcurrentRequests", { "Retry-After": "1" });
    }
    inFlight.set(endpoint.name, busy + 1);
    try {
      return await score(ctx, req, endpoint);
    } finally {
      inFlight.set(endpoint.name, (inFlight.get(endpoint.name) ?? 1) - 1);
    }
  });
}

function authorize(ctx: ServiceContext, req: Request): EndpointRecord {
  requireApiVersion(req);
  if (req.params.ws!.toLowerCase() !== ctx.config.workspaceId.toLowerCase()) throw notFound("WorkspaceNotFound", `Workspace ${req.params.ws} was not found.`);
  const endpoint = ctx.workspace.endpointByServiceId(req.params.svc!);
  if (!endpoint) throw notFound("WebServiceNotFound", `Web service ${req.params.svc} was not found in this workspace.`);
  if (!keyMatches(bearerKey(req.raw), [endpoint.primaryKey, endpoint.secondaryKey])) throw unauthorized();
  return endpoint;
}

async function score(ctx: ServiceContext, req: Request, endpoint: EndpointRecord) {
  const table = readInput(await req.json());
  const scorer = await ctx.workspace.scorerFor(endpoint);
  const missing = scorer.model.features.map((f) => f.name).filter((n) => !table.columns.includes(n));
  if (missing.length > 0) throw badArgument("InputColumnMissing", `input1 lacks the column(s) ${missing.join(", ")} that the model needs.`);
  const index = new Map(table.columns.map((c, i) => [c, i]));
  const [negative, positive] = scorer.model.labels;
  const values = table.values.map((row, r) => {
    let p: number;
    try {
      p = scorer.probability((name) => row[index.get(name)!]);
    } catch (e) {
      if (e instanceof TrainingError) throw badArgument("InvalidInputValue", `input1 row ${r + 1}: ${e.message}`);
      throw e;
    }
    return [...row, p >= 0.5 ? positive : negative, String(p)];
  });
  const numeric = new Set(scorer.model.features.filter((f) => f.type === "numeric").map((f) => f.name));
  const details = req.url.searchParams.get("details") === "true";
  const value = details
    ? {
        ColumnNames: [...table.columns, "Scored Labels", "Scored Probabilities"],
        ColumnTypes: [...table.columns.map((c) => (numeric.has(c) ? "Numeric" : "String")), "String", "Numeric"],
        Values: values,
      }
    : { Values: values };
  return { status: 200, body: { Results: { output1: { type: "table", value } } } };
}

function readInput(body: unknown): { columns: string[]; values: string[][] } {
  const input = (body as { Inputs?: { input1?: { ColumnNames?: unknown; Values?: unknown } } } | null)?.Inputs?.input1;
  if (!input) throw badArgument("InvalidRequestBody", 'The body must be {"Inputs":{"input1":{"ColumnNames":[...],"Values":[[...]]}}}.');
  const { ColumnNames: columns, Values: rows } = input;
  if (!Array.isArray(columns) || !columns.every((c) => typeof c === "string")) throw badArgument("InvalidRequestBody", "input1.ColumnNames must be a list of strings.");
  if (!Array.isArray(rows)) throw badArgument("InvalidRequestBody", "input1.Values must be a list of rows.");
  const values = rows.map((row, r) => {
    if (!Array.isArray(row) || row.length !== columns.length) {
      throw badArgument("InvalidRequestBody", `input1.Values row ${r + 1} must have ${columns.length} values, one per column.`);
    }
    return row.map((v) => (v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v)));
  });
  return { columns: columns, values };
}
