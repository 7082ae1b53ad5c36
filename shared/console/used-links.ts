import type { TableClient } from "@azure/data-tables";
import { classifyTableError, invalidArgument, tableErrorCode } from "../history/history-error";
import { checkKey } from "../history/keys";
import { isLinkId, type LinkDecision } from "./link-token";

/**
 * The one-time ids of confirmation links (./link-token) that have been used, in the run-history
 * table: PartitionKey "~link", RowKey = the link's id, with the run, the decision, who confirmed
 * it and when. "~" keeps the partition apart from every endpoint's (../history/keys). A row is
 * only ever created, never replaced or deleted, so the first claim is the only one.
 */
export const LINK_PARTITION = "~link";

/** Who confirms is recorded as the run records an approver (functions/orchestrators/approval.ts). */
const MAX_BY_CHARS = 300;

export interface LinkUse {
  readonly runId: string;
  readonly decision: LinkDecision;
  readonly by: string;
  /** ISO 8601. */
  readonly at: string;
}

export type LinkClaim = { readonly claimed: true } | { readonly claimed: false; readonly usedAt: string; readonly by: string };

export class UsedLinks {
  /** The run history's table (`RunHistoryClient.table`), created by its `init`. */
  constructor(private readonly table: TableClient) {}

  /**
   * Claims the link for this use: `createEntity` fails with 409 when the id is already there, so
   * of any number of claims at once exactly one wins, and the others learn who won and when.
   */
  async claim(id: string, use: LinkUse): Promise<LinkClaim> {
    if (!isLinkId(id)) throw invalidArgument("claimLink", "Used links: a link id is 16 bytes in base64url (22 characters).");
    checkKey("claimLink", "runId", use.runId);
    if (typeof use.by !== "string" || use.by.length === 0 || use.by.length > MAX_BY_CHARS) throw invalidArgument("claimLink", `Used links: "by" must name who confirmed, in 1 to ${MAX_BY_CHARS} characters.`);
    try {
      await this.table.createEntity({ partitionKey: LINK_PARTITION, rowKey: id, runId: use.runId, decision: use.decision, by: use.by, at: use.at });
      return { claimed: true };
    } catch (e) {
      if (tableErrorCode(e).code !== "EntityAlreadyExists") throw classifyTableError("claimLink", e);
    }
    try {
      const first = await this.table.getEntity<{ by: string; at: string }>(LINK_PARTITION, id);
      return { claimed: false, usedAt: first.at, by: first.by };
    } catch (e) {
      throw classifyTableError("claimLink", e);
    }
  }
}
