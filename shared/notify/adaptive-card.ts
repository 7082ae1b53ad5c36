import { cardFacts, cardTitle, chatButtons } from "./card-content";
import type { ChatLinks } from "./chat-links";
import type { Notification, NotificationEvent } from "./events";
import { adaptiveText, SENTENCE_CHARS } from "../text/safe-text";

/** The title's colour, from the Adaptive Card palette the host themes. */
const COLOURS: Record<NotificationEvent, "Good" | "Warning" | "Attention" | "Accent" | "Default"> = {
  promoted: "Good", rejected: "Warning", "data-rejected": "Warning", skipped: "Default", failed: "Attention", "awaiting-approval": "Accent", "rolled-back": "Warning",
};
const STYLES: Partial<Record<string, "positive" | "destructive">> = { approve: "positive", reject: "destructive" };

/**
 * The body a Teams Workflows webhook ("Post to a channel when a webhook request is received")
 * takes (`teams-workflow`): a message with one Adaptive Card 1.4 attachment, which the flow
 * posts as it is. Title, summary and a FactSet of the run, model and scores, each outside text
 * through `adaptiveText`; `Action.OpenUrl` buttons open the console (./chat-links).
 */
export function toAdaptiveCard(n: Notification, l: ChatLinks): Record<string, unknown> {
  const content = {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json", type: "AdaptiveCard", version: "1.4", msteams: { width: "Full" },
    body: [
      { type: "TextBlock", text: cardTitle(n, adaptiveText), weight: "Bolder", size: "Medium", color: COLOURS[n.event], wrap: true },
      { type: "TextBlock", text: adaptiveText(n.summary, SENTENCE_CHARS), wrap: true },
      { type: "FactSet", facts: cardFacts(n, adaptiveText).map(([title, value]) => ({ title, value })) },
    ],
    actions: chatButtons(l).map((b) => ({ type: "Action.OpenUrl", title: b.label, url: b.url, ...(STYLES[b.id] ? { style: STYLES[b.id] } : {}) })),
  };
  return { type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content }] };
}
