/**
 * The one error shape every client in `shared/` throws (one subclass per dependency, recognised
 * by name). Whether a retry can help, and whether the service asked us to wait, is decided once,
 * in `decideRetry`: callers read `retryable` and `retryAfterInMs` and nothing else.
 */
export interface ServiceErrorOptions {
  /** What was being done, in words an operator reads: "BES submit", "read run history". */
  readonly operation: string;
  /** The service's error code, or ours (`NetworkError`, `Timeout`, `InvalidResponse`, `Http503`). */
  readonly code: string;
  readonly statusCode?: number;
  /** A finer code when the service gives one (BES `details[0].code`). */
  readonly detailCode?: string;
  readonly retryable: boolean;
  /** Set only when the service throttled us (429/503 with a retry hint): wait this long, then call again. */
  readonly retryAfterInMs?: number;
  readonly cause?: unknown;
}

export abstract class ServiceError extends Error {
  abstract override readonly name: string;
  readonly operation: string;
  readonly code: string;
  readonly statusCode?: number;
  readonly detailCode?: string;
  readonly retryable: boolean;
  readonly retryAfterInMs?: number;

  constructor(message: string, o: ServiceErrorOptions) {
    super(message, o.cause === undefined ? undefined : { cause: o.cause });
    this.operation = o.operation;
    this.code = o.code;
    this.retryable = o.retryable;
    if (o.statusCode !== undefined) this.statusCode = o.statusCode;
    if (o.detailCode !== undefined) this.detailCode = o.detailCode;
    if (o.retryAfterInMs !== undefined) this.retryAfterInMs = o.retryAfterInMs;
  }
}

/** Every dependency's error name; errors cross module copies, so they are told apart by name. */
export const SERVICE_ERROR_NAMES = ["AmlServiceError", "AzureMlError", "RunHistoryError", "ResultReadError"] as const;

export function isServiceError(e: unknown): e is ServiceError {
  const name = typeof e === "object" && e !== null ? (e as { name?: unknown }).name : undefined;
  return (SERVICE_ERROR_NAMES as readonly unknown[]).includes(name) && typeof (e as { retryable?: unknown }).retryable === "boolean";
}

/** `Retry-After` in seconds or as an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowInMs: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowInMs);
}

export interface RetryDecision {
  readonly retryable: boolean;
  readonly retryAfterInMs?: number;
}

/**
 * The one place retryable and throttled are decided. No status (the request never got an
 * answer), 408, 429 and 5xx can succeed if sent again; other 4xx cannot. Throttling is 429 or
 * 503 *with* a retry hint, as core-rest-pipeline's throttlingRetryStrategy reads it: a 500 that
 * happens to carry `Retry-After` is a plain retry, and a 429 without one is retried with backoff.
 */
export function decideRetry(statusCode: number | undefined, retryAfter: string | undefined, nowInMs: number): RetryDecision {
  const retryable = statusCode === undefined || statusCode === 408 || statusCode === 429 || statusCode >= 500;
  if (statusCode !== 429 && statusCode !== 503) return { retryable };
  const retryAfterInMs = parseRetryAfter(retryAfter, nowInMs);
  return retryAfterInMs === undefined ? { retryable } : { retryable, retryAfterInMs };
}

/** A request that got no answer, in words and as a code: timed out, or could not connect (and why). */
export function networkFailure(e: unknown): { readonly reason: string; readonly code: "Timeout" | "NetworkError" } {
  const err = e as Error;
  const timeout = err.name === "TimeoutError" || err.name === "AbortError";
  return timeout ? { reason: "timed out", code: "Timeout" } : { reason: `could not connect (${(err.cause as Error | undefined)?.message ?? err.message})`, code: "NetworkError" };
}
