import { decideRetry, ServiceError, type ServiceErrorOptions } from "../errors/service-error";

/** The run-history store's error (Table storage); `classifyTableError` turns the SDK's into one. */
export class RunHistoryError extends ServiceError {
  override readonly name = "RunHistoryError";
  constructor(message: string, o: ServiceErrorOptions) {
    super(message, o);
  }
}

/** Recognised by name, not instanceof, as errors cross module copies and activity boundaries. */
export function isRunHistoryError(e: unknown): e is RunHistoryError {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "RunHistoryError";
}

/** Refused before any request: the caller passed something the store cannot hold. */
export const invalidArgument = (operation: string, message: string) => new RunHistoryError(message, { operation, code: "InvalidArgument", retryable: false });

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

/** The SDK's error as a RunHistoryError; retryable and throttled come from `decideRetry`. */
export function classifyTableError(operation: string, e: unknown, nowInMs = Date.now()): RunHistoryError {
  if (isRunHistoryError(e)) return e;
  const r = (e ?? {}) as TableRestError;
  const { statusCode, code } = tableErrorCode(e);
  // No status: a RestError is a network failure (worth a retry), anything else a local mistake.
  const network = statusCode === undefined && r.name === "RestError";
  const decision = statusCode === undefined && !network ? { retryable: false } : decideRetry(statusCode, r.response?.headers.get("retry-after"), nowInMs);
  // The service message carries "RequestId:…" and "Time:…" lines; the first line is the sentence.
  const text = (r.details?.odataError?.message?.value ?? r.message ?? String(e)).split("\n")[0]!.slice(0, 300) || "no message";
  return new RunHistoryError(`Run history: ${operation} failed${statusCode ? ` with ${statusCode}` : ""} ${code}: ${text}`, {
    operation, code, ...(statusCode !== undefined ? { statusCode } : {}), ...decision,
  });
}
