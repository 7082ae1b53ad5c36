import type * as df from "durable-functions";
import { AZUREML_ACTIVITY } from "../activities/names";
import type * as C from "../activities/contracts";
import type { AsyncOperation } from "../../shared/backends/azureml/async-operation";
import { callActivity } from "./call-activity";
import { OPERATION_POLL, RETRY } from "./policies";

type Started = { readonly kind: "ok"; readonly value: AsyncOperation } | { readonly kind: "failed"; readonly reason: string };

/**
 * Follows the v2 service's long-running operations (deployment, traffic, delete) with durable
 * timers, each bounded by `timeoutInMinutes`, counting the polls for the run record (and deletes a
 * deployment that way). Shared by the
 * rollout and the manual rollback so both wait the same way.
 */
export function operationFollower(context: df.OrchestrationContext, ref: C.RunRef, timeoutInMinutes: number) {
  const now = () => context.df.currentUtcDateTime.getTime();
  let polls = 0;
  /** The reason the operation failed or ran out of time, or undefined once it succeeded. */
  function* settled(what: string, started: Started): Generator<df.Task, string | undefined, unknown> {
    if (started.kind === "failed") return `${what} failed: ${started.reason}`;
    const op = started.value;
    if (op.done) return undefined;
    const deadline = now() + timeoutInMinutes * 60_000;
    let delay = op.retryAfterInMs ?? OPERATION_POLL.firstIntervalInMs;
    for (;;) {
      if (now() >= deadline) return `${what} did not finish within ${timeoutInMinutes} minutes`;
      yield context.df.createTimer(new Date(Math.min(now() + Math.min(Math.max(delay, OPERATION_POLL.minIntervalInMs), OPERATION_POLL.maxIntervalInMs), deadline)));
      const s = yield* callActivity(context, AZUREML_ACTIVITY.pollOperation, RETRY.amlCall, { ...ref, what, operation: op });
      polls++;
      if (s.kind === "failed") return `${what}: following its operation failed: ${s.reason}`;
      if (s.value.state === "succeeded") return undefined;
      if (s.value.state === "failed") return `${what}: ${s.value.reason}`;
      delay = s.value.retryAfterInMs ?? delay * OPERATION_POLL.backoffFactor;
    }
  }
  /** Deletes a deployment and follows the delete; the reason it failed, or undefined once it is gone. */
  function* remove(deployment: string, what = `deleting deployment ${deployment}`): Generator<df.Task, string | undefined, unknown> {
    return yield* settled(what, yield* callActivity(context, AZUREML_ACTIVITY.deleteDeployment, RETRY.amlCall, { ...ref, deployment }));
  }
  return { settled, remove, polls: () => polls };
}

/**
 * Puts all live traffic back on `old` and, when `remove` is set, deletes `added`. The sentence
 * says how that went, loudly when traffic could not be moved (the endpoint may then be split).
 */
export function* putTrafficBack(
  context: df.OrchestrationContext,
  ref: C.RunRef,
  ops: ReturnType<typeof operationFollower>,
  old: string,
  added: string,
  remove: boolean,
): Generator<df.Task, string, unknown> {
  const back = yield* ops.settled(`putting traffic back on ${old}`, yield* callActivity(context, AZUREML_ACTIVITY.setTraffic, RETRY.amlCall, { ...ref, traffic: { [old]: 100 }, mirrorTraffic: {} }));
  if (back) return `TRAFFIC COULD NOT BE PUT BACK (${back}); the endpoint may be split; deployment ${added} was kept (traffic could not be moved off it)`;
  if (!remove) return `all traffic is back on ${old}; deployment ${added} was kept`;
  const removed = (yield* ops.remove(added)) ?? "was removed";
  return `all traffic is back on ${old}; deployment ${added} ${removed}`;
}
