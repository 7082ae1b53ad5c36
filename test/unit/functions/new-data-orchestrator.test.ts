import { describe, expect, it } from "vitest";
import { newDataOrchestrator, type NewDataInput, type NewDataStatus } from "../../../functions/orchestrators/new-data-orchestrator";
import { NEW_DATA_ACTIVITY } from "../../../functions/activities/names";
import type { CloseWatcherInput, PendingRunStart, PendingView } from "../../../functions/activities/contracts";
import { MAX_DEBOUNCE_WINDOWS, NEW_DATA_CHECKS_PER_WINDOW } from "../../../functions/orchestrators/policies";
import { EMPTY_PENDING, arrive, type PendingState } from "../../../shared/storage/pending-data";
import { driveOrchestrator, type ActivityHandler } from "../../support/orchestration-driver";

const START = new Date("2026-12-03T09:00:00Z");
const S = 1000;
const WATCHER = "newdata-retrain-1";
const input = (o: Partial<NewDataInput> = {}): NewDataInput => ({ endpoint: "retrain", watcher: WATCHER, debounceInSeconds: 60, checkIntervalInSeconds: 15, waitLimitInMinutes: 30, ...o });

/**
 * The watcher against a stand-in for its activities: the pending state is the product's own
 * (`arrive`), blobs land at the given seconds, and the endpoint's run instance is busy while
 * `busy(second)` says so. Each start records when it happened and which arrival it took.
 */
function world(arrivalsAt: number[], busy: (second: number) => boolean = () => false) {
  let state: PendingState = EMPTY_PENDING;
  let landed = 0;
  const starts: { at: number; seq: number; arrivals: number }[] = [];
  const closes: CloseWatcherInput[] = [];
  const second = (at: Date) => (at.getTime() - START.getTime()) / S;
  const land = (at: Date) => {
    while (landed < arrivalsAt.length && arrivalsAt[landed]! <= second(at)) {
      const n = ++landed;
      state = arrive(state, { source: `blob:incoming/part-${n}.csv`, eventId: `e${n}`, eventTime: "" }, () => WATCHER).state ?? state;
    }
  };
  const activities: Record<string, ActivityHandler> = {
    [NEW_DATA_ACTIVITY.read]: (_i: unknown, at) => {
      land(at);
      return Promise.resolve({ kind: "ok", value: { seq: state.seq, takenSeq: state.takenSeq, waiting: state.waiting } satisfies PendingView });
    },
    [NEW_DATA_ACTIVITY.startRun]: (_i: unknown, at) => {
      land(at);
      if (state.seq === state.takenSeq) return Promise.resolve({ kind: "ok", value: { started: false, nothing: true } satisfies PendingRunStart });
      if (busy(second(at))) return Promise.resolve({ kind: "ok", value: { started: false, nothing: false, instanceId: "retrain-retrain", runtimeStatus: "Running" } satisfies PendingRunStart });
      starts.push({ at: second(at), seq: state.seq, arrivals: state.waiting });
      state = { ...state, takenSeq: state.seq, waiting: 0 };
      return Promise.resolve({ kind: "ok", value: { started: true, runId: `run-${starts.length}`, source: state.latest!.source, arrivals: starts.at(-1)!.arrivals } satisfies PendingRunStart });
    },
    [NEW_DATA_ACTIVITY.close]: (i: CloseWatcherInput, at) => {
      land(at);
      closes.push(i);
      if (state.seq > state.takenSeq && !i.giveUp) return Promise.resolve({ kind: "ok", value: { closed: false } });
      state = { ...state, watcher: undefined };
      return Promise.resolve({ kind: "ok", value: { closed: true } });
    },
  };
  return { activities, starts, closes, state: () => state };
}

const drive = (w: ReturnType<typeof world>, i = input()) => driveOrchestrator(newDataOrchestrator, i, w.activities, { start: START, activityDurationInMs: 0, maxSteps: 100_000 });

describe("newDataOrchestrator", () => {
  it("makes one run of a burst, on its last blob, once a whole window passed without a new one", async () => {
    const w = world([0, 1, 2, 3, 4]);
    const r = await drive(w);
    expect(r.error).toBeUndefined();
    expect(w.starts).toEqual([{ at: expect.any(Number) as number, seq: 5, arrivals: 5 }]);
    // the last blob landed at 4 s: the run waits at least a quiet minute after it, and not two
    expect(w.starts[0]!.at).toBeGreaterThanOrEqual(60);
    expect(w.starts[0]!.at).toBeLessThanOrEqual(4 + 2 * 60);
    expect(r.output).toEqual({ runs: ["run-1"] });
    expect(w.state().watcher).toBeUndefined();
  });

  it("starts a burst that never pauses once the window bound is reached, and releases the rest to the next arrival's watcher", async () => {
    const every30s = Array.from({ length: 40 }, (_, i) => i * 30); // 20 minutes, never a quiet minute
    const w = world(every30s);
    const r = await drive(w);
    expect(r.error).toBeUndefined();
    expect(w.starts).toHaveLength(1);
    expect(w.starts[0]!.at).toBeGreaterThanOrEqual(MAX_DEBOUNCE_WINDOWS * 60);
    expect(w.starts[0]!.at).toBeLessThanOrEqual(MAX_DEBOUNCE_WINDOWS * 60 + 30);
    // the watcher ends once nothing waits; a blob after that is the trigger's to give a new watcher
    expect(w.state().watcher).toBeUndefined();
  });

  it("waits for a busy endpoint and makes exactly one follow-up of everything that landed meanwhile", async () => {
    const w = world([0, 120, 300, 600], (s) => s < 20 * 60);
    const r = await drive(w);
    expect(r.error).toBeUndefined();
    expect(w.starts).toHaveLength(1);
    expect(w.starts[0]).toMatchObject({ seq: 4, arrivals: 4 });
    expect(w.starts[0]!.at).toBeGreaterThanOrEqual(20 * 60);
    expect(w.starts[0]!.at).toBeLessThanOrEqual(20 * 60 + 15);
    expect((r.statuses as NewDataStatus[]).some((s) => s.stage === "waiting-for-run" && s.waiting === 4)).toBe(true);
  });

  it("gives up on an endpoint busy past its bound, leaving the data waiting and the watcher released", async () => {
    const w = world([0], () => true);
    const r = await drive(w, input({ waitLimitInMinutes: 30 }));
    expect(r.error).toBeUndefined();
    expect(w.starts).toEqual([]);
    expect(r.output).toEqual({ runs: [], gaveUp: "endpoint retrain's run instance was still Running after 30 min" });
    expect(w.closes.at(-1)).toMatchObject({ giveUp: expect.stringMatching(/still Running/) as string });
    expect(w.state()).toMatchObject({ seq: 1, takenSeq: 0 });
    expect((r.clock.now.getTime() - START.getTime()) / 60_000).toBeLessThanOrEqual(31);
  });

  it("keeps its history bounded: continues as new while it waits", async () => {
    const w = world([0], (s) => s < 3 * 3600);
    const r = await drive(w, input({ waitLimitInMinutes: 240 }));
    expect(r.error).toBeUndefined();
    const continues = r.steps.filter((s) => s.kind === "continueAsNew").length;
    // 3 hours of 15 s checks: 720 looks, in windows of NEW_DATA_CHECKS_PER_WINDOW
    expect(continues).toBeGreaterThanOrEqual(Math.floor(720 / NEW_DATA_CHECKS_PER_WINDOW) - 1);
    expect(w.starts).toHaveLength(1);
  });
});
