import { describe, expect, it } from "vitest";
import { reportEndpointHealth, HEALTH_RUNS_READ } from "../../../functions/triggers/health";
import { MemoryTelemetry } from "../../../shared/telemetry/telemetry";
import type { ActivityDependencies } from "../../../functions/activities/dependencies";
import type { RunRecord } from "../../../shared/history/run-record";

const now = Date.parse("2026-12-02T12:00:00.000Z");
const run = (endpoint: string, result: RunRecord["result"], daysAgo: number): RunRecord => ({
  runId: `${endpoint}-${daysAgo}`, endpoint, instanceId: `retrain-${endpoint}`, trigger: { kind: "schedule" }, dataSource: "file x.csv", gateRules: "AUC>=0.8",
  result, durationsInSeconds: {}, startedAt: new Date(now - daysAgo * 86_400_000).toISOString(), endedAt: new Date(now - daysAgo * 86_400_000).toISOString(),
});

function history(runs: Record<string, RunRecord[]>, broken: string[] = []): ActivityDependencies["history"] & { asked: unknown[] } {
  const asked: unknown[] = [];
  return {
    asked,
    upsert: () => Promise.reject(new Error("not used")),
    get: () => Promise.reject(new Error("not used")),
    recordDelivery: () => Promise.reject(new Error("not used")),
    deliveries: () => Promise.reject(new Error("not used")),
    list: (o) => {
      asked.push(o);
      if (broken.includes(o?.endpoint ?? "")) return Promise.reject(new Error("Run history: the table is unreachable (503)."));
      return Promise.resolve({ runs: runs[o?.endpoint ?? ""] ?? [], ...(o?.endpoint === "busy" ? { continuationToken: "more" } : {}) });
    },
    watchingSince: () => Promise.resolve(new Date(now - 30 * 86_400_000).toISOString()),
  };
}

describe("reportEndpointHealth: the hourly statement the alert rules read", () => {
  it("emits one EndpointHealth per endpoint, from one page of its history", async () => {
    const telemetry = new MemoryTelemetry();
    const h = history({ census: [run("census", "rejected", 1), run("census", "rejected", 8), run("census", "promoted", 15)], busy: [run("busy", "failed", 0.5)] });
    const out = await reportEndpointHealth({ history: h, telemetry }, ["census", "busy", "quiet"], now);
    expect(out).toEqual({ reported: ["census", "busy", "quiet"], failed: [] });
    expect(h.asked).toEqual(["census", "busy", "quiet"].map((endpoint) => ({ endpoint, limit: HEALTH_RUNS_READ })));
    expect(telemetry.events.map((e) => [e.properties.endpoint, e.properties.lastResult, e.measurements])).toEqual([
      ["census", "rejected", { daysSinceLastSuccess: 1, daysSinceLastRun: 1, rejectedInARow: 2, runsRead: 3 }],
      // older runs exist and none of these decided: counted from the oldest read (a lower bound)
      ["busy", "failed", { daysSinceLastSuccess: 0.5, daysSinceLastRun: 0.5, rejectedInARow: 0, runsRead: 1 }],
      // never ran: counted from when watching began, so a dead schedule turns stale
      ["quiet", "none", { daysSinceLastSuccess: 30, daysSinceLastRun: 30, rejectedInARow: 0, runsRead: 0 }],
    ]);
    expect(new Set(telemetry.events.map((e) => e.name))).toEqual(new Set(["EndpointHealth"]));
  });

  it("names an endpoint whose history cannot be read and still reports the others", async () => {
    const telemetry = new MemoryTelemetry();
    const out = await reportEndpointHealth({ history: history({}, ["census"]), telemetry }, ["census", "adult"], now);
    expect(out).toEqual({ reported: ["adult"], failed: [{ endpoint: "census", error: "Run history: the table is unreachable (503)." }] });
    expect(telemetry.events.map((e) => e.properties.endpoint)).toEqual(["adult"]);
  });
});
