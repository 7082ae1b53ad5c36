/** The smallest HTTP surface the clients need, so tests can hand in a route-table fake. */
export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutInMs?: number;
}

export interface HttpResponse {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly bodyText: string;
}

export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>;

/** Default per-request timeout: BES and management calls answer in seconds when healthy. */
export const DEFAULT_REQUEST_TIMEOUT_IN_MS = 60_000;

export const fetchTransport: HttpTransport = async (request) => {
  const res = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(request.timeoutInMs ?? DEFAULT_REQUEST_TIMEOUT_IN_MS),
  });
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
  return { status: res.status, headers, bodyText: await res.text() };
};

/** The transport with a per-request timeout for requests that do not set their own. */
export function withTimeout(transport: HttpTransport, timeoutInMs: number): HttpTransport {
  return (request) => transport(request.timeoutInMs === undefined ? { ...request, timeoutInMs } : request);
}

/** The URL without its query string, for logs and telemetry (a SAS lives in the query). */
export function withoutQuery(url: string): string {
  const i = url.indexOf("?");
  return i < 0 ? url : url.slice(0, i);
}
