import type { ModelRef } from "../backends/model-ref";
import type { Backend } from "../backends/backend";
import type { RunRecord, RunRecordResult, RunTrigger } from "./run-record";

/**
 * What the operator console's overview shows of one endpoint, kept in one row per endpoint
 * (keys.ts: `~endpoint`) and rewritten whenever one of its runs is recorded, so the overview is
 * one query whatever the number of endpoints or runs. Runs in progress are not recorded yet: the
 * console reads them from the orchestrations (functions/console/active-runs.ts).
 */
export interface EndpointSummary {
  readonly endpoint: string;
  readonly backend?: Backend;
  /** When this summary was computed (the last record write). */
  readonly updatedAt: string;
  readonly lastRun?: RunBrief;
  /** What serves now, as far as the history knows: the newest promotion or rollback's model. */
  readonly serving?: { readonly model: ModelRef; readonly since?: string; readonly runId: string; readonly approvedBy?: string };
  /** The numbers the alerts read (endpoint-health.ts), over the runs summarised. */
  readonly health: {
    readonly lastSuccessAt?: string;
    /** Counting "days since the last success" starts here when there is none among the runs read. */
    readonly noSuccessSince?: string;
    readonly rejectedInARow: number;
    readonly runsRead: number;
  };
}

export interface RunBrief {
  readonly runId: string;
  readonly instanceId: string;
  readonly result: RunRecordResult;
  readonly trigger: RunTrigger["kind"];
  readonly reason?: string;
  readonly startedAt: string;
  readonly endedAt?: string;
}

/** How many of an endpoint's newest runs a summary is computed from (one query). */
export const SUMMARY_RUNS = 100;

const DECIDED: ReadonlySet<RunRecordResult> = new Set(["promoted", "rejected"]);
const FINISHED_RETRAIN: ReadonlySet<RunRecordResult> = new Set(["promoted", "rejected", "failed"]);
/** A reason shown on the overview is a sentence, not a page. */
const MAX_REASON_CHARS = 400;

const brief = (r: RunRecord): RunBrief => ({
  runId: r.runId, instanceId: r.instanceId, result: r.result, trigger: r.trigger.kind,
  ...(r.reason ? { reason: r.reason.length > MAX_REASON_CHARS ? `${r.reason.slice(0, MAX_REASON_CHARS)}…` : r.reason } : {}),
  startedAt: r.startedAt, ...(r.endedAt ? { endedAt: r.endedAt } : {}),
});

/**
 * @param runs the endpoint's newest runs, newest first (at most SUMMARY_RUNS; with none among them
 *   decided, "days since the last success" counts from the oldest, a lower bound as in endpoint-health.ts)
 */
export function summarize(endpoint: string, runs: readonly RunRecord[], nowIso: string): EndpointSummary {
  const last = runs[0];
  const served = runs.find((r) => r.modelAfter && (r.result === "promoted" || r.result === "rolled-back"));
  const lastSuccess = runs.find((r) => DECIDED.has(r.result));
  let rejectedInARow = 0;
  for (const r of runs.filter((x) => FINISHED_RETRAIN.has(x.result))) {
    if (r.result !== "rejected") break;
    rejectedInARow++;
  }
  const oldest = runs.at(-1);
  const serving: EndpointSummary["serving"] = served
    ? { model: served.modelAfter!, runId: served.runId, ...(served.endedAt ? { since: served.endedAt } : {}), ...(served.approval?.by && served.approval.approved ? { approvedBy: served.approval.by } : {}) }
    : last?.modelBefore ? { model: last.modelBefore, runId: last.runId } : undefined;
  return {
    endpoint: last?.endpoint ?? endpoint,
    ...(last?.backend ? { backend: last.backend } : {}),
    updatedAt: nowIso,
    ...(last ? { lastRun: brief(last) } : {}),
    ...(serving ? { serving } : {}),
    health: {
      ...(lastSuccess ? { lastSuccessAt: lastSuccess.endedAt ?? lastSuccess.startedAt } : {}),
      ...(!lastSuccess && oldest ? { noSuccessSince: oldest.startedAt } : {}),
      rejectedInARow,
      runsRead: runs.length,
    },
  };
}

/**
 * The summary after one more record, without reading the runs again: the usual write is a run's
 * record as it ends, the endpoint's newest. Undefined when that does not hold (no summary yet, the
 * newest run rewritten, an older run recorded late): the caller then recomputes from the runs.
 */
export function advance(s: EndpointSummary | undefined, r: RunRecord, nowIso: string): EndpointSummary | undefined {
  if (!s?.lastRun || r.runId === s.lastRun.runId || !(Date.parse(r.startedAt) >= Date.parse(s.lastRun.startedAt))) return undefined;
  const decided = DECIDED.has(r.result);
  const serving: EndpointSummary["serving"] = r.modelAfter && (r.result === "promoted" || r.result === "rolled-back")
    ? { model: r.modelAfter, runId: r.runId, ...(r.endedAt ? { since: r.endedAt } : {}), ...(r.approval?.by && r.approval.approved ? { approvedBy: r.approval.by } : {}) }
    : s.serving ?? (r.modelBefore ? { model: r.modelBefore, runId: r.runId } : undefined);
  const { lastSuccessAt, noSuccessSince } = s.health;
  return {
    ...s, endpoint: r.endpoint, ...(r.backend ? { backend: r.backend } : {}), updatedAt: nowIso, lastRun: brief(r), ...(serving ? { serving } : {}),
    health: {
      ...(decided ? { lastSuccessAt: r.endedAt ?? r.startedAt } : lastSuccessAt ? { lastSuccessAt } : {}),
      ...(!decided && !lastSuccessAt && noSuccessSince ? { noSuccessSince } : {}),
      rejectedInARow: !FINISHED_RETRAIN.has(r.result) ? s.health.rejectedInARow : r.result === "rejected" ? s.health.rejectedInARow + 1 : 0,
      runsRead: s.health.runsRead + 1,
    },
  };
}

const DAY_IN_MS = 86_400_000;

/** Days since the last success, as the health report states it (two decimals), or undefined with no runs at all. */
export function daysSinceSuccess(s: EndpointSummary, nowMs: number): number | undefined {
  const from = s.health.lastSuccessAt ?? s.health.noSuccessSince;
  if (!from) return undefined;
  const days = (nowMs - Date.parse(from)) / DAY_IN_MS;
  return Number.isFinite(days) ? Math.max(0, Math.round(days * 100) / 100) : undefined;
}
