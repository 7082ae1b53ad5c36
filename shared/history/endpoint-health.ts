import type { RunRecord, RunRecordResult } from "./run-record";

/**
 * How an endpoint is doing, from its run history: what the alert rules read. Log search alerts
 * look back at most two days, so "no successful run for 8 days" cannot be a query over 8 days of
 * run events; instead the app states the number of days itself, every hour, and the rule reads
 * the latest statement (infra/monitoring/README.md).
 */
export interface EndpointHealth {
  readonly endpoint: string;
  /**
   * Days since the last run that reached a decision (promoted or rejected). With none among the
   * runs read: since the oldest run read when the page was full (a lower bound), otherwise since
   * the earlier of the first run and when the app started watching the endpoint.
   */
  readonly daysSinceLastSuccess: number;
  /** Days since the newest run started, or since watching began when there is none. */
  readonly daysSinceLastRun: number;
  /** The newest finished retrains (promoted, rejected, failed) that were all rejected, in a row. */
  readonly rejectedInARow: number;
  readonly runsRead: number;
  readonly lastResult?: RunRecordResult;
  readonly lastSuccessAt?: string;
  readonly lastRunAt?: string;
}

/** A retrain that reached the gate's decision: the pipeline works; a rejection has its own alert. */
const DECIDED: ReadonlySet<RunRecordResult> = new Set(["promoted", "rejected"]);
/** Retrains that ended; dry runs, manual rollbacks, cancelled and unfinished runs do not break a streak. */
const FINISHED_RETRAIN: ReadonlySet<RunRecordResult> = new Set(["promoted", "rejected", "failed"]);

const DAY_IN_MS = 86_400_000;
const daysBetween = (fromIso: string, nowMs: number) => Math.max(0, Math.round(((nowMs - Date.parse(fromIso)) / DAY_IN_MS) * 100) / 100);

/**
 * @param runs the endpoint's runs, newest first, as RunHistoryClient.list returns them
 * @param pageFull whether older runs exist beyond `runs`
 * @param watchingSince when the app first reported on this endpoint (ISO 8601)
 */
export function endpointHealth(endpoint: string, runs: readonly RunRecord[], pageFull: boolean, watchingSince: string, nowMs: number): EndpointHealth {
  const lastSuccess = runs.find((r) => DECIDED.has(r.result));
  const lastSuccessAt = lastSuccess && (lastSuccess.endedAt ?? lastSuccess.startedAt);
  const oldest = runs.at(-1)?.startedAt;
  const noSuccessSince = oldest && (pageFull || Date.parse(oldest) < Date.parse(watchingSince)) ? oldest : watchingSince;
  let rejectedInARow = 0;
  for (const r of runs.filter((x) => FINISHED_RETRAIN.has(x.result))) {
    if (r.result !== "rejected") break;
    rejectedInARow++;
  }
  const last = runs[0];
  return {
    endpoint,
    daysSinceLastSuccess: daysBetween(lastSuccessAt ?? noSuccessSince, nowMs),
    daysSinceLastRun: daysBetween(last?.startedAt ?? watchingSince, nowMs),
    rejectedInARow,
    runsRead: runs.length,
    ...(last ? { lastResult: last.result, lastRunAt: last.startedAt } : {}),
    ...(lastSuccessAt ? { lastSuccessAt } : {}),
  };
}
