import { describe, expect, it } from "vitest";
import { endpointHealth } from "../../../shared/history/endpoint-health";
import type { RunRecord, RunRecordResult } from "../../../shared/history/run-record";

const DAY = 86_400_000;
const now = Date.parse("2026-12-02T12:00:00.000Z");
const daysAgo = (d: number) => new Date(now - d * DAY).toISOString();
/** Runs newest first, as the history lists them: [result, started days ago]. */
const runs = (...rs: [RunRecordResult, number][]): RunRecord[] =>
  rs.map(([result, d], i) => ({
    runId: `r${i}`, endpoint: "census", instanceId: "retrain-census", trigger: { kind: "schedule" }, dataSource: "file census.csv",
    gateRules: "AUC>=0.85", result, durationsInSeconds: {}, startedAt: daysAgo(d), endedAt: daysAgo(d - 0.25),
  }));

describe("endpointHealth: what the alert rules read", () => {
  it("counts days since the last decided run (promoted or rejected), from when it ended", () => {
    const h = endpointHealth("census", runs(["failed", 1], ["failed", 5], ["promoted", 9.5], ["promoted", 16]), false, daysAgo(30), now);
    expect(h).toMatchObject({ daysSinceLastSuccess: 9.25, daysSinceLastRun: 1, rejectedInARow: 0, runsRead: 4, lastResult: "failed", lastSuccessAt: daysAgo(9.25) });
  });

  it("counts a rejection as a working pipeline, and as a streak of rejections", () => {
    const h = endpointHealth("census", runs(["rejected", 0.5], ["dry-run", 2], ["rejected", 7], ["terminated", 8], ["rejected", 14], ["promoted", 21]), false, daysAgo(30), now);
    expect(h.daysSinceLastSuccess).toBe(0.25);
    // dry runs and cancelled runs neither count nor break the streak
    expect(h.rejectedInARow).toBe(3);
  });

  it("ends the streak at the newest promoted or failed retrain", () => {
    expect(endpointHealth("c", runs(["rejected", 1], ["failed", 2], ["rejected", 3]), false, daysAgo(9), now).rejectedInARow).toBe(1);
    expect(endpointHealth("c", runs(["failed", 1], ["rejected", 2]), false, daysAgo(9), now).rejectedInARow).toBe(0);
  });

  it("with no run at all, counts from when watching began: a new endpoint is not stale, a dead schedule becomes so", () => {
    expect(endpointHealth("c", [], false, daysAgo(0.04), now)).toEqual({ endpoint: "c", daysSinceLastSuccess: 0.04, daysSinceLastRun: 0.04, rejectedInARow: 0, runsRead: 0 });
    expect(endpointHealth("c", [], false, daysAgo(12), now).daysSinceLastSuccess).toBe(12);
  });

  it("with no decided run: from the oldest run read when older runs exist (a lower bound), else from the earlier of it and watching", () => {
    const failing = runs(["failed", 1], ["failed", 3]);
    expect(endpointHealth("c", failing, true, daysAgo(30), now).daysSinceLastSuccess).toBe(3);
    expect(endpointHealth("c", failing, false, daysAgo(30), now).daysSinceLastSuccess).toBe(30);
    // runs that predate watching (an upgrade of an existing deployment) count from the first run
    expect(endpointHealth("c", failing, false, daysAgo(0.5), now).daysSinceLastSuccess).toBe(3);
  });
});
