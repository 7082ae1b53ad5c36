import { createHmac, timingSafeEqual } from "node:crypto";

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

/**
 * The notification as a CloudEvent 1.0 in structured JSON mode. The id is the run's and the
 * event's, so a receiver can drop a redelivery; links point at the app's own API (they need its
 * function key, which no message carries).
 */
export function toCloudEvent(n: Notification, appBaseUrl: string): Record<string, unknown> {
  return {
    specversion: "1.0",
    id: `${n.runId}:${n.event}`,
    source: `/retrainer/endpoints/${encodeURIComponent(n.endpoint)}`,
    type: cloudEventType(n.event),
    subject: n.runId,
    time: n.time,
    datacontenttype: "application/json",
    data: {
      runId: n.runId, endpoint: n.endpoint, event: n.event, summary: n.summary,
      ...(n.metrics ? { metrics: n.metrics } : {}), ...(n.model ? { model: n.model } : {}),
      links: links(n, appBaseUrl),
    },
  };
}

/** The run's status, and for a run awaiting approval the two decisions (POST, with the function key). */
export function links(n: Notification, appBaseUrl: string): Record<string, string> {
  const run = `${appBaseUrl}/api/retrain/${encodeURIComponent(n.instanceId)}`;
  return {
    status: run, record: `${appBaseUrl}/api/runs/${encodeURIComponent(n.runId)}`,
    ...(n.event === "awaiting-approval" ? { approve: `${run}/approve`, reject: `${run}/reject` } : {}),
  };
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
 * card names them for whoever holds it, it cannot press them.
 */
export function toCard(n: Notification, appBaseUrl: string, format: "teams" | "slack"): Record<string, unknown> {
  const title = `retrainer: ${n.endpoint} ${TITLES[n.event]}`;
  const l = links(n, appBaseUrl);
  const facts = [["run", n.runId], ...(n.model ? [["model", n.model]] : []), ...Object.entries(n.metrics ?? {}).slice(0, 6).map(([k, v]) => [k, v.toFixed(4)])];
  if (format === "slack") {
    const link = (name: string, url: string) => `<${url}|${name}>`;
    const actions = [link("status", l.status!), ...(l.approve ? [`approve: POST ${l.approve}`, `reject: POST ${l.reject!}`] : [])];
    return { text: [`*${title}*`, n.summary, facts.map(([k, v]) => `${k}: ${v}`).join(" · "), actions.join(" · ")].join("\n") };
  }
  return {
    "@type": "MessageCard", "@context": "https://schema.org/extensions", summary: title, title, themeColor: COLOURS[n.event], text: n.summary,
    sections: [{ facts: facts.map(([name, value]) => ({ name, value })) }],
    potentialAction: [
      { "@type": "OpenUri", name: "Run status", targets: [{ os: "default", uri: l.status }] },
      ...(l.approve ? [{ "@type": "OpenUri", name: "Approve (POST with the function key)", targets: [{ os: "default", uri: l.approve }] }, { "@type": "OpenUri", name: "Reject (POST with the function key)", targets: [{ os: "default", uri: l.reject }] }] : []),
    ],
  };
}
