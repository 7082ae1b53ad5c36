import type { HttpResponse } from "../http/transport";

/**
 * The one error type for the ML service (BES and management API). Whether a retry can help is
 * decided here, once, from the status and body — callers only read `retryable`.
 */
export class AmlServiceError extends Error {
  override readonly name = "AmlServiceError";
  constructor(
    message: string,
    readonly operation: string,
    readonly code: string,
    readonly retryable: boolean,
    readonly statusCode?: number,
    readonly detailCode?: string,
    /** From `Retry-After`; only set when the service advertised a delay. */
    readonly retryAfterInMs?: number,
  ) {
    super(message);
  }
}

/** Recognised by name, not instanceof, as errors cross module copies and activity boundaries. */
export function isAmlServiceError(e: unknown): e is AmlServiceError {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "AmlServiceError";
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: { code?: string; message?: string }[] };
}

/** `Retry-After` in seconds or as an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowInMs: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowInMs);
}

/**
 * Network errors, 408, 429 and 5xx (503 RequestThrottled included) are retryable; other 4xx
 * are not: sending the same request again cannot succeed.
 */
export function classifyResponse(operation: string, res: HttpResponse, nowInMs: number): AmlServiceError {
  let body: ErrorBody = {};
  try {
    body = JSON.parse(res.bodyText) as ErrorBody;
  } catch {
    // a gateway's HTML or an empty body: the status alone decides
  }
  const code = body.error?.code ?? `Http${res.status}`;
  const detailCode = body.error?.details?.[0]?.code;
  const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
  const retryAfterInMs = retryable ? parseRetryAfter(res.headers["retry-after"], nowInMs) : undefined;
  const text = body.error?.message ?? (res.bodyText.slice(0, 200) || "no body");
  return new AmlServiceError(
    `${operation} failed with ${res.status} ${code}${detailCode ? `/${detailCode}` : ""}: ${text}`,
    operation, code, retryable, res.status, detailCode, retryAfterInMs,
  );
}

export function classifyNetworkError(operation: string, e: unknown): AmlServiceError {
  const timeout = (e as Error).name === "TimeoutError" || (e as Error).name === "AbortError";
  const reason = timeout ? "timed out" : `could not connect (${((e as Error).cause as Error | undefined)?.message ?? (e as Error).message})`;
  return new AmlServiceError(`${operation} ${reason}`, operation, timeout ? "Timeout" : "NetworkError", true);
}
