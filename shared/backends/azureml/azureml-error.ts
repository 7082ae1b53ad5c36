import type { HttpResponse } from "../../http/transport";
import { decideRetry, networkFailure, ServiceError, type ServiceErrorOptions } from "../../errors/service-error";

/** Azure Machine Learning (v2)'s error: ARM (jobs, models, online endpoints), MLflow and scoring. */
export class AzureMlError extends ServiceError {
  override readonly name = "AzureMlError";
  constructor(message: string, o: ServiceErrorOptions) {
    super(message, o);
  }
}

export function isAzureMlError(e: unknown): e is AzureMlError {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "AzureMlError";
}

/** ARM's `{error:{code,message,details}}` (common-types v3) or MLflow's `{error_code,message}`. */
interface ErrorBody {
  error?: { code?: string; message?: string; details?: { code?: string }[] };
  error_code?: string;
  message?: string;
}

/** A non-2xx answer as an AzureMlError; retryable and throttled come from `decideRetry`. */
export function classifyAzureMlResponse(operation: string, res: HttpResponse, nowInMs: number): AzureMlError {
  let body: ErrorBody = {};
  try {
    body = JSON.parse(res.bodyText) as ErrorBody;
  } catch {
    // a gateway's HTML or an empty body: the status alone decides
  }
  const code = body.error?.code ?? body.error_code ?? `Http${res.status}`;
  const detailCode = body.error?.details?.[0]?.code;
  const text = (body.error?.message ?? body.message ?? (res.bodyText.slice(0, 200) || "no body")).slice(0, 500);
  return new AzureMlError(`${operation} failed with ${res.status} ${code}: ${text}`, {
    operation, code, statusCode: res.status, ...(detailCode ? { detailCode } : {}), ...decideRetry(res.status, res.headers["retry-after"], nowInMs),
  });
}

export function azureMlNetworkError(operation: string, e: unknown): AzureMlError {
  const { reason, code } = networkFailure(e);
  return new AzureMlError(`${operation} ${reason}`, { operation, code, ...decideRetry(undefined, undefined, 0) });
}

/** An answer that is not what the contract says: retrying will not change it. */
export const invalidResponse = (operation: string, what: string, statusCode?: number) =>
  new AzureMlError(`${operation} returned ${what}`, { operation, code: "InvalidResponse", retryable: false, ...(statusCode !== undefined ? { statusCode } : {}) });
