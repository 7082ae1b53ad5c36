import * as df from "durable-functions";
import type * as C from "./contracts";
import { TICK_ACTIVITY } from "./names";
import { toOutcome } from "./outcome";
import { ACTIVE, runIdOf, startUnlessActive, statusOrUndefined } from "../app/instances";
import { RETRAIN_ORCHESTRATOR } from "../orchestrators/retrain-orchestrator";
import type { RunStatus } from "../orchestrators/run-input";
import { settleTerminated, type SettleDependencies } from "../app/terminated";

/**
 * The scheduled tick's hands: start an endpoint's run as a top-level instance under the same
 * singleton id an ad-hoc run takes (the extension refuses an id whose instance is active, so a
 * tick can never start over an ad-hoc run or the other way round), and read how watched runs
 * are doing. A sub-orchestration would not do: DTFx starts a new execution over a running
 * instance with the child's id (test/e2e/host-runs.test.ts shows it on the real engine).
 */
export function tickActivities(client: df.DurableClient, d: SettleDependencies) {
  return {
    [TICK_ACTIVITY.startRun]: (i: C.StartRunInput) =>
      toOutcome<C.StartRunResult>(async () => {
        const o = await startUnlessActive(client, d.startLock, i.instanceId, i.run.runId, RETRAIN_ORCHESTRATOR, i.run, (previous) => settleTerminated(client, d, previous));
        if (o.started) {
          d.telemetry.event("RetrainStarted", { runId: i.run.runId, endpoint: i.run.endpoint, trigger: "schedule" });
          return { started: true };
        }
        // A retried start whose first attempt got through finds its own run there.
        const now = await statusOrUndefined(client, i.instanceId);
        return now && runIdOf(now) === i.run.runId ? { started: true } : { started: false, runtimeStatus: o.runtimeStatus };
      }),

    [TICK_ACTIVITY.checkRuns]: (runs: readonly C.WatchedRun[]) =>
      toOutcome<C.RunState[]>(() => Promise.all(runs.map((w) => stateOf(client, w)))),
  };
}

async function stateOf(client: df.DurableClient, w: C.WatchedRun): Promise<C.RunState> {
  const s = await statusOrUndefined(client, w.instanceId);
  if (!s) return { runId: w.runId, ended: true, result: "unknown", reason: `its instance ${w.instanceId} no longer exists (purged?)` };
  // Once a run ends, the next run of the endpoint may take the instance before we look.
  if (runIdOf(s) !== w.runId) return { runId: w.runId, ended: true, result: "unknown", reason: `it ended and instance ${w.instanceId} now holds run ${String(runIdOf(s))}; its run record has the outcome` };
  if (ACTIVE.has(s.runtimeStatus)) return { runId: w.runId, ended: false };
  const custom = (s.customStatus ?? {}) as Partial<RunStatus>;
  if (s.runtimeStatus === df.OrchestrationRuntimeStatus.Completed) {
    const out = (s.output ?? {}) as Partial<RunStatus>;
    return { runId: w.runId, ended: true, result: out.result ?? "unknown", ...(out.reason ? { reason: out.reason } : {}) };
  }
  const reason = s.runtimeStatus === df.OrchestrationRuntimeStatus.Failed ? (custom.reason ?? String(s.output)) : `the run was ${s.runtimeStatus.toLowerCase()}`;
  return { runId: w.runId, ended: true, result: "failed", reason };
}
