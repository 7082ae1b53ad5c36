/**
 * Errors in the classic service's JSON shape:
 * {"error":{"code","message","details":[{"code","message"}]}} (reconstructed from clients).
 */
export class AmlHttpError extends Error {
  override readonly name = "AmlHttpError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detailCode?: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  toBody(): unknown {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.detailCode ? { details: [{ code: this.detailCode, message: this.message }] } : {}),
      },
    };
  }
}

export const badArgument = (detailCode: string, message: string) => new AmlHttpError(400, "BadArgument", message, detailCode);
export const notFound = (detailCode: string, message: string) => new AmlHttpError(404, "NotFound", message, detailCode);
export const unauthorized = () =>
  new AmlHttpError(401, "Unauthorized", "The request is not authorized: the API key is missing or wrong.", "ScoreRequestUnauthorized");
export const throttled = (retryAfterSeconds: number, detailCode = "RequestThrottled") =>
  new AmlHttpError(503, "ServiceUnavailable", "The service is throttling requests; retry after the advertised delay.", detailCode, {
    "Retry-After": String(retryAfterSeconds),
  });
