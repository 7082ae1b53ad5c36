import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import type { RunRecord } from "../../shared/history/run-record";

let p: HostedPipeline;

/** slow's job (its input lies under its run id, "slow-…") trains this long in real time; the others' as fast as they can. */
// Long enough that the other runs, one slot between them, finish inside it on the real engine under
// CI's load (the suite runs three files at once on two cores): 25 s left one of them Pending once.
const SLOW_JOB_MS = 40_000;

beforeAll(async () => {
  p = await startHostedPipeline({
    speed: 200,
    endpoints: ["slow", "retrain", "customer2", "customer3"],
    settings: {
      RETRAIN_ENDPOINTS: "slow,retrain,customer2,customer3",
      RETRAIN_MAX_PARALLEL: "2",
      // customer3's data source does not exist: its run fails, the others must not notice.
      RETRAIN_ENDPOINT_SETTINGS: JSON.stringify({ customer2: { gate: "AUC>=0.8" }, customer3: { dataSource: "missing.csv" } }),
    },
  });
  expect((await p.emulator.admin("POST", "faults", { holdRunningWhere: { ms: SLOW_JOB_MS, inputContains: "/slow-" } })).status).toBe(200);
});
afterAll(() => p.stop());

const status = async (endpoint: string) => (await p.engine.instance(`retrain-${endpoint}`))?.status;

describe("a scheduled tick over several endpoints", () => {
  it("keeps a window of RETRAIN_MAX_PARALLEL runs: a slow endpoint holds one slot, the others are promoted meanwhile", async () => {
    await p.host.tick("retrainSchedule");
    await expect.poll(() => Promise.all(["retrain", "customer2", "customer3"].map(status)), { timeout: SLOW_JOB_MS - 5_000, interval: 200 }).toEqual(["Completed", "Completed", "Failed"]);
    // customer3's run fails as any run does (operators see it Failed); in batches of 2, customer2
    // and customer3 would still be waiting for slow
    expect(await status("slow")).toBe("Running");
    expect((await p.engine.instance("retrain-retrain"))!.output).toMatchObject({ result: "promoted" });
    expect((await p.engine.instance("retrain-customer2"))!.output).toMatchObject({ result: "promoted" });
  });

  it("reports every endpoint in input order; one failing endpoint does not affect the others", async () => {
    const tick = await p.engine.waitUntilEnded("retrain-schedule");
    expect(tick.status).toBe("Completed");
    const endpoints = (tick.output as { endpoints: { endpoint: string; runId: string; result: string; reason?: string }[] }).endpoints;
    expect(endpoints.map((e) => [e.endpoint, e.result])).toEqual([["slow", "promoted"], ["retrain", "promoted"], ["customer2", "promoted"], ["customer3", "failed"]]);
    expect(endpoints[3]!.reason).toMatch(/staging the training data failed: .*missing\.csv cannot be read: ENOENT/);
    // customer2's own gate, and each endpoint's run recorded
    const c2 = (await p.call("GET", "/api/runs?endpoint=customer2")).body as { runs: RunRecord[] };
    expect(c2.runs[0]).toMatchObject({ endpoint: "customer2", gateRules: "auc>=0.8", result: "promoted", trigger: { kind: "schedule" } });
    const c3 = (await p.call("GET", "/api/runs?endpoint=customer3")).body as { runs: RunRecord[] };
    expect(c3.runs[0]).toMatchObject({ result: "failed" });
    // the window: never more than 2 runs at once; each run started as soon as a slot was free
    const spans = await Promise.all(["slow", "retrain", "customer2", "customer3"].map(async (e) => {
      const s = (await p.engine.instance(`retrain-${e}`))!;
      return { e, start: Date.parse(s.createdTime), end: Date.parse(s.lastUpdatedTime) };
    }));
    for (const a of spans) expect(spans.filter((b) => b.start <= a.start && a.start < b.end).length).toBeLessThanOrEqual(2);
    const [, retrain, customer2, customer3] = spans;
    expect(customer2!.start).toBeGreaterThanOrEqual(retrain!.end);
    expect(customer3!.start).toBeGreaterThanOrEqual(customer2!.end);
    // each run started once, under its endpoint's singleton id, and ran to its end: one job per
    // endpoint that got past staging, and each instance still holds the run the tick reports
    expect(((await p.emulator.admin("GET", "jobs")).body as unknown[]).length).toBe(3);
    for (const e of endpoints) expect(JSON.parse((await p.engine.instance(`retrain-${e.endpoint}`))!.input) as unknown).toMatchObject({ runId: e.runId, trigger: { kind: "schedule" } });
  });
});
