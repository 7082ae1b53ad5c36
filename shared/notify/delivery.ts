import { SIGNATURE_HEADER, sign, toCloudEvent, type Notification, type WebhookTarget } from "./events";
import { toCard } from "./cards";
import { chatLinks } from "./chat-links";
import { logSafe } from "../text/safe-text";

/** One attempt to deliver a notification to one webhook, as recorded and as the retry decides on. */
export interface DeliveryAttempt {
  readonly ok: boolean;
  /** HTTP status, or undefined when no answer came (refused, reset, timed out). */
  readonly status?: number;
  /** Whether trying again can help: an answer of 5xx, 408 or 429, or none at all. */
  readonly retryable: boolean;
  readonly error?: string;
  readonly durationInMs: number;
}

/** The webhook as records and logs show it: its origin and the start of its path, never its query or full path (chat webhook URLs are their own secret). */
export function describeTarget(url: string): string {
  const u = new URL(url);
  const first = u.pathname.split("/").filter(Boolean)[0];
  return `${u.origin}/${first ? `${first.slice(0, 20)}/…` : ""}`;
}

/** Posts a body and says with what status it was answered; the answer's body is not read. */
export type Post = (url: string, headers: Readonly<Record<string, string>>, body: string) => Promise<number>;

/** A receiver's answer is waited for this long. */
export const WEBHOOK_TIMEOUT_IN_MS = 10_000;

/**
 * fetch, with a timeout, no redirects followed (a 3xx is an answer, not a new target: the
 * configured URL is the only place a message goes), and the body discarded unread, so no
 * receiver can make the app read or hold an answer of any size.
 */
export const fetchPost: Post = async (url, headers, body) => {
  const res = await fetch(url, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_IN_MS) });
  await res.body?.cancel().catch(() => undefined);
  return res.status;
};

export interface DeliverOptions {
  /** RETRAIN_WEBHOOK_SECRET: signs CloudEvents. */
  readonly secret?: string;
  /** RETRAIN_CONSOLE_SECRET: signs the confirmation links of chat cards (./chat-links). */
  readonly consoleSecret?: string;
  readonly appBaseUrl: string;
  readonly now: () => number;
}

/**
 * Posts the notification: a CloudEvent signed with HMAC-SHA256 over the body (`secret`), or a chat
 * card whose links are made now (a new one-time link each attempt). Never throws: what happened
 * is the answer. Neither secret nor any link leaves here but in the body.
 */
export async function deliver(post: Post, target: WebhookTarget, n: Notification, o: DeliverOptions): Promise<DeliveryAttempt> {
  const cloud = target.format === "cloudevents";
  const body = JSON.stringify(cloud ? toCloudEvent(n, o.appBaseUrl) : toCard(n, chatLinks(n, o), target.format));
  const headers: Record<string, string> = { "Content-Type": cloud ? "application/cloudevents+json; charset=utf-8" : "application/json" };
  if (cloud && o.secret) headers[SIGNATURE_HEADER] = sign(o.secret, body);
  const t0 = o.now();
  try {
    const status = await post(target.url, headers, body);
    const ok = status >= 200 && status < 300;
    return { ok, status, retryable: !ok && (status >= 500 || status === 408 || status === 429), durationInMs: o.now() - t0, ...(ok ? {} : { error: `HTTP ${status}` }) };
  } catch (e) {
    // fetch's own words ("fetch failed", a timeout): never the URL, which may be a secret.
    const code = (e as { cause?: { code?: unknown } }).cause?.code;
    const cause = typeof code === "string" ? logSafe(code, 40) : undefined;
    return { ok: false, retryable: true, error: `${(e as Error).name === "TimeoutError" ? `no answer within ${WEBHOOK_TIMEOUT_IN_MS / 1000} s` : "no answer"}${cause ? ` (${cause})` : ""}`, durationInMs: o.now() - t0 };
  }
}
