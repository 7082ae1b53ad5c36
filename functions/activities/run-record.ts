import type * as C from "./contracts";
import type { RunRecord } from "../../shared/history/run-record";
import { describeDataSource, parseDataSource } from "../../shared/storage/data-source";
import { withCanonicalMetricNames } from "../../shared/history/canonical-record";

/**
 * The audit record of a finished run, from what the orchestrator knows at the end; under canonical
 * metric names even for a run that began before them (its evaluation said `AUC`).
 */
export function toRunRecord(i: C.RecordInput): RunRecord {
  return withCanonicalMetricNames({
    runId: i.runId,
    endpoint: i.endpoint,
    ...(i.backend ? { backend: i.backend } : {}),
    instanceId: i.instanceId,
    trigger: i.trigger,
    // A rollback trains nothing: its "data source" is already a description.
    dataSource: i.result === "rolled-back" ? i.dataSource : describeSource(i.dataSource),
    ...(i.staged ? { dataBytes: i.staged.bytes } : {}),
    // The profile read the staged bytes, so it has the sha256 even of a server-side copy.
    ...(i.profile?.sha256 ?? i.staged?.sha256 ? { dataSha256: i.profile?.sha256 ?? i.staged?.sha256 } : {}),
    ...(i.profile ? { profile: i.profile } : {}),
    ...(i.profileReference ? { profileReference: i.profileReference } : {}),
    ...(i.jobId ? { jobId: i.jobId } : {}),
    ...(i.metrics ? { metrics: i.metrics } : {}),
    ...(i.championMetrics ? { championMetrics: i.championMetrics } : {}),
    gateRules: i.gateRules,
    ...(i.decision ? { decision: i.decision } : {}),
    result: i.result,
    ...(i.reason ? { reason: i.reason } : {}),
    ...(i.previous ? { modelBefore: i.previous } : {}),
    ...(i.location ? { modelAfter: i.location } : {}),
    ...(i.archived ? { archivedModel: i.archived } : {}),
    ...(i.approval ? { approval: i.approval } : {}),
    ...(i.rollout ? { rollout: i.rollout } : {}),
    durationsInSeconds: i.durationsInSeconds,
    startedAt: i.startedAt,
    endedAt: i.endedAt,
  });
}

/** Never a URL's query (a SAS would end up in the audit trail). */
export function describeSource(source: string): string {
  try {
    return describeDataSource(parseDataSource(source, "/"));
  } catch {
    return source.split("?")[0]!;
  }
}
