import { cardFacts, cardTitle, chatButtons } from "./card-content";
import type { ChatLinks } from "./chat-links";
import type { Notification, NotificationEvent } from "./events";
import { SENTENCE_CHARS, teamsText } from "../text/safe-text";

const COLOURS: Record<NotificationEvent, string> = {
  promoted: "2E7D32", rejected: "F9A825", "data-rejected": "EF6C00", skipped: "757575", failed: "C62828", "awaiting-approval": "1565C0", "rolled-back": "6A1B9A",
};

/**
 * A MessageCard for a Teams Office 365 connector (`teams`): retired upstream in favour of
 * Workflows (./adaptive-card), still accepted where a connector exists. It renders Markdown and
 * some HTML, so every outside text goes through `teamsText`; its OpenUri actions open the
 * console (./chat-links), one click each.
 */
export function toMessageCard(n: Notification, l: ChatLinks): Record<string, unknown> {
  const title = cardTitle(n, teamsText);
  return {
    "@type": "MessageCard", "@context": "https://schema.org/extensions", summary: title, title, themeColor: COLOURS[n.event], text: teamsText(n.summary, SENTENCE_CHARS),
    sections: [{ facts: cardFacts(n, teamsText).map(([name, value]) => ({ name, value })) }],
    potentialAction: chatButtons(l).map((b) => ({ "@type": "OpenUri", name: b.label, targets: [{ os: "default", uri: b.url }] })),
  };
}
