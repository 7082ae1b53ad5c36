import type * as df from "durable-functions";
import { RETRAIN_ORCHESTRATOR } from "./retrain-orchestrator";
import type { EndpointOutcome, FanOutInput, RetrainInput, RunStatus } from "./run-input";

export const FAN_OUT_ORCHESTRATOR = "retrainAllOrchestrator";

/** Child instance ids are the endpoints' singleton ids, so a tick never runs beside an ad-hoc run. */
export const childInstanceId = (endpoint: string) => `retrain-${endpoint.toLowerCase()}`;

/**
 * A scheduled tick: one retraining sub-orchestration per endpoint, at most `maxParallel` at once,
 * as a sliding window: the next endpoint starts as soon as any running one ends, so a slow
 * endpoint holds one slot, never the others. Children report failure as a result, so one
 * endpoint's failure does not stop the others; the output lists every endpoint in input order.
 *
 * One instance for the whole tick (no continue-as-new): a child's end is delivered to the
 * execution that started it, so continuing as new with children still running would lose them.
 * The history grows by ~4 events per endpoint (see bench/fan-out.ts for what that costs).
 */
export function* retrainAllOrchestrator(context: df.OrchestrationContext): Generator<df.Task, unknown, unknown> {
  const input = context.df.getInput<FanOutInput>();
  const runs: RetrainInput[] = input.runs.map((r) => ({ ...r, reportFailureAsResult: true }));
  const outcomes: EndpointOutcome[] = new Array<EndpointOutcome>(runs.length);
  const window = Math.max(1, input.maxParallel);
  /** Input index → its child's task; a Map keeps insertion order, so every replay sees the same order. */
  const running = new Map<number, df.Task>();
  let next = 0;
  let done = 0;
  while (next < runs.length || running.size > 0) {
    const fresh: df.Task[] = [];
    for (; next < runs.length && running.size < window; next++) {
      const r = runs[next]!;
      const task = context.df.callSubOrchestrator(RETRAIN_ORCHESTRATOR, r, childInstanceId(r.endpoint));
      running.set(next, task);
      fresh.push(task);
    }
    context.df.setCustomStatus({ done, total: runs.length, running: [...running.keys()].map((k) => runs[k]!.endpoint) });
    try {
      // New children are scheduled by being yielded (in one Task.any with the running ones, to wake
      // on whichever ends first). With none new, nothing is left to start, so the order in which the
      // rest are collected changes nothing: wait for the oldest.
      yield fresh.length > 0 ? anyOf(context, [...running.values()]) : running.values().next().value!;
    } catch {
      // The oldest child could not start or failed: it is collected below like any other.
    }
    for (const [k, task] of running) {
      if (!task.isCompleted && !task.isFaulted) continue;
      running.delete(k);
      outcomes[k] = outcomeOf(runs[k]!, task);
      done++;
    }
  }
  context.df.setCustomStatus({ done, total: runs.length, running: [] });
  return { endpoints: outcomes };
}

function outcomeOf(r: RetrainInput, task: df.Task): EndpointOutcome {
  // A child that could not even start (e.g. an ad-hoc run holds its instance) is faulted.
  if (task.isFaulted) return { endpoint: r.endpoint, runId: r.runId, result: "failed", reason: (task.result as Error).message };
  const s = task.result as RunStatus;
  return { endpoint: r.endpoint, runId: r.runId, result: s.result ?? "unknown", ...(s.reason ? { reason: s.reason } : {}) };
}

/** The library's task internals this relies on (durable-functions ~3.5, pinned in package.json). */
interface ScheduledTask {
  readonly alreadyScheduled?: boolean;
  readonly actionObj?: unknown;
}

/**
 * `Task.any` over tasks some of which an earlier `Task.any` already scheduled. The library (3.x,
 * legacy out-of-process protocol) sends every child's action again with each new `Task.any`, and
 * the extension schedules each as new work: children started twice, sequence numbers out of step
 * (Azure/azure-functions-durable-js#574; the local host reproduces it). So the compound's action
 * keeps only the children not yet scheduled, as that issue proposes for the SDK; waiting still
 * covers all of them. Deterministic: which tasks were scheduled is replayed identically.
 */
function anyOf(context: df.OrchestrationContext, tasks: df.Task[]): df.Task {
  const any = context.df.Task.any(tasks);
  const action = (any as unknown as ScheduledTask).actionObj as { compoundActions?: unknown[] } | undefined;
  if (action && Array.isArray(action.compoundActions)) {
    action.compoundActions = (tasks as unknown as ScheduledTask[]).filter((t) => !t.alreadyScheduled).map((t) => t.actionObj);
  }
  return any;
}
