import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostedPipeline } from "../support/host";
import { startV2Pipeline } from "../support/azureml";
import type { RunningAzureMlService } from "../../emulator/azureml/service";
import type { RunRecord } from "../../shared/history/run-record";

/**
 * A v2 run ended from outside (cancel, or Durable's own terminate) while its job trains or its
 * traffic is mid-shift: nothing runs in the orchestrator on terminate, so settling it must cancel
 * the job at the v2 service, and put all traffic back on the deployment that served before.
 */
let p: HostedPipeline;
let svc: RunningAzureMlService;
let stop: () => Promise<void>;
const ENDPOINT = "census-v2";
const ID = `retrain-${ENDPOINT}`;

beforeAll(async () => {
  // Held at 50 % for a minute: the cancel lands while traffic is split.
  ({ p, svc, stop } = await startV2Pipeline(ENDPOINT, { AZUREML_TRAFFIC_STEPS: "50,100", AZUREML_STEP_WAIT_SECONDS: "60" }));
});
afterAll(() => stop?.());

const endpoint = () => svc.state.endpoint(ENDPOINT)!;
const status = async () => (await p.call("GET", `/api/retrain/${ID}`)).body as { stage?: string; jobId?: string; runId?: string; shift?: { from: string; to: string; percent: number } };
const record = async (runId: string) => (await p.call("GET", `/api/runs/${runId}`)).body as RunRecord;

describe("a v2 run ended from outside leaves nothing behind", () => {
  it("cancelled while training: the job is cancelled at the v2 service", async () => {
    svc.faults.set({ holdNextJobMs: -1 });
    expect((await p.call("POST", "/api/retrain", { endpoint: ENDPOINT })).status).toBe(202);
    await expect.poll(async () => (await status()).stage, { timeout: 30_000, interval: 50 }).toBe("training");
    const { jobId, runId } = await status();
    await expect.poll(() => svc.state.jobs.get(jobId!)?.status, { timeout: 30_000, interval: 50 }).toBe("Running");
    const r = await p.call("POST", `/api/retrain/${ID}/cancel`, { runId, comment: "wrong data" });
    expect(r.status).toBe(202);
    expect((r.body as { settled: string }).settled).toMatch(new RegExp(`^terminated while training: cancelled by function key: wrong data; its job poller \\S+ was ended; training job ${jobId} was cancelled$`));
    await expect.poll(() => svc.state.jobs.get(jobId!)?.status, { timeout: 30_000, interval: 50 }).toBe("Canceled");
    expect(await record(runId!)).toMatchObject({ result: "terminated", backend: "azureml", jobId });
  });

  it("cancelled mid-shift: all traffic goes back to the serving deployment and the new one is removed", async () => {
    const start = await p.call("POST", "/api/retrain", { endpoint: ENDPOINT });
    expect(start.status).toBe(202);
    await expect.poll(() => JSON.stringify(endpoint().traffic), { timeout: 60_000, interval: 50 }).toMatch(/^\{"blue":50,"d\w+":50\}$/);
    const split = JSON.stringify(endpoint().traffic);
    const s = await status();
    expect(s).toMatchObject({ stage: "promoting", shift: { from: "blue", percent: 50 } });
    const green = s.shift!.to;

    const r = await p.call("POST", `/api/retrain/${ID}/cancel`, { runId: s.runId });
    expect(r.status).toBe(202);
    expect((r.body as { settled: string }).settled).toBe(`terminated while promoting: cancelled by function key; all traffic was put back on blue (it was ${split}); deployment ${green} is being removed`);
    expect(endpoint().traffic).toEqual({ blue: 100 });
    expect(endpoint().mirrorTraffic).toEqual({});
    await expect.poll(() => endpoint().deployments.has(green), { timeout: 30_000, interval: 50 }).toBe(false);
    expect(await record(s.runId!)).toMatchObject({ result: "terminated", backend: "azureml" });
  });
});
