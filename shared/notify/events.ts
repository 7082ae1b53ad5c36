import { createHmac, timingSafeEqual } from "node:crypto";
import { NAME_CHARS, plainText, SENTENCE_CHARS } from "../text/safe-text";
import { canonicalMetrics } from "../evaluation/vocabulary";

/** What a run can tell people about, as the webhooks name it. */
export const NOTIFICATION_EVENTS = ["promoted", "rejected", "data-rejected", "skipped", "failed", "awaiting-approval", "rolled-back"] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/**
 * How a webhook wants its message: a signed CloudEvent, or a card a chat shows (./cards): `teams`
 * an Office 365 connector's MessageCard (retired upstream, still accepted), `teams-workflow` an
 * Adaptive Card for a Teams Workflows webhook, `slack` Block Kit for a Slack incoming webhook.
 */
export const WEBHOOK_FORMATS = ["cloudevents", "teams", "teams-workflow", "slack"] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export interface WebhookTarget {
  readonly url: string;
  /** Only these events; every event when absent. */
  readonly events?: readonly NotificationEvent[];
  readonly format: WebhookFormat;
}

/** One notification about one run, fixed when the run reaches the moment it tells of (orchestration time). */
export interface Notification {
  readonly runId: string;
  readonly endpoint: string;
  /** The run's Durable instance: the approve/reject/status links name it. */
  readonly instanceId: string;
  readonly event: NotificationEvent;
  readonly time: string;
  /** One line: what happened and why (the run's reason). */
  readonly summary: string;
  readonly metrics?: Readonly<Record<string, number>>;
  readonly model?: string;
  /** Awaiting approval: until when the run waits (ISO 8601), which is when its confirmation links expire. */
  readonly approvalDeadline?: string;
}

/** The CloudEvents `type` of each event. */
export const cloudEventType = (e: NotificationEvent) => `com.retrainer.run.${e}`;

/** A message carries at most this many metrics (an evaluation has about ten); a card shows fewer. */
const MAX_METRICS = 50;

/**
 * The notification as a CloudEvent 1.0 in structured JSON mode. The id is the run's and the
 * event's, so a receiver can drop a redelivery; links point at the app's own API (they need its
 * function key, which no message carries) and at the run's console page.
 */
export function toCloudEvent(n: Notification, appBaseUrl: string): Record<string, unknown> {
  // JSON needs no escaping, but what came from outside is still made printable, one line and bounded:
  // receivers put it into their own logs, tickets and chats.
  const runId = plainText(n.runId, NAME_CHARS), endpoint = plainText(n.endpoint, NAME_CHARS);
  // Canonical names also for a run that began before them (its metrics still say "AUC").
  const metrics = n.metrics && Object.fromEntries(Object.entries(canonicalMetrics(n.metrics)).filter(([, v]) => Number.isFinite(v)).slice(0, MAX_METRICS).map(([k, v]) => [plainText(k, NAME_CHARS), v]));
  return {
    specversion: "1.0",
    id: `${runId}:${n.event}`,
    source: `/retrainer/endpoints/${encodeURIComponent(endpoint)}`,
    type: cloudEventType(n.event),
    subject: runId,
    time: n.time,
    datacontenttype: "application/json",
    data: {
      runId, endpoint, event: n.event, summary: plainText(n.summary, SENTENCE_CHARS),
      ...(metrics ? { metrics } : {}), ...(n.model ? { model: plainText(n.model, SENTENCE_CHARS) } : {}),
      links: links(n, appBaseUrl),
    },
  };
}

/**
 * The run's status, its record, its page in the console, and for a run awaiting approval the two
 * decisions (POST, with the function key). Every link names the run (`runId`): a decision made
 * from this message lands on this run or is refused, never on a later run of the same endpoint
 * that waits when the link is used.
 */
export function links(n: Notification, appBaseUrl: string): Record<string, string> {
  return {
    ...runLinks(appBaseUrl, n.instanceId, n.runId, n.event === "awaiting-approval" ? ["approve", "reject"] : []),
    record: `${appBaseUrl}/api/runs/${encodeURIComponent(n.runId)}`, console: consoleRunUrl(appBaseUrl, n.runId),
  };
}

/** The run's page in the operator console, where a signed-in person sees it and decides. */
export const consoleRunUrl = (appBaseUrl: string, runId: string): string => `${appBaseUrl}/api/console/runs/${encodeURIComponent(runId)}`;

/** The actions a person can take on one run, each bound to it by its id. */
export type RunAction = "approve" | "reject" | "cancel";

/** The status link of a run's instance and the given actions' links, each carrying the run id. */
export function runLinks(appBaseUrl: string, instanceId: string, runId: string, actions: readonly RunAction[]): Record<string, string> {
  const run = `${appBaseUrl}/api/retrain/${encodeURIComponent(instanceId)}`;
  const bound = `?runId=${encodeURIComponent(runId)}`;
  return { status: run, ...Object.fromEntries(actions.map((a) => [a, `${run}/${a}${bound}`])) };
}

/** The header that carries the signature: `sha256=` and the HMAC-SHA256 of the exact body bytes, hex. */
export const SIGNATURE_HEADER = "X-Retrainer-Signature";

export const sign = (secret: string, body: string): string => `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;

/** What a receiver does: recompute over the bytes it got, compare in constant time. */
export function verify(secret: string, body: string, header: string | undefined): boolean {
  if (!header) return false;
  const want = Buffer.from(sign(secret, body));
  const got = Buffer.from(header);
  return want.length === got.length && timingSafeEqual(want, got);
}
