import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import type { RunRecord } from "../../shared/history/run-record";

/**
 * A run ended from outside must not leave work behind: its job at the ML service (training and
 * billing), its poller (ending a parent does not end its children) or a gap in the run history.
 */
let p: HostedPipeline;
const ID = "retrain-retrain";

beforeAll(async () => {
  p = await startHostedPipeline({ speed: 200 });
});
afterAll(() => p.stop());

const status = async () => (await p.call("GET", `/api/retrain/${ID}`)).body as { stage?: string; jobId?: string; runId?: string; runtimeStatus?: string };
const jobState = async (jobId: string) => ((await p.emulator.admin("GET", "jobs")).body as { id: string; state: string }[]).find((j) => j.id === jobId)?.state;
const pollerOf = (jobId: string) => `${ID}-poll-${jobId}`;

/** Starts a run whose job trains until it is cancelled; resolves once the run is polling it. */
async function startTraining(): Promise<{ runId: string; jobId: string }> {
  await p.emulator.admin("DELETE", "faults");
  await p.emulator.admin("POST", "faults", { holdRunningMs: -1 });
  expect((await p.call("POST", "/api/retrain", {})).status).toBe(202);
  await expect.poll(async () => (await status()).stage, { timeout: 30_000, interval: 50 }).toBe("training");
  const s = await status();
  await expect.poll(() => jobState(s.jobId!), { timeout: 30_000, interval: 50 }).toBe("Running");
  // The stage shows "training" once the episode that starts the poller is stored, a moment before the poller exists.
  await expect.poll(async () => (await p.engine.instance(pollerOf(s.jobId!)))?.status, { timeout: 30_000, interval: 50 }).toBe("Running");
  await p.emulator.admin("DELETE", "faults");
  return { runId: s.runId!, jobId: s.jobId! };
}

describe("ending a run from outside leaves nothing behind", () => {
  it("POST /api/retrain/{id}/cancel ends the run, its poller and its job, and records why", async () => {
    const { runId, jobId } = await startTraining();
    const r = await p.call("POST", `/api/retrain/${ID}/cancel?runId=${runId}`, { comment: "wrong data" });
    const expected = `terminated while training: cancelled by function key: wrong data; its job poller ${pollerOf(jobId)} was ended; training job ${jobId} was cancelled`;
    expect([r.status, r.body]).toEqual([202, { instanceId: ID, runId, cancelled: true, settled: expected }]);
    expect(await jobState(jobId)).toBe("Cancelled");
    expect((await p.engine.instance(ID))?.status).toBe("Terminated");
    await expect.poll(async () => (await p.engine.instance(pollerOf(jobId)))?.status, { timeout: 30_000, interval: 100 }).toBe("Terminated");
    const record = (await p.call("GET", `/api/runs/${runId}`)).body as RunRecord;
    expect([record.result, record.reason, record.jobId]).toEqual(["terminated", expected, jobId]);
    // Settled once: asking again changes nothing.
    expect((await p.call("POST", `/api/retrain/${ID}/cancel`, { runId })).body).toMatchObject({ settled: "already settled" });
  });

  it("a run terminated through Durable's own API is settled before the endpoint's next run starts", async () => {
    const { runId, jobId } = await startTraining();
    const t = await p.call("POST", `/runtime/webhooks/durabletask/instances/${ID}/terminate?reason=ops%20stop&code=${encodeURIComponent(p.systemKey)}`, undefined, null);
    expect(t.status).toBe(202);
    await expect.poll(async () => (await p.engine.instance(ID))?.status, { timeout: 30_000, interval: 50 }).toBe("Terminated");
    // Durable's terminate alone ends only the orchestration: the job still trains.
    expect(await jobState(jobId)).toBe("Running");
    expect((await p.call("POST", "/api/retrain", {})).status).toBe(202);
    expect(await jobState(jobId)).toBe("Cancelled");
    await expect.poll(async () => (await p.engine.instance(pollerOf(jobId)))?.status, { timeout: 30_000, interval: 100 }).toBe("Terminated");
    const record = (await p.call("GET", `/api/runs/${runId}`)).body as RunRecord;
    expect([record.result, record.reason]).toEqual(["terminated", `terminated while training: ops stop; its job poller ${pollerOf(jobId)} was ended; training job ${jobId} was cancelled`]);
    const next = await p.engine.waitUntilEnded(ID);
    expect((next.customStatus as { runId: string }).runId).not.toBe(runId);
  });

  it("refuses to cancel what is not a running retraining run, changing nothing", async () => {
    const runId = String((await status()).runId);
    expect((await p.call("POST", "/api/retrain/retrain-nothing/cancel", { runId })).status).toBe(404);
    const ended = await p.call("POST", `/api/retrain/${ID}/cancel`, { runId });
    expect([ended.status, (ended.body as { error: string }).error]).toEqual([409, expect.stringMatching(/has already ended \((Completed|Failed)\); nothing was changed/) as unknown]);
    expect((await p.call("POST", `/api/retrain/${ID}/cancel`, { runId }, null)).status).toBe(401);
  });
});
