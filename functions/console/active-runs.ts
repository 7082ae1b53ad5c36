import * as df from "durable-functions";
import { RETRAIN_ORCHESTRATOR } from "../orchestrators/retrain-orchestrator";
import { ROLLBACK_ORCHESTRATOR } from "../orchestrators/rollback-orchestrator";
import { formatGateRules } from "../../shared/evaluation/gate";
import type { RetrainInput, RunStatus } from "../orchestrators/run-input";
import type { RunRecord, RunRecordResult } from "../../shared/history/run-record";
import { withCanonicalMetricNames } from "../../shared/history/canonical-record";

/** A run in progress, as its orchestration shows it: the history records a run when it ends. */
export interface ActiveRun {
  readonly instanceId: string;
  readonly runId: string;
  readonly endpoint: string;
  readonly runtimeStatus: string;
  readonly createdTime: string;
  readonly lastUpdatedTime: string;
  readonly custom: Partial<RunStatus>;
  readonly input: Partial<RetrainInput>;
}

const RUN_ORCHESTRATORS: ReadonlySet<string> = new Set([RETRAIN_ORCHESTRATOR, ROLLBACK_ORCHESTRATOR]);

/**
 * Every run in progress: one query of the task hub's instances (Running and Pending), whatever
 * the number of endpoints or of runs recorded. Pollers, ticks and deliveries are left out.
 */
export async function activeRuns(client: df.DurableClient): Promise<ActiveRun[]> {
  const all = await client.getStatusBy({ runtimeStatus: [df.OrchestrationRuntimeStatus.Running, df.OrchestrationRuntimeStatus.Pending] });
  return all.flatMap((s): ActiveRun[] => {
    const input = (s.input ?? {}) as Partial<RetrainInput>;
    const custom: Partial<RunStatus> = s.customStatus ?? {};
    // A run's custom status names it too, should a list come back without inputs.
    const runId = input.runId ?? custom.runId, endpoint = input.endpoint ?? custom.endpoint;
    if (!RUN_ORCHESTRATORS.has(s.name) || typeof runId !== "string" || typeof endpoint !== "string") return [];
    return [{
      instanceId: s.instanceId, runId, endpoint, runtimeStatus: s.runtimeStatus,
      createdTime: new Date(s.createdTime).toISOString(), lastUpdatedTime: new Date(s.lastUpdatedTime).toISOString(), custom, input,
    }];
  });
}

/**
 * A run not yet recorded, shown as a record would show it from what its orchestration knows so far
 * (a run started before the metric vocabulary carries `AUC` keys: read as a stored record is).
 */
export function provisionalRecord(a: ActiveRun): RunRecord {
  const c = a.custom;
  const result: RunRecordResult = c.stage === "awaiting-approval" ? "awaiting-approval" : "running";
  let gateRules = "";
  try {
    gateRules = a.input.gate ? formatGateRules(a.input.gate) : "";
  } catch {
    gateRules = "";
  }
  return withCanonicalMetricNames({
    runId: a.runId, endpoint: a.endpoint, ...(a.input.backend ? { backend: a.input.backend } : {}), instanceId: a.instanceId,
    trigger: a.input.trigger ?? { kind: "http" }, dataSource: a.input.dataSource ?? "", ...(c.staged ? { dataBytes: c.staged.bytes } : {}),
    ...(c.jobId ? { jobId: c.jobId } : {}), ...(c.metrics ? { metrics: c.metrics } : {}), ...(c.championMetrics ? { championMetrics: c.championMetrics } : {}),
    gateRules, ...(c.decision ? { decision: { passed: c.decision.passed, reasons: c.decision.reasons, comparedWithChampion: c.decision.comparedWithChampion ?? false } } : {}),
    result, ...(c.approval?.deadline ? { approval: { deadline: c.approval.deadline } } : {}), durationsInSeconds: {}, startedAt: a.createdTime,
  });
}
