import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import { getEndpoint } from "../support/rrs-client";

let p: HostedPipeline;
const ID = "retrain-retrain";

beforeAll(async () => {
  // 2,000× time: a five-hour approval window passes in 9 s, long enough for two decisions sent at
  // once to arrive on a loaded machine (1 h, 1.8 s, was not on the real engine in CI).
  p = await startHostedPipeline({ speed: 2_000, settings: { APPROVAL_TIMEOUT_HOURS: "5" } });
});
afterAll(() => p.stop());

const status = async () => (await p.call("GET", `/api/retrain/${ID}`)).body as Record<string, unknown>;

async function startAwaiting(): Promise<void> {
  expect((await p.call("POST", "/api/retrain", { requireApproval: true })).status).toBe(202);
  await expect.poll(async () => (await status()).stage, { timeout: 30_000, interval: 20 }).toBe("awaiting-approval");
}

describe("approval through the local host", () => {
  it("holds a passing model until a person approves it, then promotes", async () => {
    await startAwaiting();
    const pending = await status();
    expect(pending).toMatchObject({ runtimeStatus: "Running", decision: { passed: true } });
    expect(String((pending.approval as { deadline: string }).deadline)).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Without App Service authentication, a principal header is whatever the caller typed: ignored.
    const approve = await p.call("POST", `/api/retrain/${ID}/approve`, { comment: "checked the metrics" }, undefined, { "x-ms-client-principal-name": "ceo@contoso.com" });
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
    await startAwaiting();
    expect((await p.call("POST", `/api/retrain/${ID}/reject`, { comment: "freeze week" })).status).toBe(202);
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
    expect((await p.call("POST", "/api/retrain/nope/approve", {})).status).toBe(404);
    const finished = await p.call("POST", `/api/retrain/${ID}/approve`, {});
    expect(finished.status).toBe(409);
    expect((finished.body as { error: string }).error).toMatch(/is not awaiting approval \(it is Completed, stage done\); nothing was changed/);
    expect((await p.call("POST", `/api/retrain/${ID}/maybe`, {})).status).toBe(404);
    const bad = await p.call("POST", `/api/retrain/${ID}/approve`, { comment: "ok", approved: true });
    expect([bad.status, (bad.body as { error: string }).error]).toEqual([400, "unknown field(s): approved; allowed: comment"]);
    const claimed = await p.call("POST", `/api/retrain/${ID}/approve`, { by: "ana@contoso.com" });
    expect([claimed.status, (claimed.body as { error: string }).error]).toEqual([400, '"by" is not accepted: the approver is recorded from App Service authentication (or as "function key"); put a name in "comment" instead']);
    expect((await p.call("POST", `/api/retrain/${ID}/approve`, {}, null)).status).toBe(401);
    expect(await status()).toMatchObject({ result: "rejected" });
  });

  const raise = (data: unknown) =>
    p.call("POST", `/runtime/webhooks/durabletask/instances/${ID}/raiseEvent/ApprovalDecision?code=${encodeURIComponent(p.systemKey)}`, data, null, { "Content-Type": "application/json" });

  it("an approval event raised by hand with a payload that is not a decision is treated as not approved", async () => {
    const before = await getEndpoint(p.emulator, "retrain");
    await startAwaiting();
    expect((await raise({ approved: "false", by: "script" })).status).toBe(202);
    await p.engine.waitUntilEnded(ID);
    expect(await status()).toMatchObject({
      result: "rejected",
      reason: 'the approval decision could not be read ("approved" is the text "false", not true or false), so the model was not promoted',
      approval: { approved: false, by: "an unreadable approval event" },
    });
    expect(await getEndpoint(p.emulator, "retrain")).toEqual(before);
  });

  it("approve and reject racing: one decision is taken, and the status and the record agree on it", async () => {
    await startAwaiting();
    const [a, r] = await Promise.all([p.call("POST", `/api/retrain/${ID}/approve`, { comment: "go" }), p.call("POST", `/api/retrain/${ID}/reject`, { comment: "stop" })]);
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
