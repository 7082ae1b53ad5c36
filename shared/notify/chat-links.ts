import { newLinkId, signLinkToken, type LinkDecision } from "../console/link-token";
import { consoleRunUrl, type Notification } from "./events";

/** Where a chat message's buttons go: pages of the operator console, each one click away. */
export interface ChatLinks {
  /** The run's page. */
  readonly run: string;
  /** Awaiting approval only: the page that confirms each decision (or the run's page, without a console secret). */
  readonly approve?: string;
  readonly reject?: string;
}

/**
 * A longer run id is no run's: the history keeps none (its keys hold 256 characters), so no page
 * could show it, and three links carrying it percent-encoded would pass a chat's message limit.
 */
const MAX_LINKED_RUN_ID_CHARS = 256;

/** A confirmation link whose notification names no deadline lives this long. */
export const DEFAULT_LINK_LIFETIME_IN_MS = 7 * 24 * 3_600_000;

export interface ChatLinkOptions {
  readonly appBaseUrl: string;
  /** RETRAIN_CONSOLE_SECRET: signs the confirmation links. */
  readonly consoleSecret?: string;
  readonly now: () => number;
}

/**
 * The links of one message, made when it is delivered (an activity): each confirmation link has
 * a fresh random id and is signed with the console's secret, neither of which may enter an
 * orchestration's history. With the secret, a decision's button opens
 * `/api/console/confirm?token=…`, bound to the run, its instance and endpoint, the decision, and
 * an expiry at the run's approval deadline; opening it changes nothing, the page's POST confirms.
 * Without the secret it opens the run's page, where a signed-in person decides. A run id too long
 * to be a run's opens the console's overview instead.
 */
export function chatLinks(n: Notification, o: ChatLinkOptions): ChatLinks {
  const run = n.runId.length <= MAX_LINKED_RUN_ID_CHARS ? consoleRunUrl(o.appBaseUrl, n.runId) : `${o.appBaseUrl}/api/console`;
  if (n.event !== "awaiting-approval") return { run };
  const secret = o.consoleSecret;
  const decide = (decision: LinkDecision) => (secret ? confirmUrl(secret, n, decision, o) ?? run : run);
  return { run, approve: decide("approve"), reject: decide("reject") };
}

function confirmUrl(secret: string, n: Notification, decision: LinkDecision, o: ChatLinkOptions): string | undefined {
  const deadline = n.approvalDeadline === undefined ? Number.NaN : Date.parse(n.approvalDeadline);
  const expiresAtInMs = Number.isFinite(deadline) ? deadline : o.now() + DEFAULT_LINK_LIFETIME_IN_MS;
  try {
    // Rounded up: the link lives at least as long as the run waits.
    const token = signLinkToken(secret, { runId: n.runId, instanceId: n.instanceId, endpoint: n.endpoint, decision, expiresAt: Math.ceil(expiresAtInMs / 1000), id: newLinkId() });
    return `${o.appBaseUrl}/api/console/confirm?token=${encodeURIComponent(token)}`;
  } catch (e) {
    // Names too long for a link (ours are short): the run's page decides as well.
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}
