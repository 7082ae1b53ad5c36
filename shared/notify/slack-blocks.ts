import { cardFacts, cardTitle, chatButtons } from "./card-content";
import type { ChatLinks } from "./chat-links";
import type { Notification } from "./events";
import { fitEscaped, plainText, SENTENCE_CHARS, slackText } from "../text/safe-text";

/** Slack refuses the whole message when a block's text is longer than these (https://api.slack.com/reference/block-kit/blocks). */
const HEADER_CHARS = 150;
const SECTION_CHARS = 3_000;
/** A field may hold 2,000; its name and value share them. */
const FIELD_PART_CHARS = 990;
const STYLES: Partial<Record<string, "primary" | "danger">> = { approve: "primary", reject: "danger" };

/**
 * A Slack incoming webhook's message in Block Kit (`slack`): a header (plain text: Slack parses
 * nothing in it), the summary and the facts as mrkdwn escaped by `slackText` (no mention, no
 * link but ours), and link buttons that open the console (./chat-links). `text` is the fallback
 * Slack shows in notifications and where blocks cannot be shown; it is mrkdwn too.
 */
export function toSlackBlocks(n: Notification, l: ChatLinks): Record<string, unknown> {
  const fit = (text: string, maxChars: number) => fitEscaped(slackText, text, maxChars, FIELD_PART_CHARS);
  return {
    text: `${cardTitle(n, slackText)}: ${slackText(n.summary, SENTENCE_CHARS)}`,
    blocks: [
      { type: "header", text: { type: "plain_text", text: plainText(cardTitle(n, plainText), HEADER_CHARS), emoji: false } },
      { type: "section", text: { type: "mrkdwn", text: fitEscaped(slackText, n.summary, SENTENCE_CHARS, SECTION_CHARS) } },
      { type: "section", fields: cardFacts(n, fit).map(([name, value]) => ({ type: "mrkdwn", text: `*${name}*\n${value}` })) },
      {
        type: "actions",
        elements: chatButtons(l).map((b) => ({ type: "button", action_id: b.id, text: { type: "plain_text", text: b.label, emoji: false }, url: b.url, ...(STYLES[b.id] ? { style: STYLES[b.id] } : {}) })),
      },
    ],
  };
}
