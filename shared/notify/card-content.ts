import type { ChatLinks } from "./chat-links";
import type { Notification, NotificationEvent } from "./events";
import { metricText, NAME_CHARS } from "../text/safe-text";
import { canonicalMetrics } from "../evaluation/vocabulary";

/** Escapes outside text for one chat format, cut to `maxChars` first (../text/safe-text). */
export type Escape = (text: string, maxChars: number) => string;

/** A card shows at most this many metrics (an evaluation has about ten; the run's page has them all). */
const MAX_CARD_METRICS = 6;

const TITLES: Record<NotificationEvent, string> = {
  promoted: "promoted a new model", rejected: "kept the serving model (the new one did not pass)", "data-rejected": "refused its training data",
  skipped: "skipped: the data had not changed", failed: "failed", "awaiting-approval": "is waiting for approval", "rolled-back": "rolled back",
};

/** The card's title: the endpoint, escaped, and the product's own words for what happened. */
export const cardTitle = (n: Notification, escape: Escape): string => `retrainer: ${escape(n.endpoint, NAME_CHARS)} ${TITLES[n.event]}`;

/** Name and value of each fact a card lists: the run, the model, the first scores; every part escaped. */
export function cardFacts(n: Notification, escape: Escape): [string, string][] {
  return [
    ["run", escape(n.runId, NAME_CHARS)], ...(n.model ? [["model", escape(n.model, NAME_CHARS)] as [string, string]] : []),
    // Under canonical names also for a run that began before them (its metrics still say "AUC").
    ...Object.entries(canonicalMetrics(n.metrics ?? {})).slice(0, MAX_CARD_METRICS).map(([k, v]): [string, string] => [escape(k, NAME_CHARS), metricText(v)]),
  ];
}

export interface ChatButton {
  readonly id: "approve" | "reject" | "open-run";
  readonly label: string;
  readonly url: string;
}

/** The buttons every format shows, in this order: the decisions a run awaits, then its page. */
export function chatButtons(l: ChatLinks): ChatButton[] {
  return [
    ...(l.approve ? [{ id: "approve", label: "Review and approve", url: l.approve } as const] : []),
    ...(l.reject ? [{ id: "reject", label: "Review and reject", url: l.reject } as const] : []),
    { id: "open-run", label: "Open run", url: l.run },
  ];
}
