import { describe, expect, it } from "vitest";
import { retrainAllOrchestrator } from "../../../functions/orchestrators/fan-out-orchestrator";
import { TICK_ACTIVITY } from "../../../functions/activities/names";
import type { RunState, StartRunInput, WatchedRun } from "../../../functions/activities/contracts";
import { TICK_CHECKS_PER_WINDOW } from "../../../functions/orchestrators/policies";
import type { EndpointOutcome, FanOutInput, RetrainInput } from "../../../functions/orchestrators/run-input";
import { driveOrchestrator, type ActivityHandler } from "../../support/orchestration-driver";

const MIN = 60_000;
const START = new Date("2026-01-04T03:00:00Z");

const run = (endpoint: string): RetrainInput => ({
  runId: `${endpoint}-20260104T030000Z-abc123`, endpoint, dataSource: "census.csv", gate: [], dryRun: false, trigger: { kind: "schedule" },
  polling: { firstIntervalInSeconds: 10, backoffFactor: 2, maxIntervalInSeconds: 60, deadlineInMinutes: 30 }, verification: { delayInSeconds: 30 },
});

/**
 * Stand-ins for the durable client behind the tick's activities: a run of `endpoint` takes
 * `minutes[endpoint]` (default 10) from its start, then ends with `results[endpoint]` (default
 * promoted). An endpoint in `busy` already has a run going; one in `unstartable` cannot be started.
 */
function fakeRuns(minutes: Record<string, number>, o: { results?: Record<string, string>; busy?: string[]; unstartable?: string[]; checkFailsUntilMinute?: number } = {}) {
  const startedAt = new Map<string, number>();
  const activities: Record<string, ActivityHandler> = {
    [TICK_ACTIVITY.startRun]: (i: StartRunInput, at) => {
      if (o.unstartable?.includes(i.run.endpoint)) return Promise.resolve({ kind: "failed", reason: "HTTP 400 bad input" });
      if (o.busy?.includes(i.run.endpoint)) return Promise.resolve({ kind: "ok", value: { started: false, runtimeStatus: "Running" } });
      startedAt.set(i.instanceId, (at.getTime() - START.getTime()) / MIN);
      return Promise.resolve({ kind: "ok", value: { started: true } });
    },
    [TICK_ACTIVITY.checkRuns]: (watched: WatchedRun[], at) => {
      const t = (at.getTime() - START.getTime()) / MIN;
      if (t < (o.checkFailsUntilMinute ?? 0)) return Promise.resolve({ kind: "failed", reason: "HTTP 503" });
      return Promise.resolve({
        kind: "ok",
        value: watched.map((w): RunState => {
          const endpoint = w.instanceId.replace(/^retrain-/, "");
          if (t < startedAt.get(w.instanceId)! + (minutes[endpoint] ?? 10)) return { runId: w.runId, ended: false };
          const result = (o.results?.[endpoint] ?? "promoted") as "promoted";
          return { runId: w.runId, ended: true, result, ...(result === ("failed" as string) ? { reason: "staging failed" } : {}) };
        }),
      });
    },
  };
  return { activities, startedAt };
}

async function tick(endpoints: string[], maxParallel: number, fake: ReturnType<typeof fakeRuns>) {
  const input: FanOutInput = { runs: endpoints.map(run), maxParallel, checkIntervalInSeconds: 60 };
  const r = await driveOrchestrator(retrainAllOrchestrator, input, fake.activities, { start: START, activityDurationInMs: 0, maxSteps: 100_000 });
  return { ...r, starts: fake.startedAt, minutes: (r.clock.now.getTime() - START.getTime()) / MIN, outcomes: (r.output as { endpoints: EndpointOutcome[] } | undefined)?.endpoints };
}

/** Most runs going at once, from their start and (given) durations. */
function peak(starts: Map<string, number>, minutes: Record<string, number>): number {
  const spans = [...starts].map(([id, s]) => [s, s + (minutes[id.replace(/^retrain-/, "")] ?? 10)] as const);
  return Math.max(...spans.map(([s]) => spans.filter(([a, b]) => a <= s && s < b).length));
}

describe("retrainAllOrchestrator", () => {
  it("keeps a sliding window: the next endpoint starts at the first check after any running one ends, not when its batch ends", async () => {
    const minutes = { slow: 80, a: 10, b: 10, c: 10, d: 10, e: 10 };
    const r = await tick(["slow", "a", "b", "c", "d", "e"], 2, fakeRuns(minutes));
    expect(r.error).toBeUndefined();
    // slow holds one slot for 80 min; the other slot turns over every 10 min
    expect(Object.fromEntries(r.starts)).toEqual({ "retrain-slow": 0, "retrain-a": 0, "retrain-b": 10, "retrain-c": 20, "retrain-d": 30, "retrain-e": 40 });
    expect(peak(r.starts, minutes)).toBe(2);
    expect(r.minutes).toBe(80);
    // output in input order, whatever order they ended in
    expect(r.outcomes!.map((o) => [o.endpoint, o.result])).toEqual([["slow", "promoted"], ["a", "promoted"], ["b", "promoted"], ["c", "promoted"], ["d", "promoted"], ["e", "promoted"]]);
    expect(r.outcomes![0]).toEqual({ endpoint: "slow", runId: "slow-20260104T030000Z-abc123", result: "promoted" });
    // 80 checks, so it continued as new once (the state carried over: nothing started twice)
    expect(r.steps.filter((s) => s.kind === "continueAsNew")).toHaveLength(Math.floor(80 / TICK_CHECKS_PER_WINDOW));
    expect(r.steps.filter((s) => s.kind === "activity" && s.name === TICK_ACTIVITY.startRun)).toHaveLength(6);
  });

  it("never runs more than maxParallel at once, with uneven durations", async () => {
    const names = Array.from({ length: 40 }, (_, i) => `e${i}`);
    const minutes = Object.fromEntries(names.map((n, i) => [n, 1 + ((i * 7) % 13)]));
    const r = await tick(names, 5, fakeRuns(minutes));
    expect(r.starts.size).toBe(40);
    expect(peak(r.starts, minutes)).toBe(5);
    expect(r.outcomes!.map((o) => o.endpoint)).toEqual(names);
    // work-conserving (with whole-minute checks, as these durations are): the list-scheduling bound holds
    const total = Object.values(minutes).reduce((a, b) => a + b, 0);
    expect(r.minutes).toBeLessThanOrEqual(total / 5 + Math.max(...Object.values(minutes)));
  });

  it("reports an endpoint whose run is already going as skipped and one that cannot start as failed; the others carry on", async () => {
    const r = await tick(["a", "held", "b", "bad", "c"], 2, fakeRuns({}, { busy: ["held"], unstartable: ["bad"], results: { c: "failed" } }));
    expect(r.error).toBeUndefined();
    expect(r.outcomes).toEqual([
      { endpoint: "a", runId: "a-20260104T030000Z-abc123", result: "promoted" },
      { endpoint: "held", runId: "held-20260104T030000Z-abc123", result: "skipped", reason: "a run of endpoint held is already Running (instance retrain-held)" },
      { endpoint: "b", runId: "b-20260104T030000Z-abc123", result: "promoted" },
      { endpoint: "bad", runId: "bad-20260104T030000Z-abc123", result: "failed", reason: expect.stringMatching(/^the run could not be started: .*HTTP 400 bad input/) as unknown },
      { endpoint: "c", runId: "c-20260104T030000Z-abc123", result: "failed", reason: "staging failed" },
    ]);
    // held's and bad's slots were free at once: b started with a, c when a ended
    expect(Object.fromEntries(r.starts)).toEqual({ "retrain-a": 0, "retrain-b": 0, "retrain-c": 10 });
  });

  it("rides out failing status checks, and stops waiting for a run once its own bounds and the margin have passed", async () => {
    const flaky = await tick(["a"], 1, fakeRuns({ a: 3 }, { checkFailsUntilMinute: 7 }));
    expect([flaky.outcomes![0]!.result, flaky.minutes]).toEqual(["promoted", 7]);
    // deadline 30 min + 60 min margin
    const stuck = await tick(["stuck", "b"], 1, fakeRuns({ stuck: 10_000 }));
    expect(stuck.outcomes![0]).toMatchObject({ result: "unknown", reason: expect.stringMatching(/still running after 90 min; the tick stopped waiting/) as unknown });
    expect(stuck.starts.get("retrain-b")).toBe(90);
    expect(stuck.outcomes![1]!.result).toBe("promoted");
  });

  it("starts everything at once when the window is wider than the list, and shows progress in its custom status", async () => {
    const r = await tick(["a", "b", "c"], 8, fakeRuns({ a: 5, b: 1, c: 3 }));
    expect([...r.starts.values()]).toEqual([0, 0, 0]);
    expect(r.statuses[0]).toEqual({ done: 0, total: 3, running: ["a", "b", "c"] });
    expect(r.statuses[r.statuses.length - 1]).toEqual({ done: 3, total: 3, running: [] });
    expect(r.outcomes!.map((o) => o.result)).toEqual(["promoted", "promoted", "promoted"]);
  });

  it("handles an empty endpoint list", async () => {
    const r = await tick([], 4, fakeRuns({}));
    expect(r.output).toEqual({ endpoints: [] });
  });
});
