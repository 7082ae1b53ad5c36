import type * as df from "durable-functions";
import type { Outcome } from "../activities/outcome";
import { MAX_RETRY_AFTER_IN_MS, MAX_THROTTLE_WAITS } from "./policies";

type Settled<T> = Exclude<Outcome<T>, { kind: "throttled" }>;

/**
 * Calls an activity with a named retry policy. A `throttled` answer is waited out with a durable
 * timer for the advertised delay, then the call is made again; an activity that still throws
 * after its retries becomes a `failed` outcome, so the run can record why it stopped.
 */
export function* callActivity<T>(
  context: df.OrchestrationContext,
  name: string,
  policy: df.RetryOptions,
  input: unknown,
): Generator<df.Task, Settled<T>, unknown> {
  for (let waits = 0; ; waits++) {
    let r: Outcome<T>;
    try {
      r = (yield context.df.callActivityWithRetry(name, policy, input)) as Outcome<T>;
    } catch (e) {
      return { kind: "failed", reason: `${name} failed after retries: ${(e as Error).message}` };
    }
    if (r.kind !== "throttled") return r;
    if (waits >= MAX_THROTTLE_WAITS) return { kind: "failed", reason: `${name} was still throttled after ${waits} waits: ${r.reason}` };
    const delay = Math.min(Math.max(r.retryAfterInMs, 1_000), MAX_RETRY_AFTER_IN_MS);
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + delay));
  }
}
