import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { OPENAPI_DOCUMENT } from "../../functions/api/openapi";
import type { Method, Operation, Response } from "../../functions/api/types";

/** An answer as a test received it. */
export interface ReceivedAnswer {
  readonly method: string;
  /** The URL path the answer came from (after redirects), query excluded. */
  readonly path: string;
  readonly status: number;
  readonly contentType: string | null;
  /** The body as received: JSON already parsed, anything else text; undefined when empty. */
  readonly body: unknown;
}

const BASE = "urn:retrainer:openapi";
const PREFIX = OPENAPI_DOCUMENT.servers[0]!.url;
/** The runtime's webhooks: links the API hands out, not its operations. */
const RUNTIME = "/runtime/";

/** The document's top-level fields, as annotations: Ajv reads schemas out of it by JSON pointer. */
const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true, keywords: ["openapi", "jsonSchemaDialect", "info", "servers", "tags", "paths", "components"] });
addFormats(ajv);
ajv.addSchema({ $id: BASE, ...OPENAPI_DOCUMENT });
const compiled = new Map<string, ValidateFunction>();

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");

interface Route {
  readonly template: string;
  readonly pattern: RegExp;
  readonly literals: number;
}

/** Templates matched as the Functions host matches routes: case-insensitive literals, one segment per parameter; literal segments win. */
const ROUTES: readonly Route[] = Object.keys(OPENAPI_DOCUMENT.paths)
  .map((template) => ({
    template,
    pattern: new RegExp(`^${template.split("/").map((s) => (/^\{[^}]+\}$/.test(s) ? "[^/]+" : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("/")}$`, "i"),
    literals: template.split("/").filter((s) => s && !s.startsWith("{")).length,
  }))
  .sort((a, b) => b.literals - a.literals);

/** The described operation for a method and a path of the app (with `/api`), or undefined. */
export function operationFor(method: string, path: string): { template: string; operation: Operation } | undefined {
  if (!path.startsWith(`${PREFIX}/`)) return undefined;
  const rest = path.slice(PREFIX.length);
  for (const r of ROUTES) {
    if (!r.pattern.test(rest)) continue;
    const operation = OPENAPI_DOCUMENT.paths[r.template]![method.toLowerCase() as Method];
    if (operation) return { template: r.template, operation };
  }
  return undefined;
}

const explain = (errors: readonly ErrorObject[] | null | undefined) =>
  (errors ?? []).slice(0, 5).map((e) => `${e.instancePath || "(body)"} ${e.message ?? "is invalid"}${Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ""}`).join("; ");

/**
 * Why the answer does not fit the description, or undefined when it does (or is not the API's:
 * outside `/api/`, or the runtime's webhooks). The body itself is never quoted: answers can carry
 * a SAS. An answer on a path and method the description does not have must be the host's 404.
 */
export function mismatch(a: ReceivedAnswer): string | undefined {
  if (!a.path.startsWith(`${PREFIX}/`) || a.path.startsWith(RUNTIME)) return undefined;
  const found = operationFor(a.method, a.path);
  const where = `${a.method} ${a.path} answered ${a.status}`;
  if (!found) return a.status === 404 || a.status === 405 ? undefined : `${where}, but the OpenAPI description has no ${a.method} operation for this path`;
  const op = `${a.method.toUpperCase()} ${found.template}`;
  const statusKey = String(a.status);
  const described = [statusKey, `${statusKey[0]}XX`, "default"].find((k) => k in found.operation.responses);
  const response: Response | undefined = described === undefined ? undefined : found.operation.responses[described];
  if (!response || described === undefined) return `${where}: status ${a.status} is not described for ${op} (described: ${Object.keys(found.operation.responses).join(", ")})`;
  if (a.body === undefined || a.body === "") return undefined;
  const media = (a.contentType ?? "").split(";")[0]!.trim().toLowerCase();
  const content = response.content ?? {};
  if (!(media in content)) return `${where}: content type "${media}" is not described for ${op} ${a.status} (described: ${Object.keys(content).join(", ") || "no body"})`;
  if (media !== "application/json") return undefined;
  const key = pointer("paths", found.template, a.method.toLowerCase(), "responses", described, "content", media, "schema");
  let validate = compiled.get(key);
  if (!validate) compiled.set(key, (validate = ajv.compile({ $ref: `${BASE}#/${key}` })));
  return validate(a.body) ? undefined : `${where}: the body does not fit the schema of ${op} ${a.status}: ${explain(validate.errors)}`;
}

/** Throws, naming the route, the status and the schema error, when the answer does not fit the description. */
export function expectDescribed(a: ReceivedAnswer): void {
  const problem = mismatch(a);
  if (problem) throw new Error(`OpenAPI: ${problem} (functions/api/ describes the API; fix the description, or report the product's answer)`);
}
