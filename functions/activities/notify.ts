import type * as df from "durable-functions";
import { NOTIFY_ACTIVITY } from "./names";
import { toOutcome } from "./outcome";
import { statusOrUndefined } from "../app/instances";
import { notifyInstanceId } from "../orchestrators/instance-ids";
import { NOTIFY_ORCHESTRATOR, type NotifyInput } from "../orchestrators/notify-orchestrator";
import { deliver, describeTarget, type Post } from "../../shared/notify/delivery";
import type { Notification, WebhookTarget } from "../../shared/notify/events";
import type { DeliveryRecord, RunHistoryClient } from "../../shared/history/run-history";
import type { Telemetry } from "../../shared/telemetry/telemetry";
import { logSafe } from "../../shared/text/safe-text";

export interface NotifyDependencies {
  readonly history: Pick<RunHistoryClient, "recordDelivery">;
  readonly telemetry: Telemetry;
  /** The endpoint's webhooks, global ones first (settings), read when used: never carried in an orchestration's input. */
  readonly targets: (endpoint: string) => readonly WebhookTarget[];
  /** RETRAIN_WEBHOOK_SECRET: signs CloudEvents. */
  readonly secret?: string;
  /** RETRAIN_CONSOLE_SECRET: signs the one-time confirmation links chat cards carry; without it their buttons open the run's page. */
  readonly consoleSecret?: string;
  /** Where the app's own API is, for the links a message carries. */
  readonly appBaseUrl: () => string;
  readonly firstRetryInSeconds: number;
  readonly post: Post;
  readonly now: () => number;
}

export interface DeliverInput {
  readonly notification: Notification;
  readonly webhook: number;
  readonly attempt: number;
  /** No attempt follows this one: an undelivered message is recorded as given up. */
  readonly last: boolean;
}

/**
 * A run's notifications, kept off the run's path: `start` only starts one delivery orchestration
 * per webhook that wants the event (functions/orchestrators/notify-orchestrator.ts) and returns;
 * `deliver` makes one attempt and records it, whatever the answer.
 */
export function notifyActivities(client: df.DurableClient, d: NotifyDependencies) {
  return {
    [NOTIFY_ACTIVITY.start]: (n: Notification) =>
      toOutcome<{ webhooks: number }>(async () => {
        const wanted = d.targets(n.endpoint).map((t, i) => ({ t, i })).filter(({ t }) => !t.events || t.events.includes(n.event));
        for (const { i } of wanted) {
          const instanceId = notifyInstanceId(n.runId, n.event, i);
          // A retried start finds its deliveries going already.
          if (await statusOrUndefined(client, instanceId)) continue;
          await client.startNew(NOTIFY_ORCHESTRATOR, { instanceId, input: { notification: n, webhook: i, firstRetryInSeconds: d.firstRetryInSeconds } satisfies NotifyInput });
        }
        return { webhooks: wanted.length };
      }),

    [NOTIFY_ACTIVITY.deliver]: (i: DeliverInput) =>
      toOutcome<{ ok: boolean; retryable: boolean }>(async () => {
        const target = d.targets(i.notification.endpoint)[i.webhook];
        const attempt = target
          ? await deliver(d.post, target, i.notification, { ...(d.secret ? { secret: d.secret } : {}), ...(d.consoleSecret ? { consoleSecret: d.consoleSecret } : {}), appBaseUrl: d.appBaseUrl(), now: d.now })
          : { ok: false, retryable: false, error: "the webhook is no longer configured", durationInMs: 0 };
        const gaveUp = !attempt.ok && (i.last || !attempt.retryable);
        const record: DeliveryRecord = {
          runId: i.notification.runId, event: i.notification.event, webhook: i.webhook, target: target ? describeTarget(target.url) : "(removed)", format: target?.format ?? "?",
          attempt: i.attempt, at: new Date(d.now()).toISOString(), ok: attempt.ok, durationInMs: attempt.durationInMs,
          ...(attempt.status !== undefined ? { status: attempt.status } : {}), ...(attempt.error ? { error: attempt.error } : {}), ...(gaveUp ? { gaveUp } : {}),
        };
        await d.history.recordDelivery(record);
        if (attempt.ok || gaveUp) {
          d.telemetry.event(attempt.ok ? "NotificationDelivered" : "NotificationFailed", {
            runId: logSafe(record.runId), endpoint: logSafe(i.notification.endpoint), event: record.event, target: record.target, attempt: String(record.attempt), ...(record.error ? { error: record.error } : {}),
          });
        }
        return { ok: attempt.ok, retryable: attempt.retryable };
      }),
  };
}
