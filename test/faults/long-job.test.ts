import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import { onRealEngine } from "../support/engine";
import { MemoryStateStore } from "../../local-host/durable/memory-store";
import { POLLS_PER_WINDOW } from "../../functions/orchestrators/policies";

const POLLS = 10_000;
/** History events one poll adds: episode brackets ×2, TaskScheduled/Completed, TimerCreated/Fired. */
const EVENTS_PER_POLL = 8;

let p: HostedPipeline;
// Local engine only: it measures the local engine's replay work at 10^6× time, which the real
// engine (real time) cannot run; its bounded history comes from the app's windows, the same on both.
beforeAll(async () => {
  if (onRealEngine) return;
  // Durable timers pass at once (1 s polls at 10^6× real time), and the Durable state is kept in
  // memory: what this measures is the engine's replay work, not storage round trips (persistence
  // and outages have their own tests). The ML service, staging and run records are the real ones.
  p = await startHostedPipeline({
    speed: 1_000_000,
    store: new MemoryStateStore(),
    settings: { POLL_FIRST_INTERVAL_SECONDS: "1", POLL_BACKOFF_FACTOR: "1", POLL_MAX_INTERVAL_SECONDS: "1", JOB_DEADLINE_MINUTES: "1000000000", RETRAIN_GATE: "AUC>=0.8" },
  });
});
afterAll(() => p?.stop());

describe.skipIf(onRealEngine)("a very long job", () => {
  it(`${POLLS} polls in one run: the history stays bounded, and no episode replays more than one polling window`, { timeout: 180_000 }, async () => {
    // the service keeps the job Running until it has been polled 10 000 times
    await p.emulator.admin("POST", "faults", { holdRunningPolls: POLLS });
    const t0 = Date.now();
    expect((await p.call("POST", "/api/retrain", {})).status).toBe(202);
    const run = await p.local!.engine.waitUntilEnded("retrain-retrain");
    const seconds = (Date.now() - t0) / 1000;
    const status = (await p.call("GET", "/api/retrain/retrain-retrain")).body as Record<string, unknown>;
    expect(status).toMatchObject({ runtimeStatus: "Completed", result: "promoted", jobState: "Finished" });
    expect(status.polls as number).toBeGreaterThanOrEqual(POLLS);
    const calls = (await p.emulator.admin("GET", "calls")).body as Record<string, number>;
    expect(calls.status).toBeGreaterThanOrEqual(POLLS);
    expect(calls.submit).toBe(1);

    const poller = p.local!.engine.list().find((s) => s.instanceId.startsWith("retrain-retrain-poll-"))!;
    expect(poller.status).toBe("Completed");
    // one execution per window of polls, each starting from an empty history
    expect(poller.executions).toBe(Math.ceil((status.polls as number) / POLLS_PER_WINDOW));
    const windowBound = EVENTS_PER_POLL * POLLS_PER_WINDOW + 4;
    expect(poller.peakHistoryEvents).toBeLessThanOrEqual(windowBound);
    // the run itself sees the whole polling as one sub-orchestration
    expect(run.peakHistoryEvents).toBeLessThanOrEqual(50);
    const episodes = run.episodes + poller.episodes;
    console.log(
      `long job: ${String(status.polls)} polls in ${seconds.toFixed(1)} s (${((seconds * 1000) / (status.polls as number)).toFixed(2)} ms per poll); ` +
      `${episodes} episodes; most history events replayed by one episode: poller ${poller.peakHistoryEvents}, run ${run.peakHistoryEvents} ` +
      `(without windows the last episode would replay ~${EVENTS_PER_POLL * (status.polls as number)}); poller executions ${poller.executions}`,
    );
  });
});
