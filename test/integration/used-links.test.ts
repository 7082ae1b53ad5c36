import { beforeAll, describe, expect, inject, it } from "vitest";
import { RunHistoryClient } from "../../shared/history/run-history";
import { isRunHistoryError, type RunHistoryError } from "../../shared/history/history-error";
import { LINK_PARTITION, UsedLinks, type LinkUse } from "../../shared/console/used-links";
import { newLinkId } from "../../shared/console/link-token";

/** A confirmation link's one-time id, claimed in the run-history table on Azurite's Table service. */
const unique = () => `links${Date.now()}${Math.floor(Math.random() * 1e6)}`;
let history: RunHistoryClient;
let links: UsedLinks;

beforeAll(async () => {
  history = RunHistoryClient.fromConnectionString(inject("azuriteConnectionString"), unique());
  await history.init();
  links = new UsedLinks(history.table);
});

const use = (by: string, at = "2026-12-03T10:30:00.000Z"): LinkUse => ({ runId: "retrain-20261203T101010Z-abc123", decision: "approve", by, at });

async function refusal(p: Promise<unknown>): Promise<RunHistoryError> {
  const e: unknown = await p.then(() => undefined, (x: unknown) => x);
  if (!isRunHistoryError(e)) throw new Error(`expected a RunHistoryError, got ${String(e)}`);
  return e;
}

describe("UsedLinks: a confirmation link is used once", () => {
  it("the first claim wins; a later one is told who used it and when", async () => {
    const id = newLinkId();
    expect(await links.claim(id, use("ana@contoso.com"))).toEqual({ claimed: true });
    expect(await links.claim(id, use("mallory@contoso.com", "2026-12-03T11:00:00.000Z"))).toEqual({ claimed: false, usedAt: "2026-12-03T10:30:00.000Z", by: "ana@contoso.com" });
    // the row is in the store's own partition, with what the run record will say
    expect(await history.table.getEntity(LINK_PARTITION, id)).toMatchObject({ runId: "retrain-20261203T101010Z-abc123", decision: "approve", by: "ana@contoso.com" });
    // and is never listed as a run
    expect((await history.list()).runs).toEqual([]);
  });

  it("twenty claims at once: exactly one wins, and every other names that one", async () => {
    const id = newLinkId();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => links.claim(id, use(`person-${i}`))));
    const winners = results.map((r, i) => [r, i] as const).filter(([r]) => r.claimed);
    expect(winners).toHaveLength(1);
    const winner = `person-${winners[0]![1]}`;
    expect(results.filter((r) => !r.claimed)).toEqual(Array.from({ length: 19 }, () => ({ claimed: false, usedAt: "2026-12-03T10:30:00.000Z", by: winner })));
  });

  it("each link is its own: claiming one leaves another unused", async () => {
    const [a, b] = [newLinkId(), newLinkId()];
    expect(await links.claim(a, use("ana"))).toEqual({ claimed: true });
    expect(await links.claim(b, use("ana"))).toEqual({ claimed: true });
  });

  it("refuses before any request what is not a link id, a run id or a name", async () => {
    for (const id of ["", "short", "a/b".repeat(8), `${newLinkId()}x`, "AAAAAAAAAAAAAAAAAAAAA?"]) {
      expect(await refusal(links.claim(id, use("ana")))).toMatchObject({ code: "InvalidArgument", retryable: false });
    }
    expect((await refusal(links.claim(newLinkId(), { ...use("ana"), runId: "a#b" }))).code).toBe("InvalidArgument");
    expect((await refusal(links.claim(newLinkId(), use("")))).code).toBe("InvalidArgument");
    expect((await refusal(links.claim(newLinkId(), use("x".repeat(301))))).code).toBe("InvalidArgument");
  });

  it("a Table error is the run history's, classified: a missing table is not 'already used'", async () => {
    const missing = new UsedLinks(RunHistoryClient.fromConnectionString(inject("azuriteConnectionString"), unique()).table); // no init()
    const e = await refusal(missing.claim(newLinkId(), use("ana")));
    expect(e).toMatchObject({ name: "RunHistoryError", operation: "claimLink", code: "TableNotFound", statusCode: 404, retryable: false });
  });
});
