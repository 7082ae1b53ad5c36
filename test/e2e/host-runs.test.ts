import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import { getEndpoint, score } from "../support/rrs-client";
import { csvRows } from "../support/census";
import { syntheticCensusCsv } from "../../emulator/training/synthetic-census";

let p: HostedPipeline;
const probe = csvRows(syntheticCensusCsv(20, 3));

beforeAll(async () => {
  p = await startHostedPipeline();
});
afterAll(() => p.stop());

const jobsAtService = async () => ((await p.emulator.admin("GET", "jobs")).body as unknown[]).length;

describe("runs through the local host", () => {
  it("a rejected run completes with its reasons and leaves the endpoint untouched", async () => {
    const endpoint = await getEndpoint(p.emulator, "retrain");
    const before = await score(p.emulator, endpoint, probe.columns, probe.rows);
    const start = await p.call("POST", "/api/retrain", { gate: "AUC>=0.99" });
    expect(start.status).toBe(202);
    const ended = await p.engine.waitUntilEnded("retrain-retrain");
    expect(ended.status).toBe("Completed");
    const status = (await p.call("GET", "/api/retrain/retrain-retrain")).body as Record<string, unknown>;
    expect(status).toMatchObject({ result: "rejected", decision: { passed: false } });
    expect(String(status.reason)).toMatch(/auc is 0\.\d+, fails the rule: at least 0\.99/);
    expect(((await p.emulator.admin("GET", "calls")).body as Record<string, number>).patch).toBe(0);
    expect(await getEndpoint(p.emulator, "retrain")).toEqual(endpoint);
    expect(await score(p.emulator, endpoint, probe.columns, probe.rows)).toEqual(before);
  });

  it("the timer trigger starts one tick that runs each endpoint; a second tick while it runs starts nothing", async () => {
    const jobsBefore = await jobsAtService();
    await p.emulator.admin("POST", "faults", { holdRunningMs: 1_500 });
    try {
      await p.host.tick("retrainSchedule");
      await expect.poll(async () => (await p.engine.instance("retrain-retrain"))?.status, { timeout: 10_000, interval: 10 }).toBe("Running");
      const childCreated = (await p.engine.instance("retrain-retrain"))!.createdTime;
      await p.host.tick("retrainSchedule");
      expect(p.logs.some((l) => /Skipped this tick: the previous scheduled tick \(instance retrain-schedule\) is still (Running|Pending)/.test(l))).toBe(true);
      const http = await p.call("POST", "/api/retrain", {});
      expect(http.status).toBe(409);
      expect((http.body as { error: string }).error).toMatch(/already (Running|Pending)/);
      const tick = await p.engine.waitUntilEnded("retrain-schedule");
      expect(tick.status).toBe("Completed");
      expect(tick.output).toMatchObject({ endpoints: [{ endpoint: "retrain", result: "promoted" }] });
      const child = await p.engine.waitUntilEnded("retrain-retrain");
      expect(child.createdTime).toBe(childCreated);
      expect(child.input.includes('"kind":"schedule"')).toBe(true);
      expect((await jobsAtService()) - jobsBefore).toBe(1);
    } finally {
      await p.emulator.admin("DELETE", "faults");
    }
  });

  it("a tick while an ad-hoc run is going leaves that run alone and reports its endpoint busy", async () => {
    const jobsBefore = await jobsAtService();
    await p.emulator.admin("POST", "faults", { holdRunningMs: 3_000 });
    try {
      expect((await p.call("POST", "/api/retrain", {})).status).toBe(202);
      await expect.poll(async () => (await p.engine.instance("retrain-retrain"))?.customStatus, { timeout: 10_000, interval: 20 }).toMatchObject({ stage: "training" });
      const adHoc = (await p.engine.instance("retrain-retrain"))!;
      await p.host.tick("retrainSchedule");
      const tick = await p.engine.waitUntilEnded("retrain-schedule", 30_000);
      expect(tick.status).toBe("Completed");
      expect(tick.output).toMatchObject({ endpoints: [{ endpoint: "retrain", result: "skipped", reason: expect.stringMatching(/a run of endpoint retrain is already Running \(instance retrain-retrain\)/) as unknown }] });
      const run = await p.engine.waitUntilEnded("retrain-retrain");
      // the same instance, started once by the HTTP call, ran to its end untouched
      expect([run.createdTime, run.input]).toEqual([adHoc.createdTime, adHoc.input]);
      expect(run.input).toContain('"kind":"http"');
      expect(run.output).toMatchObject({ result: "promoted", runId: (adHoc.customStatus as { runId: string }).runId });
      expect((await jobsAtService()) - jobsBefore).toBe(1);
    } finally {
      await p.emulator.admin("DELETE", "faults");
    }
  });

  it("HTTP triggers honour the function key and refuse bad input by name, starting nothing", async () => {
    const jobsBefore = await jobsAtService();
    expect((await p.call("POST", "/api/retrain", {}, null)).status).toBe(401);
    expect((await p.call("POST", "/api/retrain", {}, "wrong")).status).toBe(401);
    expect((await p.call("GET", "/api/retrain/retrain-retrain", undefined, null)).status).toBe(401);
    const traversal = await p.call("POST", "/api/retrain", { dataSource: "../../../etc/passwd" });
    expect([traversal.status, (traversal.body as { error: string }).error]).toEqual([400, expect.stringMatching(/leaves the data folder/) as unknown]);
    const unknown = await p.call("POST", "/api/retrain", { endpoint: "retrain", priority: "high" });
    expect((unknown.body as { error: string }).error).toMatch(/unknown field\(s\): priority/);
    expect((await p.call("POST", "/api/retrain", "{not json")).status).toBe(400);
    expect((await p.call("POST", "/api/retrain", JSON.stringify({ dataSource: "x".repeat(40_000) }))).status).toBe(413);
    expect((await p.call("GET", "/api/retrain/nope")).status).toBe(404);
    expect((await p.call("GET", "/api/nothing-here")).status).toBe(404);
    expect(await jobsAtService()).toBe(jobsBefore);
  });

  it("serves the Durable status webhook the 202 response points to", async () => {
    const start = await p.call("POST", "/api/retrain", { dryRun: true });
    const { statusQueryGetUri } = start.body as { statusQueryGetUri: string };
    await p.engine.waitUntilEnded("retrain-retrain");
    const res = await fetch(statusQueryGetUri);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ runtimeStatus: "Completed", customStatus: { result: "dry-run" } });
    expect((await fetch(statusQueryGetUri.replace(/code=[^&]+/, "code=wrong"))).status).toBe(401);
  });
});
