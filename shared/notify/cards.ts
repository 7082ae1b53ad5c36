import { toAdaptiveCard } from "./adaptive-card";
import type { ChatLinks } from "./chat-links";
import type { Notification, WebhookFormat } from "./events";
import { toMessageCard } from "./message-card";
import { toSlackBlocks } from "./slack-blocks";

export type ChatFormat = Exclude<WebhookFormat, "cloudevents">;

/**
 * The message a chat webhook shows as it is. Only the product's own words and links go in as
 * markup: the endpoint, run, model and metric names and the summary (a reason that quotes column
 * names, label values, file names, comments) are escaped for the format, so a column named
 * `<!channel> <https://evil.example|Approve>` is shown, not obeyed.
 */
export function toCard(n: Notification, l: ChatLinks, format: ChatFormat): Record<string, unknown> {
  switch (format) {
    case "teams": return toMessageCard(n, l);
    case "teams-workflow": return toAdaptiveCard(n, l);
    case "slack": return toSlackBlocks(n, l);
  }
}
