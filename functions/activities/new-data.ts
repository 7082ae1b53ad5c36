import type * as df from "durable-functions";
import type * as C from "./contracts";
import { NEW_DATA_ACTIVITY } from "./names";
import { toOutcome } from "./outcome";
import { startIfIdle, type RunOptions } from "../triggers/start-run";
import { statusOrUndefined } from "../app/instances";
import { instanceIdFor } from "../orchestrators/instance-ids";
import type { RetrainInput } from "../orchestrators/run-input";
import type { SettleDependencies } from "../app/terminated";
import { take, type PendingData } from "../../shared/storage/pending-data";
import type { RunTrigger } from "../../shared/history/run-record";

export interface NewDataDependencies extends SettleDependencies {
  readonly pending: PendingData;
}

/**
 * The new-data watcher's hands (functions/orchestrators/new-data-orchestrator.ts): read the
 * endpoint's waiting data, start a run on its latest blob under the endpoint's singleton id, and
 * release the data once nothing waits. `buildRun` makes the run's input from settings and history,
 * as the HTTP trigger does.
 */
export function newDataActivities(client: df.DurableClient, d: NewDataDependencies, buildRun: (o: RunOptions) => Promise<RetrainInput>) {
  return {
    [NEW_DATA_ACTIVITY.read]: (i: C.NewDataRef) =>
      toOutcome<C.PendingView>(async () => {
        const s = await d.pending.read(i.endpoint);
        return { seq: s.seq, takenSeq: s.takenSeq, waiting: s.waiting, ...(s.latest ? { latest: s.latest.source } : {}), ...(s.watcher ? { watcher: s.watcher } : {}) };
      }),

    [NEW_DATA_ACTIVITY.startRun]: (i: C.NewDataRef) =>
      toOutcome<C.PendingRunStart>(async () => {
        const s = await d.pending.read(i.endpoint);
        if (s.seq === s.takenSeq || !s.latest) return { started: false, nothing: true };
        const trigger: RunTrigger = { kind: "data", arrivals: s.waiting, watcher: i.watcher, seq: s.seq };
        const run = await buildRun({ endpoint: i.endpoint, dataSource: s.latest.source, trigger });
        let o = await startIfIdle(client, d, run);
        let runId = run.runId;
        if (!o.started) {
          // A retried attempt whose first one got through finds its own run there (same watcher, same arrival).
          const now = await statusOrUndefined(client, instanceIdFor(i.endpoint));
          const theirs = (now?.input as { runId?: string; trigger?: RunTrigger } | undefined);
          if (theirs?.trigger?.watcher !== i.watcher || theirs.trigger.seq !== s.seq || !theirs.runId) {
            return { started: false, nothing: false, instanceId: o.instanceId, runtimeStatus: o.runtimeStatus };
          }
          runId = theirs.runId;
          o = { started: true, instanceId: o.instanceId, runId };
        }
        // The run took arrival s.seq; whatever landed after it still waits (the follow-up).
        await d.pending.update(i.endpoint, (now) => ({ state: take(now, s.seq), value: undefined }));
        d.telemetry.event("RetrainStarted", { runId, endpoint: i.endpoint, trigger: "data", dataSource: s.latest.source, arrivals: String(s.waiting) });
        return { started: true, runId, source: s.latest.source, arrivals: s.waiting };
      }),

    [NEW_DATA_ACTIVITY.close]: (i: C.CloseWatcherInput) =>
      toOutcome<{ closed: boolean }>(async () => {
        const closed = await d.pending.update(i.endpoint, (s) => {
          if (s.watcher !== i.watcher) return { value: true }; // replaced already: nothing here is this watcher's
          if (s.seq > s.takenSeq && !i.giveUp) return { value: false };
          const { watcher: _released, ...rest } = s;
          return { state: rest, value: true };
        });
        if (closed && i.giveUp) d.telemetry.event("NewDataWaiting", { endpoint: i.endpoint, watcher: i.watcher, reason: i.giveUp });
        return { closed };
      }),
  };
}
