import { keyMatches, bearerKey } from "../auth";
import { AmlHttpError } from "../http/errors";
import type { Handler, Request } from "../http/router";
import type { AzureMlContext } from "./context";
import { armError } from "./rules";

/**
 * Every ARM and MLflow route: the caller's bearer token first (before any body is read), then
 * `api-version`, then any injected fault, then the handler.
 */
export function arm(ctx: AzureMlContext, operation: string, handler: Handler, o: { readonly apiVersion?: boolean } = {}): Handler {
  return async (req: Request) => {
    if (!keyMatches(bearerKey(req.raw), [ctx.config.armToken])) throw armError(401, "AuthenticationFailed", "Authentication failed: the Authorization header is missing or its bearer token is not valid.");
    if ((o.apiVersion ?? true) && !req.url.searchParams.get("api-version")) throw armError(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
    ctx.faults.count(operation);
    if (ctx.faults.resets > 0) {
      ctx.faults.resets--;
      req.raw.socket.resetAndDestroy();
      return new Promise(() => undefined); // the connection is gone; nothing will be answered
    }
    if (ctx.faults.throttles > 0) {
      ctx.faults.throttles--;
      throw new AmlHttpError(429, "TooManyRequests", "The request was throttled; retry after the delay in Retry-After.", undefined, { "Retry-After": String(ctx.faults.retryAfterSeconds) });
    }
    return handler(req);
  };
}

/** The route's workspace is the one this service holds, or 404 as ARM answers for a resource it does not have. */
export function inWorkspace(ctx: AzureMlContext, req: Request): void {
  const { sub, rg, ws } = req.params;
  const c = ctx.config;
  if (sub?.toLowerCase() !== c.subscriptionId.toLowerCase() || rg?.toLowerCase() !== c.resourceGroup.toLowerCase() || ws?.toLowerCase() !== c.workspaceName.toLowerCase()) {
    throw armError(404, "ResourceNotFound", `The workspace ${String(ws)} in resource group ${String(rg)} was not found.`);
  }
}

/** A JSON object body, or 400. */
export async function objectBody(req: Request): Promise<Record<string, unknown>> {
  const body = await req.json();
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw armError(400, "InvalidRequestContent", "The request body must be a JSON object.");
  return body as Record<string, unknown>;
}
