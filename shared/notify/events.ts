import { createHmac, timingSafeEqual } from "node:crypto";
import { metricText, NAME_CHARS, plainText, SENTENCE_CHARS, slackText, teamsText } from "../text/safe-text";

/** What a run can tell people about, as the webhooks name it. */
export const NOTIFICATION_EVENTS = ["promoted", "rejected", "data-rejected", "skipped", "failed", "awaiting-approval", "rolled-back"] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/** How a webhook wants its message: a signed CloudEvent, or a card a chat's incoming webhook shows. */
export const WEBHOOK_FORMATS = ["cloudevents", "teams", "slack"] as const;
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
}

/** The CloudEvents `type` of each event. */
export const cloudEventType = (e: NotificationEvent) => `com.retrainer.run.${e}`;

/** A message carries at most this many metrics (an evaluation has about ten); a card shows fewer. */
const MAX_METRICS = 50;
const MAX_CARD_METRICS = 6;

/**
 * The notification as a CloudEvent 1.0 in structured JSON mode. The id is the run's and the
 * event's, so a receiver can drop a redelivery; links point at the app's own API (they need its
 * function key, which no message carries).
 */
export function toCloudEvent(n: Notification, appBaseUrl: string): Record<string, unknown> {
  // JSON needs no escaping, but what came from outside is still made printable, one line and bounded:
  // receivers put it into their own logs, tickets and chats.
  const runId = plainText(n.runId, NAME_CHARS), endpoint = plainText(n.endpoint, NAME_CHARS);
  const metrics = n.metrics && Object.fromEntries(Object.entries(n.metrics).filter(([, v]) => Number.isFinite(v)).slice(0, MAX_METRICS).map(([k, v]) => [plainText(k, NAME_CHARS), v]));
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
 * The run's status, and for a run awaiting approval the two decisions (POST, with the function
 * key). Every link names the run (`runId`): a decision made from this message lands on this run
 * or is refused, never on a later run of the same endpoint that waits when the link is used.
 */
export function links(n: Notification, appBaseUrl: string): Record<string, string> {
  return { ...runLinks(appBaseUrl, n.instanceId, n.runId, n.event === "awaiting-approval" ? ["approve", "reject"] : []), record: `${appBaseUrl}/api/runs/${encodeURIComponent(n.runId)}` };
}

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

const TITLES: Record<NotificationEvent, string> = {
  promoted: "promoted a new model", rejected: "kept the serving model (the new one did not pass)", "data-rejected": "refused its training data",
  skipped: "skipped: the data had not changed", failed: "failed", "awaiting-approval": "is waiting for approval", "rolled-back": "rolled back",
};
const COLOURS: Record<NotificationEvent, string> = {
  promoted: "2E7D32", rejected: "F9A825", "data-rejected": "EF6C00", skipped: "757575", failed: "C62828", "awaiting-approval": "1565C0", "rolled-back": "6A1B9A",
};

/**
 * A message a Teams incoming webhook (MessageCard) or a Slack incoming webhook (`text` with
 * mrkdwn links) shows as is. Approval links are POST endpoints that need the function key: the
 * card names them for whoever holds it, it cannot press them. Only the product's own words and
 * links go in as markup: the endpoint, run, model and metric names and the summary (a reason that
 * quotes column names, label values, file names, comments) are escaped for the format, so a
 * column named `<!channel> <https://evil.example|Approve>` is shown, not obeyed.
 */
export function toCard(n: Notification, appBaseUrl: string, format: "teams" | "slack"): Record<string, unknown> {
  const text = format === "slack" ? slackText : teamsText;
  const title = `retrainer: ${text(n.endpoint, NAME_CHARS)} ${TITLES[n.event]}`;
  const summary = text(n.summary, SENTENCE_CHARS);
  const l = links(n, appBaseUrl);
  const facts = [
    ["run", text(n.runId, NAME_CHARS)], ...(n.model ? [["model", text(n.model, NAME_CHARS)]] : []),
    ...Object.entries(n.metrics ?? {}).slice(0, MAX_CARD_METRICS).map(([k, v]) => [text(k, NAME_CHARS), metricText(v)]),
  ];
  if (format === "slack") {
    const link = (name: string, url: string) => `<${url}|${name}>`;
    const actions = [link("status", l.status!), ...(l.approve ? [`approve: POST ${l.approve}`, `reject: POST ${l.reject!}`] : [])];
    return { text: [`*${title}*`, summary, facts.map(([k, v]) => `${k}: ${v}`).join(" · "), actions.join(" · ")].join("\n") };
  }
  return {
    "@type": "MessageCard", "@context": "https://schema.org/extensions", summary: title, title, themeColor: COLOURS[n.event], text: summary,
    sections: [{ facts: facts.map(([name, value]) => ({ name, value })) }],
    potentialAction: [
      { "@type": "OpenUri", name: "Run status", targets: [{ os: "default", uri: l.status }] },
      ...(l.approve ? [{ "@type": "OpenUri", name: "Approve (POST with the function key)", targets: [{ os: "default", uri: l.approve }] }, { "@type": "OpenUri", name: "Reject (POST with the function key)", targets: [{ os: "default", uri: l.reject }] }] : []),
    ],
  };
}
