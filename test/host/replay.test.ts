import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventType } from "../../local-host/durable/history";
import { shape, episodeStart, eventOf, executions, fixtureState, ms, startFixtureHost, uniqueHub, type FixtureHost } from "./fixture-host";

// Virtual time runs 10 000× faster than real time: a one-hour durable timer takes 0.36 s.
const SPEED = 10_000;
// How late (virtual ms) a timer may be observed: real timer jitter (a few ms) × SPEED.
const LATE = 5 * 60_000;
// The engine dates a retry timer from its own clock reading, taken a few microseconds after the
// episode's OrchestratorStarted: at SPEED that is up to a few virtual seconds.
const JITTER = 60_000;

let f: FixtureHost;

beforeAll(async () => {
  f = await startFixtureHost({ hubName: uniqueHub("replay"), speed: SPEED });
});
afterAll(() => f?.host.stop());

async function run(name: string, input: unknown, id: string) {
  await f.start(name, input, id);
  return f.ended(id);
}

describe("replay of each durable action through the local host, with the real durable-functions library", () => {
  it("a sequence of activities: one episode per completion, and each activity runs once despite the replays", async () => {
    const s = await run("Sequence", { key: "seq", values: ["a", "b", "c"] }, "seq");
    expect(s.status).toBe("Completed");
    expect(s.output).toEqual(["a!", "b!", "c!"]);
    expect(shape(s.history)).toEqual([
      "ExecutionStarted", "TaskScheduled(0)", "TaskCompleted(→0)", "TaskScheduled(1)", "TaskCompleted(→1)",
      "TaskScheduled(2)", "TaskCompleted(→2)", "ExecutionCompleted",
    ]);
    expect(s.episodes).toBe(4);
    expect(executions("Echo", "seq")).toBe(3);
    // Every episode is bracketed, and everything before the last OrchestratorStarted is marked played.
    expect(s.history.filter((e) => e.EventType === EventType.OrchestratorStarted)).toHaveLength(4);
    expect(s.history.filter((e) => e.EventType === EventType.OrchestratorCompleted)).toHaveLength(4);
    const lastStart = s.history.map((e) => e.EventType).lastIndexOf(EventType.OrchestratorStarted);
    expect(s.history.slice(0, lastStart).every((e) => e.IsPlayed)).toBe(true);
  });

  it("an activity with retry that succeeds on attempt 3: failure → retry timer → next attempt, numbered as DTFx does", async () => {
    const s = await run("RetryActivity", { key: "retry-ok", failTimes: 2 }, "retry-ok");
    expect(s.status).toBe("Completed");
    expect(s.output).toEqual({ ok: "Flaky retry-ok succeeded on attempt 3" });
    expect(executions("Flaky", "retry-ok")).toBe(3);
    expect(shape(s.history)).toEqual([
      "ExecutionStarted", "TaskScheduled(0)",
      "TaskFailed(→0)", "TimerCreated(1)", "TimerFired(→1)", "TaskScheduled(2)",
      "TaskFailed(→2)", "TimerCreated(3)", "TimerFired(→3)", "TaskScheduled(4)",
      "TaskCompleted(→4)", "ExecutionCompleted",
    ]);
    const failed = eventOf(s.history, EventType.TaskFailed);
    expect(failed.Reason).toBe("Flaky retry-ok failed attempt 1");
    // Each retry timer is due firstRetryInterval (1 s) after the episode that saw the failure, and fires no earlier.
    for (const id of [1, 3]) {
      const created = eventOf(s.history, EventType.TimerCreated, (e) => e.EventId === id);
      const fired = eventOf(s.history, EventType.TimerFired, (e) => e.TimerId === id);
      const delay = ms(created.FireAt) - ms(episodeStart(s.history, created).Timestamp);
      expect(delay).toBeGreaterThanOrEqual(1000);
      expect(delay).toBeLessThan(1000 + JITTER);
      expect(fired.FireAt).toBe(created.FireAt);
      expect(ms(fired.Timestamp)).toBeGreaterThanOrEqual(ms(created.FireAt));
      expect(ms(episodeStart(s.history, fired).Timestamp)).toBeGreaterThanOrEqual(ms(created.FireAt));
    }
  });

  it("an activity with retry that fails every attempt: after the last failure's timer the orchestrator catches the error", async () => {
    const s = await run("RetryActivity", { key: "retry-fail", failTimes: 99, attempts: 3 }, "retry-fail");
    expect(s.status).toBe("Completed");
    expect((s.output as { error: string }).error).toContain("Flaky retry-fail failed attempt 3");
    expect(executions("Flaky", "retry-fail")).toBe(3);
    // DTFx (and the library's RetryableTask) waits out one more retry interval after the final failure.
    expect(shape(s.history)).toEqual([
      "ExecutionStarted", "TaskScheduled(0)",
      "TaskFailed(→0)", "TimerCreated(1)", "TimerFired(→1)", "TaskScheduled(2)",
      "TaskFailed(→2)", "TimerCreated(3)", "TimerFired(→3)", "TaskScheduled(4)",
      "TaskFailed(→4)", "TimerCreated(5)", "TimerFired(→5)", "ExecutionCompleted",
    ]);
  });

  it("retry intervals back off as first × coefficient^(attempt−1), capped at maxRetryInterval", async () => {
    const input = { key: "retry-backoff", failTimes: 3, attempts: 4, firstMs: 600_000, backoff: 2, maxMs: 2_000_000 };
    const s = await run("RetryActivity", input, "retry-backoff");
    expect(s.output).toEqual({ ok: "Flaky retry-backoff succeeded on attempt 4" });
    const delays = s.history
      .filter((e) => e.EventType === EventType.TimerCreated)
      .map((e) => ms(e.FireAt) - ms(episodeStart(s.history, e).Timestamp));
    const expected = [600_000, 1_200_000, 2_000_000];
    expect(delays).toHaveLength(expected.length);
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(expected[i]!);
      expect(d).toBeLessThan(expected[i]! + JITTER);
    });
  });

  it("a durable timer fires at its fireAt in virtual time, and the orchestrator resumes at that time", async () => {
    const s = await run("Timer", { minutes: 60 }, "timer");
    expect(s.status).toBe("Completed");
    const out = s.output as { fireAt: string; resumedAt: string };
    expect(shape(s.history)).toEqual(["ExecutionStarted", "TimerCreated(0)", "TimerFired(→0)", "ExecutionCompleted"]);
    const created = eventOf(s.history, EventType.TimerCreated);
    const fired = eventOf(s.history, EventType.TimerFired);
    expect(ms(created.FireAt)).toBe(ms(s.history[0]!.Timestamp) + 3_600_000);
    expect(created.FireAt).toBe(out.fireAt);
    expect(fired.FireAt).toBe(out.fireAt);
    expect(ms(fired.Timestamp)).toBeGreaterThanOrEqual(ms(out.fireAt));
    expect(ms(fired.Timestamp)).toBeLessThan(ms(out.fireAt) + LATE);
    expect(ms(out.resumedAt)).toBeGreaterThanOrEqual(ms(out.fireAt));
    expect(out.resumedAt).toBe(episodeStart(s.history, fired).Timestamp);
  });

  it("a sub-orchestration: the child runs as {executionId}:{seq}, as DTFx names it, and its result resumes the parent", async () => {
    const s = await run("Parent", { key: "sub" }, "sub");
    const childId = `${f.host.engine.get("sub")!.executionId}:0`;
    expect(s.status).toBe("Completed");
    expect(s.output).toEqual({ fromChild: { child: childId, parent: "sub", attempt: 1 }, echoed: "after child!" });
    expect(shape(s.history)).toEqual([
      "ExecutionStarted", "SubOrchestrationInstanceCreated(0)", "SubOrchestrationInstanceCompleted(→0)",
      "TaskScheduled(1)", "TaskCompleted(→1)", "ExecutionCompleted",
    ]);
    const child = f.host.engine.get(childId)!;
    expect(child).toMatchObject({ name: "FlakyChild", status: "Completed", parent: { instanceId: "sub", taskId: 0 } });
    expect(shape(child.history)).toEqual(["ExecutionStarted", "TaskScheduled(0)", "TaskCompleted(→0)", "ExecutionCompleted"]);
    expect(executions("Tick", "sub")).toBe(1);
  });

  it("a parent started again under the same id runs a new child under its new execution id", async () => {
    const first = await run("Parent", { key: "again" }, "again");
    const firstChild = `${f.host.engine.get("again")!.executionId}:0`;
    expect(first.output).toMatchObject({ fromChild: { child: firstChild, attempt: 1 } });
    const second = await run("Parent", { key: "again" }, "again");
    const secondChild = `${f.host.engine.get("again")!.executionId}:0`;
    expect(secondChild).not.toBe(firstChild);
    expect(second.output).toMatchObject({ fromChild: { child: secondChild, attempt: 2 } });
    expect(executions("Tick", "again")).toBe(2);
  });

  it("a sub-orchestration with retry: each failed child is followed by a retry timer and a new child", async () => {
    const s = await run("ParentWithRetry", { key: "subretry", failTimes: 2 }, "subretry");
    expect(s.status).toBe("Completed");
    expect(s.output).toMatchObject({ ok: { parent: "subretry", attempt: 3 } });
    expect(shape(s.history)).toEqual([
      "ExecutionStarted", "SubOrchestrationInstanceCreated(0)",
      "SubOrchestrationInstanceFailed(→0)", "TimerCreated(1)", "TimerFired(→1)", "SubOrchestrationInstanceCreated(2)",
      "SubOrchestrationInstanceFailed(→2)", "TimerCreated(3)", "TimerFired(→3)", "SubOrchestrationInstanceCreated(4)",
      "SubOrchestrationInstanceCompleted(→4)", "ExecutionCompleted",
    ]);
    expect(eventOf(s.history, EventType.SubOrchestrationInstanceFailed).Reason).toContain("child subretry failed attempt 1");
    expect(executions("Tick", "subretry")).toBe(3);
    const children = f.host.engine.list().filter((c) => c.parent?.instanceId === "subretry");
    expect(children.map((c) => c.status).sort()).toEqual(["Completed", "Failed", "Failed"]);
    expect(children.map((c) => c.parent!.taskId).sort()).toEqual([0, 2, 4]);
    expect((s.output as { ok: { child: string } }).ok.child).toBe(children.find((c) => c.status === "Completed")!.instanceId);
  });

  it("a sub-orchestration with retry that fails every attempt surfaces the child's error to the parent", async () => {
    const s = await run("ParentWithRetry", { key: "subretry-fail", failTimes: 99, attempts: 2 }, "subretry-fail");
    expect(s.status).toBe("Completed");
    expect((s.output as { error: string }).error).toContain("child subretry-fail failed attempt 2");
    expect(executions("Tick", "subretry-fail")).toBe(2);
  });

  it("Task.all fans out N activities in one episode and resumes once all have completed", async () => {
    const s = await run("FanOut", { key: "fan", n: 5 }, "fan");
    expect(s.status).toBe("Completed");
    expect(s.output).toEqual({ squares: [1, 4, 9, 16, 25], sum: 55 });
    expect(executions("Square", "fan")).toBe(5);
    const d = shape(s.history);
    expect(d.slice(0, 6)).toEqual(["ExecutionStarted", "TaskScheduled(0)", "TaskScheduled(1)", "TaskScheduled(2)", "TaskScheduled(3)", "TaskScheduled(4)"]);
    expect(d.slice(6, 11).sort()).toEqual(["TaskCompleted(→0)", "TaskCompleted(→1)", "TaskCompleted(→2)", "TaskCompleted(→3)", "TaskCompleted(→4)"]);
    expect(d[11]).toBe("ExecutionCompleted");
    expect(s.episodes).toBe(6);
  });

  it("Task.all of activities with retry: retry timers and attempts take the next ids in the order failures arrive", async () => {
    const s = await run("FanOutWithRetry", { key: "fanretry", n: 3 }, "fanretry");
    expect(s.status).toBe("Completed");
    expect(s.output).toEqual([1, 2, 3].map((n, i) => `Flaky fanretry-${i} succeeded on attempt ${n}`));
    expect([0, 1, 2].map((i) => executions("Flaky", `fanretry-${i}`))).toEqual([1, 2, 3]);
    // Every id is used exactly once, and every completion refers to an id scheduled before it.
    const ids = s.history.filter((e) => e.EventId >= 0).map((e) => e.EventId);
    expect([...ids].sort((a, b) => a - b)).toEqual([...Array(ids.length).keys()]);
    const seen = new Set<number>();
    for (const e of s.history) {
      if (e.EventId >= 0) seen.add(e.EventId);
      const ref = e.TaskScheduledId ?? e.TimerId;
      if (typeof ref === "number") expect(seen.has(ref)).toBe(true);
    }
    // 3 first attempts + 3 retry timers + 3 retry attempts.
    expect(ids).toHaveLength(9);
  });

  it("Task.all fails fast; the orchestrator catches and its next activity takes the next id", async () => {
    const s = await run("FanOutFailFast", { key: "failfast" }, "failfast");
    expect(s.status).toBe("Completed");
    expect(s.output).toMatchObject({ caught: expect.stringContaining("Flaky failfast failed attempt 1") as unknown, after: "after!" });
    const d = shape(s.history);
    expect(d.slice(0, 4)).toEqual(["ExecutionStarted", "TaskScheduled(0)", "TaskScheduled(1)", "TaskScheduled(2)"]);
    expect(d[4]).toBe("TaskFailed(→1)");
    expect(d[5]).toBe("TaskScheduled(3)");
    expect(eventOf(s.history, EventType.TaskScheduled, (e) => e.EventId === 3).Name).toBe("Echo");
  });

  it("two raises of the same event answer two waits for it, in order, even when both arrive early", async () => {
    const id = await f.start("TwoEvents", null, "two-events");
    await f.call("POST", `/_durable/instances/${id}/raiseEvent/Item`, 1);
    await f.call("POST", `/_durable/instances/${id}/raiseEvent/Item`, 2);
    const s = await f.ended(id);
    expect(s.output).toEqual([1, 2]);
  });

  it("Task.any: a quick activity beats a one-day timer", async () => {
    const s = await run("Race", { key: "race-activity", activityMs: 0, timerMinutes: 24 * 60 }, "race-activity");
    expect(s.output).toEqual({ winner: "activity", result: "slow done" });
    expect(shape(s.history)).toEqual(["ExecutionStarted", "TaskScheduled(0)", "TimerCreated(1)", "TaskCompleted(→0)", "ExecutionCompleted"]);
  });

  it("Task.any: a one-minute timer beats an activity taking half a real second", async () => {
    const s = await run("Race", { key: "race-timer", activityMs: 500, timerMinutes: 1 }, "race-timer");
    const out = s.output as { winner: string; at: string };
    expect(out.winner).toBe("timer");
    expect(shape(s.history)).toEqual(["ExecutionStarted", "TaskScheduled(0)", "TimerCreated(1)", "TimerFired(→1)", "ExecutionCompleted"]);
    expect(ms(out.at)).toBeGreaterThanOrEqual(ms(eventOf(s.history, EventType.TimerCreated).FireAt));
    expect(executions("Slow", "race-timer")).toBe(1);
  });

  it("waitForExternalEvent is answered by an event raised through the durable client's HTTP API", async () => {
    const id = await f.start("WaitForApproval", null, "approval");
    await expect.poll(() => f.host.engine.get(id)?.customStatus, { timeout: 10_000 }).toEqual({ stage: "waiting" });
    expect(f.host.engine.get(id)!.status).toBe("Running");
    const raised = await f.call("POST", `/_durable/instances/${id}/raiseEvent/Approval`, { by: "ann" });
    expect(raised.status).toBe(202);
    const s = await f.ended(id);
    expect(s.status).toBe("Completed");
    expect(s.output).toEqual({ approved: { by: "ann" } });
    expect(s.customStatus).toEqual({ stage: "approved", by: "ann" });
    expect(shape(s.history)).toEqual(["ExecutionStarted", "EventRaised", "ExecutionCompleted"]);
    expect(eventOf(s.history, EventType.EventRaised)).toMatchObject({ Name: "Approval", Input: JSON.stringify({ by: "ann" }) });
  });

  it("an event raised before the orchestrator waits for it is kept until it does", async () => {
    const id = await f.start("WaitForApproval", null, "approval-early");
    expect((await f.call("POST", `/_durable/instances/${id}/raiseEvent/Approval`, { by: "early" })).status).toBe(202);
    const s = await f.ended(id);
    expect(s.output).toEqual({ approved: { by: "early" } });
  });

  it("continueAsNew loops K times with a fresh history each time, then returns", async () => {
    const s = await run("Looper", { key: "loop", i: 0, k: 3 }, "loop");
    expect(s.status).toBe("Completed");
    expect(s.output).toEqual({ i: 3, last: "loop 3!" });
    expect(s.executions).toBe(4);
    expect(JSON.parse(s.input)).toEqual({ key: "loop", i: 3, k: 3 });
    expect(s.customStatus).toEqual({ i: 3 });
    expect(executions("Echo", "loop")).toBe(4);
    // Only the last execution's history is kept, and it starts like any new execution.
    expect(s.history[0]!.EventType).toBe(EventType.OrchestratorStarted);
    expect(shape(s.history)).toEqual(["ExecutionStarted", "TaskScheduled(0)", "TaskCompleted(→0)", "ExecutionCompleted"]);
    expect(JSON.parse(String(eventOf(s.history, EventType.ExecutionStarted).Input))).toEqual({ key: "loop", i: 3, k: 3 });
  });

  it("an orchestrator that throws ends Failed with its message", async () => {
    const s = await run("Thrower", { key: "thrower" }, "thrower");
    expect(s.status).toBe("Failed");
    expect(String(s.output)).toContain("orchestrator thrower exploded");
    expect(shape(s.history)).toEqual(["ExecutionStarted", "TaskScheduled(0)", "TaskCompleted(→0)", "ExecutionFailed"]);
    expect(String(eventOf(s.history, EventType.ExecutionFailed).Reason)).toContain("orchestrator thrower exploded");
    expect(executions("Echo", "thrower")).toBe(1);
  });

  it("a non-deterministic orchestrator (its replay yields B where A was recorded) ends Failed", async () => {
    const state = fixtureState();
    state.nonDeterministicUseB = false;
    try {
      const id = await f.start("NonDeterministic", { key: "nondet" }, "nondet");
      // Wait until A has run and the episode that scheduled the event wait is recorded.
      await expect.poll(() => {
        const s = f.host.engine.get(id);
        return s ? shape(s.history).join(" ") : "";
      }, { timeout: 10_000 }).toBe("ExecutionStarted TaskScheduled(0) TaskCompleted(→0)");
      await expect.poll(() => f.host.engine.get(id)!.history.at(-1)!.EventType, { timeout: 10_000 }).toBe(EventType.OrchestratorCompleted);
      state.nonDeterministicUseB = true;
      const raised = await f.call("POST", `/_durable/instances/${id}/raiseEvent/Go`, { go: true });
      expect(raised.status).toBe(202);
      const s = await f.ended(id);
      expect(s.status).toBe("Failed");
      expect(String(s.output)).toMatch(/non-determinis/i);
      expect(String(s.output)).toContain("0:A");
      expect(String(s.output)).toContain("0:B");
      expect(shape(s.history).at(-1)).toBe("ExecutionFailed");
      expect(executions("A", "nondet")).toBe(1);
      expect(executions("B", "nondet")).toBe(0);
    } finally {
      state.nonDeterministicUseB = false;
    }
  });
});
