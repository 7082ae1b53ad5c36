import type * as df from "durable-functions";
import { TICK_ACTIVITY } from "../activities/names";
import type * as C from "../activities/contracts";
import { instanceIdFor } from "./instance-ids";
import { callActivity } from "./call-activity";
import { RETRY, TICK_CHECKS_PER_WINDOW, TICK_RUN_WAIT_MARGIN_MINUTES } from "./policies";
import type { EndpointOutcome, FanOutInput, RetrainInput, TickRun } from "./run-input";

export const FAN_OUT_ORCHESTRATOR = "retrainAllOrchestrator";

/**
 * A scheduled tick: one run per endpoint, at most `maxParallel` at once, as a sliding window: the
 * next endpoint starts as soon as a running one is seen to end, so a slow endpoint holds one slot,
 * never the others. The output lists every endpoint in input order.
 *
 * Each run is a top-level instance under the endpoint's singleton id, started by an activity
 * through the durable client, not a sub-orchestration: the extension refuses to start an id whose
 * instance is active, whereas a sub-orchestration with that id starts a new execution over an
 * ad-hoc run in progress (seen on the real engine). An endpoint whose run is already going is
 * reported `skipped`. Runs are watched with a durable timer and a status read every
 * `checkIntervalInSeconds`; with no children, the tick can continue as new to keep its history short.
 */
export function* retrainAllOrchestrator(context: df.OrchestrationContext): Generator<df.Task, unknown, unknown> {
  const input = context.df.getInput<FanOutInput>();
  const { runs } = input;
  const window = Math.max(1, input.maxParallel);
  const outcomes: (EndpointOutcome | null)[] = input.progress ? [...input.progress.outcomes] : runs.map(() => null);
  let running: TickRun[] = input.progress ? [...input.progress.running] : [];
  let next = input.progress?.next ?? 0;
  const now = () => context.df.currentUtcDateTime.getTime();
  const settle = (index: number, result: EndpointOutcome["result"], reason?: string) => {
    const r = runs[index]!;
    outcomes[index] = { endpoint: r.endpoint, runId: r.runId, result, ...(reason ? { reason } : {}) };
  };

  for (let checks = 0; ; checks++) {
    while (next < runs.length && running.length < window) {
      const index = next++;
      const run = runs[index]!;
      const instanceId = instanceIdFor(run.endpoint);
      const r = yield* callActivity(context, TICK_ACTIVITY.startRun, RETRY.record, { instanceId, run } satisfies C.StartRunInput);
      if (r.kind === "failed") settle(index, "failed", `the run could not be started: ${r.reason}`);
      else if (!r.value.started) settle(index, "skipped", `a run of endpoint ${run.endpoint} is already ${r.value.runtimeStatus} (instance ${instanceId})`);
      else running.push({ index, instanceId, runId: run.runId, giveUpAtMs: now() + maxWaitInMs(run) });
    }
    context.df.setCustomStatus({ done: outcomes.filter((o) => o !== null).length, total: runs.length, running: running.map((w) => runs[w.index]!.endpoint) });
    if (running.length === 0) break;
    if (checks >= TICK_CHECKS_PER_WINDOW) {
      context.df.continueAsNew({ ...input, progress: { next, running, outcomes } } satisfies FanOutInput);
      return undefined;
    }

    yield context.df.createTimer(new Date(now() + input.checkIntervalInSeconds * 1000));
    const states = yield* callActivity(context, TICK_ACTIVITY.checkRuns, RETRY.record, running.map(({ instanceId, runId }) => ({ instanceId, runId })) satisfies C.WatchedRun[]);
    // A failed check is tried again at the next interval; the give-up bound below still holds.
    const ended = new Map(states.kind === "ok" ? states.value.filter((s) => s.ended).map((s) => [s.runId, s]) : []);
    running = running.filter((w) => {
      const s = ended.get(w.runId);
      if (s?.ended) settle(w.index, s.result, s.reason);
      else if (now() >= w.giveUpAtMs) settle(w.index, "unknown", `still running after ${Math.round(maxWaitInMs(runs[w.index]!) / 60_000)} min; the tick stopped waiting for it (the run goes on and records its own outcome)`);
      else return true;
      return false;
    });
  }
  return { endpoints: outcomes };
}

/** The longest a run can take by its own bounds (job deadline, approval wait), plus a margin. */
function maxWaitInMs(run: RetrainInput): number {
  return (run.polling.deadlineInMinutes + (run.approval?.timeoutInHours ?? 0) * 60 + TICK_RUN_WAIT_MARGIN_MINUTES) * 60_000;
}
