import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import type { RunRecord } from "../../shared/history/run-record";

let p: HostedPipeline;

beforeAll(async () => {
  p = await startHostedPipeline({
    speed: 200,
    endpoints: ["retrain", "customer2", "customer3"],
    settings: {
      RETRAIN_ENDPOINTS: "retrain,customer2,customer3",
      RETRAIN_MAX_PARALLEL: "2",
      // customer3's data source does not exist: its run fails, the others must not notice.
      RETRAIN_ENDPOINT_SETTINGS: JSON.stringify({ customer2: { gate: "AUC>=0.8" }, customer3: { dataSource: "missing.csv" } }),
    },
  });
});
afterAll(() => p.stop());

describe("a scheduled tick over several endpoints", () => {
  it("fans out one run per endpoint with a concurrency cap; one failing endpoint does not affect the others", async () => {
    await p.host.tick("retrainSchedule");
    await expect.poll(() => p.host.engine.get("retrain-schedule")?.status, { timeout: 10_000 }).toBeDefined();
    const tick = await p.host.engine.waitUntilEnded("retrain-schedule");
    expect(tick.status).toBe("Completed");
    const endpoints = (tick.output as { endpoints: { endpoint: string; result: string; reason?: string }[] }).endpoints;
    expect(endpoints.map((e) => [e.endpoint, e.result])).toEqual([["retrain", "promoted"], ["customer2", "promoted"], ["customer3", "failed"]]);
    expect(endpoints[2]!.reason).toMatch(/staging the training data failed: .*missing\.csv cannot be read: ENOENT/);
    // customer2's own gate, and each endpoint's run recorded
    const c2 = (await p.call("GET", "/api/runs?endpoint=customer2")).body as { runs: RunRecord[] };
    expect(c2.runs[0]).toMatchObject({ endpoint: "customer2", gateRules: "AUC>=0.8", result: "promoted", trigger: { kind: "schedule" } });
    const c3 = (await p.call("GET", "/api/runs?endpoint=customer3")).body as { runs: RunRecord[] };
    expect(c3.runs[0]).toMatchObject({ result: "failed" });
    // the cap: customer3 (second batch) started only after both runs of the first batch ended
    const started = (id: string) => Date.parse(p.host.engine.get(id)!.createdTime);
    const ended = (id: string) => Date.parse(p.host.engine.get(id)!.lastUpdatedTime);
    expect(started("retrain-customer3")).toBeGreaterThanOrEqual(Math.max(ended("retrain-retrain"), ended("retrain-customer2")));
  });
});
