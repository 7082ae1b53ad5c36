import { HttpRequest, type HttpResponseInit } from "@azure/functions";

/** The platform's identity headers: the API records the same person the console saw. */
const IDENTITY_HEADERS = ["x-ms-client-principal", "x-ms-client-principal-name", "x-ms-client-principal-id", "x-ms-client-principal-idp"];

/**
 * The same request a script would send to the HTTP API, built from a console form: the console
 * acts only through the API's own handlers, so its rules (a decision bound to its run, one run
 * per endpoint, the rollback target's checks) are the API's, not a copy of them.
 */
export function apiRequest(from: HttpRequest, method: "POST", path: string, body: unknown, query: Record<string, string> = {}, params: Record<string, string> = {}): HttpRequest {
  const url = new URL(path, new URL(from.url).origin);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const headers: Record<string, string> = { "content-type": "application/json" };
  for (const h of IDENTITY_HEADERS) {
    const v = from.headers.get(h);
    if (v !== null) headers[h] = v;
  }
  return new HttpRequest({ method, url: url.toString(), headers, query, params, body: { string: JSON.stringify(body) } });
}

/** The API's answer in a sentence for a page, and the fields a page links from. */
export function apiAnswer(r: HttpResponseInit): { ok: boolean; status: number; error?: string; body: Record<string, unknown> } {
  const status = r.status ?? 200;
  const body = (typeof r.jsonBody === "object" && r.jsonBody !== null ? r.jsonBody : {}) as Record<string, unknown>;
  return { ok: status >= 200 && status < 300, status, ...(typeof body.error === "string" ? { error: body.error } : {}), body };
}
