import { AmlServiceError, classifyNetworkError, classifyResponse } from "./aml-error";
import type { HttpResponse, HttpTransport } from "../../http/transport";

export interface CallOptions {
  readonly transport: HttpTransport;
  readonly apiKey: string;
  readonly timeoutInMs?: number;
  readonly now?: () => number;
}

/** One authorised JSON call; any non-2xx or network failure becomes an AmlServiceError. */
export async function callService(o: CallOptions, operation: string, method: string, url: string, body?: unknown): Promise<HttpResponse> {
  const headers: Record<string, string> = { Authorization: `Bearer ${o.apiKey}`, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res: HttpResponse;
  try {
    res = await o.transport({ method, url, headers, body: body === undefined ? undefined : JSON.stringify(body), timeoutInMs: o.timeoutInMs });
  } catch (e) {
    throw classifyNetworkError(operation, e);
  }
  if (res.status < 200 || res.status > 299) throw classifyResponse(operation, res, (o.now ?? Date.now)());
  return res;
}

export function parseJsonBody<T>(operation: string, res: HttpResponse): T {
  try {
    return JSON.parse(res.bodyText) as T;
  } catch {
    throw new AmlServiceError(`${operation} returned a body that is not JSON`, { operation, code: "InvalidResponse", retryable: false, statusCode: res.status });
  }
}
