import type { BlobLocation } from "../aml/types";
import { fetchTransport, withoutQuery, type HttpTransport } from "../http/transport";
import { sasExpiresWithin } from "./sas";

/** A job result that could not be read even after a refresh; a retry of the same call won't help. */
export class ResultReadError extends Error {
  override readonly name = "ResultReadError";
  constructor(message: string, readonly statusCode: number | undefined, readonly retryable: boolean) {
    super(message);
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
      throw new ResultReadError(`reading ${withoutQuery(location.RelativeLocation)} failed: ${(e as Error).message}`, undefined, true);
    }
    if (res.status === 200) return { text: res.bodyText, refreshes };
    if (res.status === 403 && attempt === 0) {
      location = await handle.refresh();
      refreshes++;
      continue;
    }
    const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
    throw new ResultReadError(`reading ${location.RelativeLocation} failed with ${res.status}${res.status === 403 ? " even with a fresh token" : ""}`, res.status, retryable);
  }
}
