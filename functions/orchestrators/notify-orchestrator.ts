import type * as df from "durable-functions";
import { NOTIFY_ACTIVITY } from "../activities/names";
import type { Notification } from "../../shared/notify/events";
import { callActivity } from "./call-activity";
import { NOTIFY_RETRY_MULTIPLIERS, RETRY } from "./policies";

export const NOTIFY_ORCHESTRATOR = "notifyOrchestrator";

export interface NotifyInput {
  readonly notification: Notification;
  /** The webhook's position in the endpoint's list. */
  readonly webhook: number;
  /** The first retry's delay; later ones are NOTIFY_RETRY_MULTIPLIERS of it. */
  readonly firstRetryInSeconds: number;
}

/**
 * Tells one webhook about one moment of a run, apart from the run: attempts with durable timers
 * between them (by default 10 s, 1 min, 5 min, 15 min and 1 h after the first), until one is
 * answered 2xx, an answer says trying again cannot help (4xx other than 408/429), or the attempts
 * run out. Every attempt is recorded by the activity; the run never waits for any of this.
 */
export function* notifyOrchestrator(context: df.OrchestrationContext): Generator<df.Task, unknown, unknown> {
  const input = context.df.getInput<NotifyInput>();
  const attempts = NOTIFY_RETRY_MULTIPLIERS.length + 1;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const r = yield* callActivity(context, NOTIFY_ACTIVITY.deliver, RETRY.record, { notification: input.notification, webhook: input.webhook, attempt, last: attempt === attempts });
    if (r.kind === "ok" && (r.value.ok || !r.value.retryable)) return { delivered: r.value.ok, attempts: attempt };
    if (attempt === attempts) break;
    const delayInMs = input.firstRetryInSeconds * NOTIFY_RETRY_MULTIPLIERS[attempt - 1]! * 1000;
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + delayInMs));
  }
  return { delivered: false, attempts };
}
