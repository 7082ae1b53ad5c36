import type { BlobLocation } from "../backends/classic/types";
import { fetchTransport, withoutQuery, type HttpTransport } from "../http/transport";
import { sasExpiresWithin } from "./sas";
import { decideRetry, ServiceError, type ServiceErrorOptions } from "../errors/service-error";

/** A job result (a blob behind a SAS) that could not be read, even after one token refresh. */
export class ResultReadError extends ServiceError {
  override readonly name = "ResultReadError";
  constructor(message: string, o: ServiceErrorOptions) {
    super(message, o);
  }
}

export interface ResultReaderOptions {
  /** Refresh a token that has expired or expires within this margin before using it. */
  readonly refreshMarginInMs: number;
  readonly transport?: HttpTransport;
  readonly now?: () => number;
}

/** Where a result lives now; `refresh` re-reads the job (a BES GET mints fresh tokens). */
export interface ResultHandle {
  readonly location: BlobLocation;
  readonly refresh: () => Promise<BlobLocation>;
}

export const urlOf = (l: BlobLocation) => `${l.BaseLocation.endsWith("/") ? l.BaseLocation : `${l.BaseLocation}/`}${l.RelativeLocation}${l.SasBlobToken}`;

/**
 * A location whose token is expired or about to be is refreshed first (one job GET). The caller
 * gets back the location actually used, so a PATCH can carry the same fresh token.
 */
export async function freshLocation(handle: ResultHandle, o: ResultReaderOptions): Promise<{ location: BlobLocation; refreshes: number }> {
  const now = (o.now ?? Date.now)();
  if (!sasExpiresWithin(handle.location.SasBlobToken, now, o.refreshMarginInMs)) return { location: handle.location, refreshes: 0 };
  return { location: await handle.refresh(), refreshes: 1 };
}

/**
 * Reads a job result as text. An expiring token is refreshed first; a 403 from storage triggers
 * exactly one refresh-and-retry — never a loop, since a second 403 means the token is not the cause.
 */
export async function readResult(handle: ResultHandle, o: ResultReaderOptions): Promise<{ text: string; refreshes: number }> {
  const transport = o.transport ?? fetchTransport;
  let { location, refreshes } = await freshLocation(handle, o);
  for (let attempt = 0; ; attempt++) {
    let res;
    try {
      res = await transport({ method: "GET", url: urlOf(location), headers: {} });
    } catch (e) {
      throw new ResultReadError(`reading ${withoutQuery(location.RelativeLocation)} failed: ${(e as Error).message}`, { operation: "read result", code: "NetworkError", ...decideRetry(undefined, undefined, 0) });
    }
    if (res.status === 200) return { text: res.bodyText, refreshes };
    if (res.status === 403 && attempt === 0) {
      location = await handle.refresh();
      refreshes++;
      continue;
    }
    throw new ResultReadError(`reading ${location.RelativeLocation} failed with ${res.status}${res.status === 403 ? " even with a fresh token" : ""}`, {
      operation: "read result", code: `Http${res.status}`, statusCode: res.status, ...decideRetry(res.status, res.headers["retry-after"], (o.now ?? Date.now)()),
    });
  }
}
