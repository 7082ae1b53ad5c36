import type * as df from "durable-functions";
import { NOTIFY_ACTIVITY } from "../activities/names";
import type { NotificationEvent } from "../../shared/notify/events";
import type { RunResult } from "./run-input";
import { callActivity } from "./call-activity";
import { RETRY } from "./policies";
import { plainText, SENTENCE_CHARS } from "../../shared/text/safe-text";

/** The notification each end of a run is; a dry run tells nobody. */
export const EVENT_OF_RESULT: Readonly<Record<RunResult, NotificationEvent | undefined>> = {
  promoted: "promoted", rejected: "rejected", "data-rejected": "data-rejected", skipped: "skipped", failed: "failed", "rolled-back": "rolled-back", "dry-run": undefined,
};

export interface NotifyDetails {
  readonly summary: string;
  readonly metrics?: Readonly<Record<string, number>>;
  readonly model?: string;
  /** Awaiting approval: until when the run waits (ISO 8601); the messages' confirmation links expire then. */
  readonly approvalDeadline?: string;
}

/**
 * Hands one moment of a run to the webhooks (functions/activities/notify.ts starts a delivery
 * orchestration per webhook and returns): the run goes on at once, and whatever happens to the
 * start or the deliveries is theirs, never the run's. Only runs started with `notify` (webhooks
 * configured when they started) call it, so runs in flight from before replay as they ran.
 */
export function* notify(context: df.OrchestrationContext, run: { readonly runId: string; readonly endpoint: string; readonly notify?: true }, event: NotificationEvent | undefined, d: NotifyDetails): Generator<df.Task, void, unknown> {
  if (!run.notify || !event) return;
  // A summary quotes what came from outside (column names, label values, file names, comments): it is
  // made one printable line and cut (a card shows a line or two, the run record has the whole
  // reason), here and again where each message is rendered and escaped (shared/notify/cards.ts).
  const summary = plainText(d.summary, SENTENCE_CHARS);
  // Non-finite scores fail closed everywhere else; here they are left out, since JSON cannot carry them.
  const metrics = d.metrics ? Object.fromEntries(Object.entries(d.metrics).filter(([, v]) => Number.isFinite(v))) : undefined;
  yield* callActivity(context, NOTIFY_ACTIVITY.start, RETRY.record, {
    runId: run.runId, endpoint: run.endpoint, instanceId: context.df.instanceId, event, time: context.df.currentUtcDateTime.toISOString(), summary,
    ...(metrics && Object.keys(metrics).length ? { metrics } : {}), ...(d.model ? { model: plainText(d.model, SENTENCE_CHARS) } : {}),
    // Optional and new: a run started before it replays the same activity, only its input lacks it.
    ...(d.approvalDeadline ? { approvalDeadline: d.approvalDeadline } : {}),
  });
}
