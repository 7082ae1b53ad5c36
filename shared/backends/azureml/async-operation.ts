import { parseRetryAfter } from "../../errors/service-error";
import type { HttpResponse } from "../../http/transport";

/**
 * A long-running ARM call as data, so the orchestrator can wait on it with durable timers rather
 * than an activity blocking for minutes: done, or where to ask next [contract §2 Polling, ASY].
 * Its URLs carry no secret (ARM operation URLs hold ids and the api-version), so it may go into
 * history.
 */
export type AsyncOperation =
  | { readonly done: true }
  | { readonly done: false; readonly url: string; readonly via: "azure-asyncoperation" | "location"; readonly retryAfterInMs?: number };

export type OperationStatus =
  | { readonly state: "running"; readonly retryAfterInMs?: number }
  | { readonly state: "succeeded" }
  | { readonly state: "failed"; readonly reason: string };

/** What a PUT/DELETE answer says about the operation it started: `Azure-AsyncOperation` is preferred over `Location`. */
export function operationOf(res: HttpResponse, nowInMs: number): AsyncOperation {
  const retryAfterInMs = parseRetryAfter(res.headers["retry-after"], nowInMs);
  const hint = retryAfterInMs !== undefined ? { retryAfterInMs } : {};
  const asyncUrl = res.headers["azure-asyncoperation"];
  if (asyncUrl) return { done: false, url: asyncUrl, via: "azure-asyncoperation", ...hint };
  const location = res.headers.location;
  if (res.status === 202 && location) return { done: false, url: location, via: "location", ...hint };
  return { done: true };
}

/** An `Azure-AsyncOperation` body, final at Succeeded, Failed or Canceled. */
export function asyncOperationStatus(body: { status?: unknown; error?: { code?: unknown; message?: unknown } }, retryAfterInMs?: number): OperationStatus {
  const status = typeof body.status === "string" ? body.status : "";
  if (status === "Succeeded") return { state: "succeeded" };
  if (status === "Failed" || status === "Canceled") {
    const why = [body.error?.code, body.error?.message].filter((x): x is string => typeof x === "string" && x !== "").join(": ");
    return { state: "failed", reason: `the operation ended ${status}${why ? ` (${why.slice(0, 500)})` : ""}` };
  }
  return retryAfterInMs !== undefined ? { state: "running", retryAfterInMs } : { state: "running" };
}
