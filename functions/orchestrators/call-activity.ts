import type * as df from "durable-functions";
import type { Outcome } from "../activities/outcome";
import type { ActivityInput, ActivityValue, AnyActivityName } from "../activities/signatures";
import { MAX_RETRY_AFTER_IN_MS, MAX_THROTTLE_WAITS, type RetryPolicy } from "./policies";
import { taskFailureMessage } from "./task-failure";

type Settled<T> = Exclude<Outcome<T>, { kind: "throttled" }>;

/**
 * Calls an activity with a named retry policy; its input and result types are the handler's own
 * (functions/activities/signatures.ts). A `throttled` answer is waited out with a durable
 * timer for the advertised delay, then the call is made again; an activity that still throws
 * after its retries becomes a `failed` outcome, so the run can record why it stopped.
 */
export function* callActivity<N extends AnyActivityName>(
  context: df.OrchestrationContext,
  name: N,
  policy: RetryPolicy,
  input: ActivityInput<N>,
): Generator<df.Task, Settled<ActivityValue<N>>, unknown> {
  for (let waits = 0; ; waits++) {
    const r = yield* withRetries<Outcome<ActivityValue<N>>>(context, name, policy, input);
    if (r.kind !== "throttled") return r;
    if (waits >= MAX_THROTTLE_WAITS) return { kind: "failed", reason: `${name} was still throttled after ${waits} waits: ${r.reason}` };
    const delay = Math.min(Math.max(r.retryAfterInMs, 1_000), MAX_RETRY_AFTER_IN_MS);
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + delay));
  }
}

type Failed = { readonly kind: "failed"; readonly reason: string };

/**
 * Retries an activity that throws, with durable timers between attempts, here in the
 * orchestrator rather than through `callActivityWithRetry`. On the real engine a retry window
 * (`retryTimeoutInMilliseconds`) that runs out leaves the task unsettled for ever, so the run
 * hangs Running; and after a long external-event wait the window is measured from when the wait
 * began (durable-js#629; confirmed by test/e2e/engine-divergences.test.ts). Here the window
 * starts at this call's first attempt, and running out of it or of attempts ends the call as data.
 */
function* withRetries<R>(context: df.OrchestrationContext, name: string, policy: RetryPolicy, input: unknown): Generator<df.Task, R | Failed, unknown> {
  const now = () => context.df.currentUtcDateTime.getTime();
  const started = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return (yield context.df.callActivity(name, input)) as R;
    } catch (e) {
      const elapsedInMs = now() - started;
      const delayInMs = Math.min(policy.firstIntervalInMs * policy.backoffCoefficient ** (attempt - 1), policy.maxIntervalInMs);
      if (attempt >= policy.maxAttempts || elapsedInMs + delayInMs > policy.windowInMs) {
        return { kind: "failed", reason: `${name} failed after ${attempt} attempt${attempt === 1 ? "" : "s"} in ${(elapsedInMs / 1000).toFixed(1)} s (retry window ${policy.windowInMs / 1000} s): ${taskFailureMessage(e)}` };
      }
      yield context.df.createTimer(new Date(now() + delayInMs));
    }
  }
}
