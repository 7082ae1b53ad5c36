import { parseRetryAfter } from "../aml/aml-error";

/** The one error type for the run-history store; whether a retry can help is decided in `classifyTableError`. */
export class RunHistoryError extends Error {
  override readonly name = "RunHistoryError";
  constructor(
    message: string,
    readonly operation: string,
    readonly code: string,
    readonly retryable: boolean,
    readonly statusCode?: number,
    readonly retryAfterInMs?: number,
  ) {
    super(message);
  }
}

/** Recognised by name, not instanceof, as errors cross module copies and activity boundaries. */
export function isRunHistoryError(e: unknown): e is RunHistoryError {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "RunHistoryError";
}

/** Refused before any request: the caller passed something the store cannot hold. */
export const invalidArgument = (operation: string, message: string) => new RunHistoryError(message, operation, "InvalidArgument", false);

interface TableRestError {
  name?: string;
  statusCode?: number;
  code?: string;
  message?: string;
  details?: { errorCode?: string; odataError?: { code?: string; message?: { value?: string } } };
  response?: { headers: { get(name: string): string | undefined } };
}

/** Status and OData error code of a Table error (the SDK leaves `code` empty for service errors). */
export function tableErrorCode(e: unknown): { statusCode?: number; code: string } {
  const r = (e ?? {}) as TableRestError;
  return { statusCode: r.statusCode, code: r.details?.odataError?.code || r.details?.errorCode || r.code || "Unknown" };
}

/** Network errors, 408, 429 and 5xx are retryable; other 4xx cannot succeed by sending the same request again. */
export function classifyTableError(operation: string, e: unknown, nowInMs = Date.now()): RunHistoryError {
  if (isRunHistoryError(e)) return e;
  const r = (e ?? {}) as TableRestError;
  const { statusCode, code } = tableErrorCode(e);
  // No status: a RestError is a network failure (worth a retry), anything else a local mistake.
  const network = statusCode === undefined && r.name === "RestError";
  const retryable = network || statusCode === 408 || statusCode === 429 || (statusCode ?? 0) >= 500;
  const retryAfterInMs = retryable ? parseRetryAfter(r.response?.headers.get("retry-after"), nowInMs) : undefined;
  // The service message carries "RequestId:…" and "Time:…" lines; the first line is the sentence.
  const text = (r.details?.odataError?.message?.value ?? r.message ?? String(e)).split("\n")[0]!.slice(0, 300) || "no message";
  return new RunHistoryError(
    `Run history: ${operation} failed${statusCode ? ` with ${statusCode}` : ""} ${code}: ${text}`,
    operation, code, retryable, statusCode, retryAfterInMs,
  );
}
