import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import { getEndpoint } from "../support/rrs-client";

let p: HostedPipeline;
const ID = "retrain-retrain";

beforeAll(async () => {
  // 2,000× time: a ten-hour approval window passes in 18 s, long enough for two decisions sent at
  // once to arrive on a loaded machine (1 h, 1.8 s, was not on the real engine in CI).
  p = await startHostedPipeline({ speed: 2_000, settings: { APPROVAL_TIMEOUT_HOURS: "10" } });
});
afterAll(() => p.stop());

const status = async () => (await p.call("GET", `/api/retrain/${ID}`)).body as Record<string, unknown>;

/** Starts a run that waits for approval; its run id, from the 202, is what a decision must name. */
async function startAwaiting(): Promise<string> {
  const started = await p.call("POST", "/api/retrain", { requireApproval: true });
  expect(started.status).toBe(202);
  const runId = (started.body as { runId: string }).runId;
  await expect.poll(async () => (await status()).stage, { timeout: 30_000, interval: 20 }).toBe("awaiting-approval");
  return runId;
}

describe("approval through the local host", () => {
  it("holds a passing model until a person approves it, then promotes", async () => {
    const runId = await startAwaiting();
    const pending = await status();
    expect(pending).toMatchObject({ runtimeStatus: "Running", decision: { passed: true } });
    expect(String((pending.approval as { deadline: string }).deadline)).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Without App Service authentication, a principal header is whatever the caller typed: ignored.
    const approve = await p.call("POST", `/api/retrain/${ID}/approve`, { runId, comment: "checked the metrics" }, undefined, { "x-ms-client-principal-name": "ceo@contoso.com" });
    expect(approve.status).toBe(202);
    await p.engine.waitUntilEnded(ID);
    const done = await status();
    expect(done).toMatchObject({ runtimeStatus: "Completed", result: "promoted", approval: { approved: true, by: "function key", comment: "checked the metrics" } });
    // who, when and why are in the run's audit record too
    const record = (await p.call("GET", `/api/runs/${String(done.runId)}`)).body as { approval?: Record<string, unknown> };
    expect(record.approval).toMatchObject({ approved: true, by: "function key", comment: "checked the metrics", at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown });
  });

  it("a rejection ends the run rejected and leaves the endpoint as it was", async () => {
    const before = await getEndpoint(p.emulator, "retrain");
    const runId = await startAwaiting();
    expect((await p.call("POST", `/api/retrain/${ID}/reject?runId=${runId}`, { comment: "freeze week" })).status).toBe(202);
    await p.engine.waitUntilEnded(ID);
    expect(await status()).toMatchObject({ result: "rejected", reason: "rejected by function key: freeze week" });
    expect(await getEndpoint(p.emulator, "retrain")).toEqual(before);
  });

  it("nobody answering within the window ends the run rejected", async () => {
    const before = await getEndpoint(p.emulator, "retrain");
    await startAwaiting();
    await p.engine.waitUntilEnded(ID);
    expect(await status()).toMatchObject({ result: "rejected", reason: `nobody approved the model within ${p.values.APPROVAL_TIMEOUT_HOURS} hours, so it was not promoted` });
    expect(await getEndpoint(p.emulator, "retrain")).toEqual(before);
  });

  it("refuses decisions for unknown or finished runs and bad bodies, changing nothing", async () => {
    const runId = String((await status()).runId);
    expect((await p.call("POST", "/api/retrain/nope/approve", { runId })).status).toBe(404);
    const unnamed = await p.call("POST", `/api/retrain/${ID}/approve`, {});
    expect([unnamed.status, (unnamed.body as { error: string }).error]).toEqual([400, expect.stringMatching(/^"runId" is required: name the run you mean to approve/)]);
    const finished = await p.call("POST", `/api/retrain/${ID}/approve`, { runId });
    expect(finished.status).toBe(409);
    expect((finished.body as { error: string }).error).toMatch(/is not awaiting approval \(it is Completed, stage done\); nothing was changed/);
    expect((await p.call("POST", `/api/retrain/${ID}/maybe`, {})).status).toBe(404);
    const bad = await p.call("POST", `/api/retrain/${ID}/approve`, { comment: "ok", approved: true });
    expect([bad.status, (bad.body as { error: string }).error]).toEqual([400, "unknown field(s): approved; allowed: comment, runId"]);
    const claimed = await p.call("POST", `/api/retrain/${ID}/approve`, { by: "ana@contoso.com" });
    expect([claimed.status, (claimed.body as { error: string }).error]).toEqual([400, '"by" is not accepted: the approver is recorded from App Service authentication (or as "function key"); put a name in "comment" instead']);
    const lone = await p.call("POST", `/api/retrain/${ID}/approve`, { runId, comment: "ok \ud800" });
    expect([lone.status, (lone.body as { error: string }).error]).toEqual([400, "comment is not well-formed Unicode (it holds a lone surrogate)"]);
    expect((await p.call("POST", `/api/retrain/${ID}/approve`, { runId }, null)).status).toBe(401);
    expect(await status()).toMatchObject({ result: "rejected" });
  });

  const raise = (data: unknown) =>
    p.call("POST", `/runtime/webhooks/durabletask/instances/${ID}/raiseEvent/ApprovalDecision?code=${encodeURIComponent(p.systemKey)}`, data, null, { "Content-Type": "application/json" });

  it("an approval event raised by hand that is not a decision for this run is ignored and shown; the run still takes its own", async () => {
    const before = await getEndpoint(p.emulator, "retrain");
    const runId = await startAwaiting();
    expect((await raise({ approved: "false", by: "script", runId })).status).toBe(202);
    await expect.poll(async () => ((await status()).approval as { ignored?: unknown[] }).ignored?.length ?? 0, { timeout: 30_000, interval: 20 }).toBe(1);
    expect(await status()).toMatchObject({
      runtimeStatus: "Running", stage: "awaiting-approval",
      approval: { ignored: [{ problem: 'it could not be read ("approved" is the text "false", not true or false)' }] },
    });
    expect(await getEndpoint(p.emulator, "retrain")).toEqual(before);
    expect((await p.call("POST", `/api/retrain/${ID}/reject`, { runId })).status).toBe(202);
    await p.engine.waitUntilEnded(ID);
    expect(await status()).toMatchObject({ result: "rejected", reason: "rejected by function key" });
  });

  it("approve and reject racing: one decision is taken, and the status and the record agree on it", async () => {
    const runId = await startAwaiting();
    const [a, r] = await Promise.all([p.call("POST", `/api/retrain/${ID}/approve`, { runId, comment: "go" }), p.call("POST", `/api/retrain/${ID}/reject`, { runId, comment: "stop" })]);
    // Both may be accepted (each saw the run waiting); the run acts on the first it receives.
    expect([a.status, r.status].every((c) => c === 202 || c === 409)).toBe(true);
    await p.engine.waitUntilEnded(ID);
    const s = await status();
    const taken = s.approval as { approved: boolean; comment: string };
    expect([taken.approved, taken.comment]).toEqual(taken.approved ? [true, "go"] : [false, "stop"]);
    expect(s.result).toBe(taken.approved ? "promoted" : "rejected");
    const record = (await p.call("GET", `/api/runs/${String(s.runId)}`)).body as { result: string; approval: { approved: boolean; comment: string } };
    expect([record.result, record.approval.approved, record.approval.comment]).toEqual([s.result, taken.approved, taken.comment]);
  });
});
