import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import { getEndpoint } from "../support/rrs-client";

let p: HostedPipeline;
const ID = "retrain-retrain";

beforeAll(async () => {
  // 2,000× time: a one-hour approval window passes in under two seconds.
  p = await startHostedPipeline({ speed: 2_000, settings: { APPROVAL_TIMEOUT_HOURS: "1" } });
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
    const approve = await p.call("POST", `/api/retrain/${ID}/approve`, { by: "ana@contoso.com", comment: "checked the metrics" });
    expect(approve.status).toBe(202);
    await p.engine.waitUntilEnded(ID);
    expect(await status()).toMatchObject({ runtimeStatus: "Completed", result: "promoted", approval: { approved: true, by: "ana@contoso.com", comment: "checked the metrics" } });
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
    expect([bad.status, (bad.body as { error: string }).error]).toEqual([400, "unknown field(s): approved; allowed: comment, by"]);
    expect((await p.call("POST", `/api/retrain/${ID}/approve`, {}, null)).status).toBe(401);
    expect(await status()).toMatchObject({ result: "rejected" });
  });
});
