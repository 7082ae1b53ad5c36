import { createRequire } from "node:module";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { DurableEngine } from "../../local-host/durable/engine";
import { InstanceStore, type StateStore } from "../../local-host/durable/store";
import { ScaledClock } from "../../local-host/durable/clock";
import type { HistoryEvent } from "../../local-host/durable/history";
import { installCoreStandIn, registrations } from "../../local-host/registry";
import { APP_PATH, executions, shape, uniqueHub } from "./fixture-host";
import { FlakyStore } from "./flaky-store";

// Fast backoff: the policy is the engine's to choose; these tests are about what it guarantees.
const SAVE_RETRY = { firstDelayInMs: 1, maxDelayInMs: 20 };
const SPEED = 1_000;

beforeAll(() => {
  installCoreStandIn();
  createRequire(__filename)(APP_PATH);
});

const engines: DurableEngine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop();
});

async function engineOn(store: StateStore, logs: string[] = [], storageStartTimeoutInMs?: number): Promise<DurableEngine> {
  const engine = new DurableEngine({
    store, clock: new ScaledClock(SPEED), functions: registrations(), log: (l) => logs.push(l), saveRetry: SAVE_RETRY,
    ...(storageStartTimeoutInMs === undefined ? {} : { storageStartTimeoutInMs }),
  });
  engines.push(engine);
  await engine.start();
  return engine;
}

const azurite = (hub: string) => InstanceStore.forHub(inject("azuriteConnectionString"), hub);
const outageLines = (logs: string[]) => logs.filter((l) => /^storage (unavailable|is back)/.test(l));

/** Starts the Durable fixture and waits until its first timer is armed and that episode is stored. */
async function startUntilFirstTimer(engine: DurableEngine, id: string): Promise<void> {
  await engine.startNew("Durable", id, JSON.stringify({ key: id, minutes: 2 }));
  await expect.poll(() => shape(engine.get(id)!.history), { timeout: 10_000 }).toEqual(["ExecutionStarted", "TaskScheduled(0)", "TaskCompleted(→0)", "TimerCreated(1)"]);
  await expect.poll(() => engine.get(id)!.history.at(-1)!.EventType, { timeout: 10_000 }).toBe(13);
}

/** A history as it would read with `key` as its id, no execution id (default child ids hold it) and no clock in it: comparable across runs. */
function normalised(state: { readonly history: readonly HistoryEvent[]; readonly executionId: string }, key: string): unknown[] {
  return (JSON.parse(JSON.stringify(state.history).replaceAll(state.executionId, "EXECUTION").replaceAll(key, "KEY")) as Record<string, unknown>[]).map(({ Timestamp: _t, FireAt: _f, ...rest }) => rest);
}

/** One run of each orchestration that touches a save path: episodes, deliveries, child completions, raised events. */
async function runAll(engine: DurableEngine, prefix: string) {
  const runs: [string, unknown][] = [
    ["Sequence", { values: ["a", "b", "c"] }],
    ["RetryActivity", { failTimes: 1 }],
    ["Parent", {}],
    ["ParentWithRetry", { failTimes: 1 }],
    ["FanOut", { n: 4 }],
    ["WaitForApproval", null],
  ];
  const ids = await Promise.all(runs.map(async ([name, input]) => {
    const id = `${prefix}-${name.toLowerCase()}`;
    await engine.startNew(name, id, JSON.stringify(input === null ? null : { key: id, ...(input as object) }));
    return id;
  }));
  const waiter = ids.at(-1)!;
  await expect.poll(() => (engine.get(waiter)?.customStatus as { stage?: string } | undefined)?.stage, { timeout: 10_000 }).toBe("waiting");
  await engine.raiseEvent(waiter, "Approval", JSON.stringify({ by: "someone" }));
  const ended = await Promise.all(ids.map((id) => engine.waitUntilEnded(id)));
  return ids.map((id, i) => ({ id, state: ended[i]! }));
}

describe("the engine during a storage outage", () => {
  it("saves that fail twice before each success change nothing: same histories, same activity runs, and storage ends up with the final state", async () => {
    const clean = await runAll(await engineOn(azurite(uniqueHub("clean"))), "clean");
    const flaky = new FlakyStore(azurite(uniqueHub("flaky")));
    flaky.failEachSave(2);
    const logs: string[] = [];
    const engine = await engineOn(flaky, logs);
    const withFailures = await runAll(engine, "flaky");

    for (const [i, run] of withFailures.entries()) {
      const reference = clean[i]!;
      expect(run.state.status, run.id).toBe(reference.state.status);
      expect(normalised(run.state, run.id), run.id).toEqual(normalised(reference.state, reference.id));
      expect(JSON.stringify(run.state.output).replaceAll(run.state.executionId, "EXECUTION").replaceAll(run.id, "KEY")).toBe(JSON.stringify(reference.state.output).replaceAll(reference.state.executionId, "EXECUTION").replaceAll(reference.id, "KEY"));
    }
    for (const [activity, suffix] of [["Echo", "sequence"], ["Flaky", "retryactivity"], ["Tick", "parentwithretry"], ["Square", "fanout"]] as const) {
      expect(executions(activity, `flaky-${suffix}`), activity).toBe(executions(activity, `clean-${suffix}`));
    }
    // Every save was retried, and the stored state is the in-memory one once the last save lands.
    expect(engine.storageFailures).toBe(flaky.failures);
    expect(flaky.failures).toBeGreaterThan(20);
    const stored = async () => new Map((await flaky.inner.loadAll()).map((s) => [s.instanceId, s]));
    await expect.poll(async () => [...(await stored()).values()].filter((s) => s.status === "Completed").length, { timeout: 10_000 }).toBe(8);
    const final = await stored();
    for (const run of withFailures) expect(final.get(run.id)?.history).toEqual(run.state.history);
    expect(logs.some((l) => l.startsWith("host error"))).toBe(false);
    expect(outageLines(logs).length).toBeGreaterThan(0);
  });

  it("while storage is down an instance waits: the timer's completion is not acted on, no new work runs; when storage returns it goes on by itself", async () => {
    const store = new FlakyStore(azurite(uniqueHub("down")));
    const logs: string[] = [];
    const engine = await engineOn(store, logs);
    const id = "down";
    await startUntilFirstTimer(engine, id);

    // The timer (two virtual minutes, 120 ms real) fires and its delivery is stored; then storage
    // goes, so the episode that schedules the next activity cannot be saved, and is retried.
    store.downAfterSaves(1);
    await expect.poll(() => store.failures, { timeout: 10_000 }).toBeGreaterThanOrEqual(5);
    expect(shape(engine.get(id)!.history)).toEqual(["ExecutionStarted", "TaskScheduled(0)", "TaskCompleted(→0)", "TimerCreated(1)", "TimerFired(→1)", "TaskScheduled(2)"]);
    expect(executions("Echo", id)).toBe(1);
    expect(outageLines(logs)).toEqual([expect.stringMatching(/^storage unavailable \(ECONNREFUSED: connect ECONNREFUSED/)]);

    store.down = false;
    await expect.poll(() => executions("Echo", id), { timeout: 10_000 }).toBe(2);
    await engine.raiseEvent(id, "Approval", JSON.stringify({ by: "after the outage" }));
    const ended = await engine.waitUntilEnded(id);
    expect(ended.status).toBe("Completed");
    expect(shape(ended.history)).toEqual([
      "ExecutionStarted", "TaskScheduled(0)", "TaskCompleted(→0)", "TimerCreated(1)", "TimerFired(→1)",
      "TaskScheduled(2)", "TaskCompleted(→2)", "EventRaised", "ExecutionCompleted",
    ]);
    // One line when storage went away, one when it came back; none per attempt.
    expect(outageLines(logs)).toEqual([expect.stringMatching(/^storage unavailable/), expect.stringMatching(/^storage is back after [\d.]+ s \(\d+ failed attempts retried\)/)]);
    expect(logs.some((l) => l.startsWith("host error"))).toBe(false);
  });

  it("an event raised while storage is down is accepted only once it is stored", async () => {
    const store = new FlakyStore(azurite(uniqueHub("raise")));
    const engine = await engineOn(store);
    const id = "raise";
    await engine.startNew("WaitForApproval", id, "null");
    await expect.poll(() => (engine.get(id)!.customStatus as { stage?: string } | undefined)?.stage, { timeout: 10_000 }).toBe("waiting");
    await expect.poll(() => engine.get(id)!.history.at(-1)!.EventType, { timeout: 10_000 }).toBe(13);

    store.down = true;
    let accepted = false;
    const raised = engine.raiseEvent(id, "Approval", JSON.stringify({ by: "during the outage" })).then(() => (accepted = true));
    await expect.poll(() => store.failures, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    expect(accepted).toBe(false);
    expect(engine.get(id)!.status).toBe("Running");

    store.down = false;
    await raised;
    expect((await engine.waitUntilEnded(id)).output).toEqual({ approved: { by: "during the outage" } });
  });

  it("a host stopped during an outage loses nothing: the next host resumes from the last stored state, and unsaved work was never started", async () => {
    const hub = uniqueHub("stopped");
    const store = new FlakyStore(azurite(hub));
    const logs: string[] = [];
    const first = await engineOn(store, logs);
    const id = "stopped";
    await startUntilFirstTimer(first, id);
    // As above: the timer's delivery is stored, the episode that schedules "after" is not.
    store.downAfterSaves(1);
    await expect.poll(() => store.failures, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    expect(shape(first.get(id)!.history).at(-1)).toBe("TaskScheduled(2)");
    await first.stop();
    engines.splice(engines.indexOf(first), 1);
    expect(logs.some((l) => l.startsWith("host error"))).toBe(false);

    // Stored: the timer's delivery, waiting in the inbox; not the episode that acted on it.
    const stored = (await store.inner.loadAll()).find((s) => s.instanceId === id)!;
    expect(shape(stored.history)).toEqual(["ExecutionStarted", "TaskScheduled(0)", "TaskCompleted(→0)", "TimerCreated(1)"]);
    expect(stored.inbox.map((e) => e.EventType)).toEqual([11]);
    const second = await engineOn(azurite(hub));
    await expect.poll(() => executions("Echo", id), { timeout: 10_000 }).toBe(2);
    await second.raiseEvent(id, "Approval", JSON.stringify({ by: "second host" }));
    expect((await second.waitUntilEnded(id)).status).toBe("Completed");
    expect(executions("Echo", id)).toBe(2);
  });

  it("at start, storage that is down is waited for; storage that stays down fails the start with a clear error", async () => {
    const store = new FlakyStore(azurite(uniqueHub("start")));
    store.down = true;
    const logs: string[] = [];
    const starting = engineOn(store, logs);
    await expect.poll(() => store.failures, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    store.down = false;
    await starting;
    expect(outageLines(logs)).toHaveLength(2);

    const never = new FlakyStore(azurite(uniqueHub("never")));
    never.down = true;
    await expect(engineOn(never, [], 200)).rejects.toThrow(
      /^Could not load the instances in the storage that holds the Durable state \(AzureWebJobsStorage\) within 0\.2 s: ECONNREFUSED: connect ECONNREFUSED/,
    );
  });
});
