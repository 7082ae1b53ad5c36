import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import { waitFor, world } from "./world";

/**
 * Issue 26, item 1, as an approver holding an old link, and as whoever can raise events through
 * Durable's own API: every run of an endpoint reuses the instance `retrain-{endpoint}`, so a
 * decision that named only the instance landed on whichever run waited when it was used. Now a
 * decision names its run: the route refuses it for another run (409, both named), and the run
 * itself ignores, and records, any decision that is not for it. On both engines.
 */
let p: HostedPipeline;
const ID = "retrain-retrain";

beforeAll(async () => {
  p = await startHostedPipeline({ speed: 200 });
}, 60_000);
afterAll(() => p.stop());

type Status = { runtimeStatus: string; runId: string; stage: string; result?: string; reason?: string; links?: Record<string, string>; approval?: { by?: string; ignored?: { runId?: string; by?: string; problem: string }[] } };
const status = async () => (await p.call("GET", `/api/retrain/${ID}`)).body as Status;
/** A link as the product hands it out: path and query, posted with the function key. */
const post = (link: string, body: unknown = {}) => {
  const u = new URL(link);
  return p.call("POST", `${u.pathname}${u.search}`, body);
};
const served = async () => (await world(p)).endpoints;

async function awaiting(): Promise<{ runId: string; links: Record<string, string> }> {
  const started = await p.call("POST", "/api/retrain", { requireApproval: true, force: true });
  expect(started.status).toBe(202);
  const body = started.body as { runId: string; links: Record<string, string> };
  await waitFor(async () => (await status()).stage, "awaiting-approval");
  return body;
}

describe("a decision lands on the run that was reviewed, or nowhere", () => {
  it("run A's approve link, used while run B waits, is refused naming both runs; B waits on, unchanged", async () => {
    const a = await awaiting();
    // Every link handed out names the run: the 202's, and the status's.
    expect(a.links).toEqual({
      status: `${p.host.url}/api/retrain/${ID}`,
      approve: `${p.host.url}/api/retrain/${ID}/approve?runId=${a.runId}`,
      reject: `${p.host.url}/api/retrain/${ID}/reject?runId=${a.runId}`,
      cancel: `${p.host.url}/api/retrain/${ID}/cancel?runId=${a.runId}`,
    });
    expect((await status()).links).toEqual(a.links);
    expect((await post(a.links.reject!, { comment: "not this one" })).status).toBe(202);
    expect((await p.engine.waitUntilEnded(ID)).customStatus).toMatchObject({ runId: a.runId, result: "rejected" });

    const b = await awaiting();
    expect(b.runId).not.toBe(a.runId);
    const before = await served();
    const stale = await post(a.links.approve!, { comment: "approving what I saw in the e-mail" });
    expect([stale.status, stale.body]).toEqual([409, {
      error: `Run ${a.runId} is not the run on instance ${ID}: run ${b.runId} is (awaiting approval). A decision applies only to the run it names; nothing was changed.`,
      runId: a.runId, currentRunId: b.runId,
    }]);
    const staleCancel = await post(a.links.cancel!);
    expect([staleCancel.status, (staleCancel.body as { error: string }).error]).toEqual([409, `Run ${a.runId} is not the run on instance ${ID}: run ${b.runId} is (Running). A cancel applies only to the run it names; nothing was changed.`]);
    const unnamed = await p.call("POST", `/api/retrain/${ID}/approve`, {});
    expect([unnamed.status, (unnamed.body as { error: string }).error]).toEqual([400, expect.stringMatching(/^"runId" is required: name the run you mean to approve/)]);
    const disagree = await p.call("POST", `/api/retrain/${ID}/approve?runId=${b.runId}`, { runId: a.runId });
    expect(disagree.status).toBe(400);
    expect(await status()).toMatchObject({ runtimeStatus: "Running", runId: b.runId, stage: "awaiting-approval" });
    expect(await served()).toEqual(before);

    // The decision for B, from B's own link, is taken.
    expect((await post((await status()).links!.approve!, { comment: "checked" })).status).toBe(202);
    expect((await p.engine.waitUntilEnded(ID)).customStatus).toMatchObject({ runId: b.runId, result: "promoted", approval: { approved: true, comment: "checked" } });
  });

  it("decisions raised straight through Durable's API for another run, for no run, or unreadable are ignored and recorded; the run's own decision is taken", async () => {
    const a = (await status()).runId;
    const b = await awaiting();
    const before = await served();
    const raise = (data: unknown) => p.call("POST", `/runtime/webhooks/durabletask/instances/${ID}/raiseEvent/ApprovalDecision?code=${encodeURIComponent(p.systemKey)}`, data, null, { "Content-Type": "application/json" });
    for (const forged of [{ approved: true, by: "mallory", runId: a }, { approved: true, by: "an old script" }, { approved: "yes", by: "x", runId: b.runId }]) {
      expect((await raise(forged)).status).toBe(202);
    }
    await waitFor(async () => (await status()).approval?.ignored?.length, 3);
    expect(await status()).toMatchObject({ runtimeStatus: "Running", stage: "awaiting-approval" });
    expect(await served()).toEqual(before);

    expect((await post(b.links.approve!)).status).toBe(202);
    const done = (await p.engine.waitUntilEnded(ID)).customStatus as Status;
    expect(done).toMatchObject({ runId: b.runId, result: "promoted", approval: { approved: true, by: "function key" } });
    const record = (await p.call("GET", `/api/runs/${b.runId}`)).body as { approval: { ignored: { runId?: string; by?: string; problem: string }[] } };
    expect(record.approval.ignored).toEqual([
      expect.objectContaining({ runId: a, by: "mallory", problem: `it is for run ${a}, not this one` }),
      expect.objectContaining({ by: "an old script", problem: "it names no run" }),
      expect.objectContaining({ problem: 'it could not be read ("approved" is the text "yes", not true or false)' }),
    ]);
  });

  it("a rollback names the promotion it undoes: without one, 400 names the latest and nothing starts", async () => {
    const latest = (await status()).runId;
    const instancesBefore = (await world(p)).instances;
    const r = await p.call("POST", "/api/endpoints/retrain/rollback", {});
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ latestPromotion: latest, error: expect.stringContaining(`the latest promotion of retrain is run ${latest}`) as unknown });
    expect((await world(p)).instances).toEqual(instancesBefore);
  });
});
