import type * as df from "durable-functions";
import { RETRAIN_ORCHESTRATOR } from "./retrain-orchestrator";
import type { EndpointOutcome, FanOutInput, RetrainInput, RunStatus } from "./run-input";

export const FAN_OUT_ORCHESTRATOR = "retrainAllOrchestrator";

/** Child instance ids are the endpoints' singleton ids, so a tick never runs beside an ad-hoc run. */
export const childInstanceId = (endpoint: string) => `retrain-${endpoint.toLowerCase()}`;

/**
 * A scheduled tick: one retraining sub-orchestration per endpoint, in batches of `maxParallel`.
 * Children report failure as a result, so one endpoint's failure does not stop the others; the
 * parent's output lists every endpoint's outcome.
 */
export function* retrainAllOrchestrator(context: df.OrchestrationContext): Generator<df.Task, unknown, unknown> {
  const input = context.df.getInput<FanOutInput>();
  const outcomes: EndpointOutcome[] = [];
  for (let i = 0; i < input.runs.length; i += input.maxParallel) {
    const batch: RetrainInput[] = input.runs.slice(i, i + input.maxParallel).map((r) => ({ ...r, reportFailureAsResult: true }));
    context.df.setCustomStatus({ done: outcomes.length, total: input.runs.length, running: batch.map((r) => r.endpoint) });
    const tasks = batch.map((r) => context.df.callSubOrchestrator(RETRAIN_ORCHESTRATOR, r, childInstanceId(r.endpoint)));
    try {
      yield context.df.Task.all(tasks);
    } catch {
      // A child that could not even start (e.g. an ad-hoc run holds its instance) fails Task.all
      // at once; the others of the batch are reported from what their tasks know.
    }
    batch.forEach((r, k) => {
      const t = tasks[k]!;
      if (t.isCompleted && !t.isFaulted) {
        const s = t.result as RunStatus;
        outcomes.push({ endpoint: r.endpoint, runId: r.runId, result: s.result ?? "unknown", ...(s.reason ? { reason: s.reason } : {}) });
      } else {
        const why = t.isFaulted ? (t.result as Error).message : "still running when its batch gave up waiting";
        outcomes.push({ endpoint: r.endpoint, runId: r.runId, result: t.isFaulted ? "failed" : "unknown", reason: why });
      }
    });
  }
  context.df.setCustomStatus({ done: outcomes.length, total: input.runs.length, running: [] });
  return { endpoints: outcomes };
}
