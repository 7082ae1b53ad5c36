import type { HttpRequest, HttpResponse, HttpTransport } from "../../shared/http/transport";

/** A scripted answer. A string `body` is sent verbatim; anything else is JSON-encoded. */
export interface FakeReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** "network-error" throws like fetch on a reset connection; "timeout" like an aborted signal. */
export type FakeOutcome = FakeReply | "network-error" | "timeout";

export interface Route {
  readonly method: string;
  /** A string matches the whole URL (query included); a RegExp is tested against it. */
  readonly url: string | RegExp;
  readonly reply: (request: RecordedRequest) => FakeOutcome | Promise<FakeOutcome>;
  /** How many requests this route answers; unlimited when absent. Lets a test script 503 then 200. */
  readonly times?: number;
}

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutInMs?: number;
}

export type FakeTransport = HttpTransport & { readonly requests: readonly RecordedRequest[] };

/**
 * A route-table HTTP transport. Every request is recorded in `.requests`, matched or not. A
 * request no route answers throws: it is a bug in the test, and the message says which request.
 */
export function fakeTransport(routes: readonly Route[]): FakeTransport {
  const requests: RecordedRequest[] = [];
  const used = routes.map(() => 0);
  const transport = async (request: HttpRequest): Promise<HttpResponse> => {
    const recorded: RecordedRequest = { method: request.method, url: request.url, headers: { ...request.headers }, body: request.body, timeoutInMs: request.timeoutInMs };
    requests.push(recorded);
    const i = routes.findIndex((r, n) => r.method === request.method && matches(r.url, request.url) && (r.times === undefined || used[n]! < r.times));
    const route = routes[i];
    if (!route) throw new Error(`fakeTransport: no route for ${describe(recorded)}\nroutes:\n${routes.map((r, n) => `  ${r.method} ${String(r.url)} (used ${used[n]!}/${r.times ?? "∞"})`).join("\n")}`);
    used[i]!++;
    const outcome = await route.reply(recorded);
    if (outcome === "network-error") throw new TypeError("fetch failed", { cause: new Error("ECONNRESET") });
    if (outcome === "timeout") throw Object.assign(new Error("The operation was aborted due to timeout"), { name: "TimeoutError" });
    const headers = Object.fromEntries(Object.entries(outcome.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const bodyText = outcome.body === undefined ? "" : typeof outcome.body === "string" ? outcome.body : JSON.stringify(outcome.body);
    return { status: outcome.status, headers, bodyText };
  };
  return Object.assign(transport, { requests });
}

/** The JSON a recorded request carried. */
export function jsonBody(request: RecordedRequest | undefined): unknown {
  if (request?.body === undefined) throw new Error("the request had no body");
  return JSON.parse(request.body);
}

function matches(pattern: string | RegExp, url: string): boolean {
  if (typeof pattern === "string") return pattern === url;
  pattern.lastIndex = 0; // a /g pattern would otherwise match every other time
  return pattern.test(url);
}

function describe(r: RecordedRequest): string {
  return `${r.method} ${r.url}${r.body === undefined ? "" : `\nbody: ${r.body.slice(0, 500)}`}`;
}
