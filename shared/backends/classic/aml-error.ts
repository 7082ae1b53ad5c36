import type { HttpResponse } from "../../http/transport";
import { decideRetry, networkFailure, ServiceError, type ServiceErrorOptions } from "../../errors/service-error";

/** The ML service's error (BES, RRS and the management API). */
export class AmlServiceError extends ServiceError {
  override readonly name = "AmlServiceError";
  constructor(message: string, o: ServiceErrorOptions) {
    super(message, o);
  }
}

/** Recognised by name, not instanceof, as errors cross module copies and activity boundaries. */
export function isAmlServiceError(e: unknown): e is AmlServiceError {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "AmlServiceError";
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: { code?: string; message?: string }[] };
}

/** A non-2xx answer as an AmlServiceError; retryable and throttled come from `decideRetry`. */
export function classifyResponse(operation: string, res: HttpResponse, nowInMs: number): AmlServiceError {
  let body: ErrorBody = {};
  try {
    body = JSON.parse(res.bodyText) as ErrorBody;
  } catch {
    // a gateway's HTML or an empty body: the status alone decides
  }
  const code = body.error?.code ?? `Http${res.status}`;
  const detailCode = body.error?.details?.[0]?.code;
  const text = body.error?.message ?? (res.bodyText.slice(0, 200) || "no body");
  return new AmlServiceError(`${operation} failed with ${res.status} ${code}${detailCode ? `/${detailCode}` : ""}: ${text}`, {
    operation, code, statusCode: res.status, ...(detailCode ? { detailCode } : {}), ...decideRetry(res.status, res.headers["retry-after"], nowInMs),
  });
}

export function classifyNetworkError(operation: string, e: unknown): AmlServiceError {
  const { reason, code } = networkFailure(e);
  return new AmlServiceError(`${operation} ${reason}`, { operation, code, ...decideRetry(undefined, undefined, 0) });
}
