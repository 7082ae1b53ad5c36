import { describe, expect, it } from "vitest";
import type * as df from "durable-functions";
import { retrainAllOrchestrator } from "../../../functions/orchestrators/fan-out-orchestrator";
import { RETRAIN_ORCHESTRATOR } from "../../../functions/orchestrators/retrain-orchestrator";
import type { EndpointOutcome, FanOutInput, RetrainInput } from "../../../functions/orchestrators/run-input";
import { driveOrchestrator, type Step } from "../../support/orchestration-driver";

const MIN = 60_000;
const START = new Date("2026-01-04T03:00:00Z");

const run = (endpoint: string): RetrainInput => ({
  runId: `${endpoint}-20260104T030000Z-abc123`, endpoint, dataSource: "census.csv", gate: [], dryRun: false, trigger: { kind: "schedule" },
  polling: { firstIntervalInSeconds: 10, backoffFactor: 2, maxIntervalInSeconds: 60, deadlineInMinutes: 30 }, verification: { delayInSeconds: 30 },
});

/**
 * A stand-in retraining run: takes `minutes[endpoint]` of durable time, then ends with
 * `results[endpoint]` (default promoted). An endpoint in `busy` cannot even start.
 */
function fakeRetrain(minutes: Record<string, number>, o: { results?: Record<string, string>; busy?: string[] } = {}) {
  return function* (ctx: df.OrchestrationContext): Generator<df.Task, unknown, unknown> {
    const i = ctx.df.getInput<RetrainInput>();
    if (o.busy?.includes(i.endpoint)) throw new Error(`An orchestration instance retrain-${i.endpoint} with the status Running already exists.`);
    expect(i.reportFailureAsResult).toBe(true);
    yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + (minutes[i.endpoint] ?? 10) * MIN));
    const result = o.results?.[i.endpoint] ?? "promoted";
    return { runId: i.runId, endpoint: i.endpoint, stage: "done", result, ...(result === "failed" ? { reason: "staging failed" } : {}) };
  };
}

async function tick(endpoints: string[], maxParallel: number, child: ReturnType<typeof fakeRetrain>) {
  const input: FanOutInput = { runs: endpoints.map(run), maxParallel };
  const r = await driveOrchestrator(retrainAllOrchestrator, input, {}, { start: START, orchestrators: { [RETRAIN_ORCHESTRATOR]: child } });
  const starts = new Map(r.steps.filter((s): s is Extract<Step, { kind: "sub" }> => s.kind === "sub").map((s) => [s.instanceId!, (s.at.getTime() - START.getTime()) / MIN]));
  return { ...r, starts, outcomes: (r.output as { endpoints: EndpointOutcome[] } | undefined)?.endpoints };
}

/** Most children running at once, from their start and (given) durations. */
function peak(starts: Map<string, number>, minutes: Record<string, number>): number {
  const spans = [...starts].map(([id, s]) => [s, s + (minutes[id.replace(/^retrain-/, "")] ?? 10)] as const);
  return Math.max(...spans.map(([s]) => spans.filter(([a, b]) => a <= s && s < b).length));
}

describe("retrainAllOrchestrator", () => {
  it("keeps a sliding window: the next endpoint starts as soon as any running one ends, not when its batch ends", async () => {
    const minutes = { slow: 100, a: 10, b: 10, c: 10, d: 10, e: 10 };
    const r = await tick(["slow", "a", "b", "c", "d", "e"], 2, fakeRetrain(minutes));
    expect(r.error).toBeUndefined();
    // slow holds one slot for 100 min; the other slot turns over every 10 min
    expect(Object.fromEntries(r.starts)).toEqual({ "retrain-slow": 0, "retrain-a": 0, "retrain-b": 10, "retrain-c": 20, "retrain-d": 30, "retrain-e": 40 });
    expect(peak(r.starts, minutes)).toBe(2);
    expect(r.clock.now.getTime() - START.getTime()).toBe(100 * MIN);
    // output in input order, whatever order they ended in
    expect(r.outcomes!.map((o) => [o.endpoint, o.result])).toEqual([["slow", "promoted"], ["a", "promoted"], ["b", "promoted"], ["c", "promoted"], ["d", "promoted"], ["e", "promoted"]]);
    expect(r.outcomes![0]).toEqual({ endpoint: "slow", runId: "slow-20260104T030000Z-abc123", result: "promoted" });
  });

  it("never runs more than maxParallel children, with uneven durations", async () => {
    const names = Array.from({ length: 40 }, (_, i) => `e${i}`);
    const minutes = Object.fromEntries(names.map((n, i) => [n, 1 + ((i * 7) % 13)]));
    const r = await tick(names, 5, fakeRetrain(minutes));
    expect(r.starts.size).toBe(40);
    expect(peak(r.starts, minutes)).toBe(5);
    expect(r.outcomes!.map((o) => o.endpoint)).toEqual(names);
    // work-conserving: a slot never stays idle while endpoints wait, so the tick ends when the list-scheduling bound says
    const total = Object.values(minutes).reduce((a, b) => a + b, 0);
    expect(r.clock.now.getTime() - START.getTime()).toBeLessThanOrEqual((total / 5 + Math.max(...Object.values(minutes))) * MIN);
  });

  it("reports an endpoint whose child cannot start (an ad-hoc run holds its instance) as failed, and the others carry on", async () => {
    const r = await tick(["a", "held", "b", "c"], 2, fakeRetrain({}, { busy: ["held"], results: { c: "failed" } }));
    expect(r.error).toBeUndefined();
    expect(r.outcomes).toEqual([
      { endpoint: "a", runId: "a-20260104T030000Z-abc123", result: "promoted" },
      { endpoint: "held", runId: "held-20260104T030000Z-abc123", result: "failed", reason: expect.stringMatching(/retrain-held with the status Running already exists/) as unknown },
      { endpoint: "b", runId: "b-20260104T030000Z-abc123", result: "promoted" },
      { endpoint: "c", runId: "c-20260104T030000Z-abc123", result: "failed", reason: "staging failed" },
    ]);
    // held's slot was free at once: b started with a, c when a ended
    expect(Object.fromEntries(r.starts)).toEqual({ "retrain-a": 0, "retrain-held": 0, "retrain-b": 0, "retrain-c": 10 });
  });

  it("starts everything at once when the window is wider than the list, and shows progress in its custom status", async () => {
    const r = await tick(["a", "b", "c"], 8, fakeRetrain({ a: 5, b: 1, c: 3 }));
    expect([...r.starts.values()]).toEqual([0, 0, 0]);
    expect(r.statuses[0]).toEqual({ done: 0, total: 3, running: ["a", "b", "c"] });
    expect(r.statuses[r.statuses.length - 1]).toEqual({ done: 3, total: 3, running: [] });
    expect(r.outcomes!.map((o) => o.result)).toEqual(["promoted", "promoted", "promoted"]);
  });

  it("handles an empty endpoint list", async () => {
    const r = await tick([], 4, fakeRetrain({}));
    expect(r.output).toEqual({ endpoints: [] });
  });
});
