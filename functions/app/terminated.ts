import * as df from "durable-functions";
import type { BesClient } from "../../shared/backends/classic/bes-client";
import type { RunHistoryClient } from "../../shared/history/run-history";
import type { RunRecord } from "../../shared/history/run-record";
import type { Telemetry } from "../../shared/telemetry/telemetry";
import type { StartLock } from "../../shared/storage/start-lock";
import { formatGateRules, type GateRule } from "../../shared/evaluation/gate";
import { describeSource } from "../activities/run-record";
import { pollInstanceId } from "../orchestrators/instance-ids";
import type { RunStatus } from "../orchestrators/run-input";
import { ACTIVE, statusOrUndefined } from "./instances";
import type { AzureMlDependencies } from "../activities/azureml/dependencies";
import { settleShift } from "./azureml-settle";

/** What starting a run over an endpoint's instance needs: the lock, and what settling the ended one takes. */
export interface SettleDependencies {
  readonly startLock: StartLock;
  readonly bes: Pick<BesClient, "cancelJob">;
  readonly azureml?: Pick<AzureMlDependencies, "jobs" | "online">;
  readonly history: Pick<RunHistoryClient, "get" | "upsert">;
  readonly telemetry: Telemetry;
}

/** Stages in which the run's job may still be queued or training at the service. */
const JOB_MAY_RUN: ReadonlySet<string> = new Set(["starting", "training"]);
/** Stages after which the endpoint may already serve the new model. */
const ENDPOINT_MAY_HAVE_CHANGED: ReadonlySet<string> = new Set(["promoting", "verifying"]);
const ENDED_RECORD: ReadonlySet<string> = new Set(["promoted", "rejected", "dry-run", "failed", "rolled-back", "skipped", "data-rejected", "terminated"]);

/**
 * What a run ended by Durable's terminate leaves behind, settled: no orchestrator code runs on
 * terminate, and ending a parent does not end its children. So the run's job may still train
 * (and bill), its poller (a sub-orchestration) still polls, and no record says what happened.
 * Called before the endpoint's instance id is used again (the next start, by HTTP or the tick)
 * and by `POST /api/retrain/{id}/cancel`: ends the poller, cancels the job if it may still run,
 * records the run "terminated" with what was done, and tells operators (RetrainFailed). A run
 * whose record already shows an end is left alone, so settling twice does nothing more.
 * Returns what was done, or undefined when there was nothing to settle.
 */
export async function settleTerminated(client: df.DurableClient, d: SettleDependencies, status: df.DurableOrchestrationStatus): Promise<string | undefined> {
  if (status.runtimeStatus !== df.OrchestrationRuntimeStatus.Terminated) return undefined;
  const input = (status.input ?? {}) as { runId?: unknown; endpoint?: unknown; backend?: unknown; to?: { backend?: unknown }; trigger?: RunRecord["trigger"]; dataSource?: unknown; gate?: GateRule[] };
  if (typeof input.runId !== "string" || typeof input.endpoint !== "string") return undefined;
  const recorded = await d.history.get(input.runId);
  if (recorded && ENDED_RECORD.has(recorded.result)) return undefined;

  const custom = (status.customStatus ?? {}) as Partial<RunStatus>;
  // A retraining run names its backend; a rollback, its target's. Absent: classic.
  const v2 = input.backend === "azureml" || input.to?.backend === "azureml";
  const azureml = () => {
    if (!d.azureml) throw new Error("Azure ML (v2) is not configured (AZUREML_WORKSPACE_ID)");
    return d.azureml;
  };
  const stage = custom.stage ?? "staging";
  const done: string[] = [];
  if (custom.jobId) {
    const pollerId = pollInstanceId(status.instanceId, custom.jobId);
    const poller = await statusOrUndefined(client, pollerId);
    if (poller && ACTIVE.has(poller.runtimeStatus)) {
      await client.terminate(pollerId, `its run ${input.runId} was terminated`);
      done.push(`its job poller ${pollerId} was ended`);
    }
    if (JOB_MAY_RUN.has(stage)) {
      try {
        if (v2) await azureml().jobs.cancel(custom.jobId);
        else await d.bes.cancelJob(custom.jobId);
        done.push(`training job ${custom.jobId} was cancelled`);
      } catch (e) {
        done.push(`cancelling training job ${custom.jobId} failed (${(e as Error).message}); cancel it at the service`);
      }
    }
  }
  if (v2 && custom.shift) {
    try {
      done.push(await settleShift(azureml(), input.endpoint, custom.shift));
    } catch (e) {
      done.push(`it was moving traffic from ${custom.shift.from} to ${custom.shift.to} and settling that failed (${(e as Error).message}): check endpoint ${input.endpoint} at the service`);
    }
  } else if (ENDPOINT_MAY_HAVE_CHANGED.has(stage)) done.push(`it was ${stage}, so endpoint ${input.endpoint} may serve the new model unverified: check it, or roll back with POST /api/endpoints/${input.endpoint}/rollback`);
  const why = typeof status.output === "string" && status.output !== "" ? `: ${status.output.slice(0, 300)}` : "";
  const reason = `terminated while ${stage}${why}; ${done.length > 0 ? done.join("; ") : "nothing was left running"}`;
  const record: RunRecord = {
    runId: input.runId,
    endpoint: input.endpoint,
    ...(v2 ? { backend: "azureml" as const } : {}),
    instanceId: status.instanceId,
    trigger: input.trigger ?? { kind: "http" },
    dataSource: typeof input.dataSource === "string" ? describeSource(input.dataSource) : "unknown",
    ...(custom.jobId ? { jobId: custom.jobId } : {}),
    gateRules: Array.isArray(input.gate) ? formatGateRules(input.gate) : "",
    result: "terminated",
    reason,
    durationsInSeconds: {},
    startedAt: new Date(status.createdTime).toISOString(),
    endedAt: new Date(status.lastUpdatedTime).toISOString(),
  };
  await d.history.upsert(record);
  d.telemetry.event("RetrainFailed", { runId: input.runId, endpoint: input.endpoint, result: "terminated", reason, ...(custom.jobId ? { jobId: custom.jobId } : {}) });
  return reason;
}
