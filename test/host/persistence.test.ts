import { afterEach, describe, expect, it } from "vitest";
import { EventType } from "../../local-host/durable/history";
import { shape, episodeStart, eventOf, executions, KEY, ms, startFixtureHost, uniqueHub, type FixtureHost } from "./fixture-host";

// Slow enough that a timer of hours cannot fire while the first host runs; the second host's
// clock starts shortly before the timer is due, as if the host had been down in between.
const SPEED = 1_000;
const LATE = 60_000;

const running: FixtureHost[] = [];
afterEach(async () => {
  for (const f of running.splice(0)) await f.host.stop();
});

async function host(hubName: string, virtualStart?: number): Promise<FixtureHost> {
  const f = await startFixtureHost({ hubName, speed: SPEED, ...(virtualStart === undefined ? {} : { virtualStart }) });
  running.push(f);
  return f;
}

/** Waits until the instance's last episode is closed with `expected` recorded, i.e. it is idle. */
async function idleAt(f: FixtureHost, id: string, expected: string[]) {
  await expect.poll(() => shape(f.host.engine.get(id)?.history ?? []), { timeout: 10_000 }).toEqual(expected);
  await expect.poll(() => f.host.engine.get(id)!.history.at(-1)!.EventType, { timeout: 10_000 }).toBe(EventType.OrchestratorCompleted);
}

describe("instances survive a host restart on the same hub and storage", () => {
  it("a timer set before the restart fires at its original fireAt afterwards; completed activities are not run again", async () => {
    const hub = uniqueHub("persist");
    const first = await host(hub);
    const id = await first.start("Durable", { key: "restart", minutes: 120 }, "restart");
    await idleAt(first, id, ["ExecutionStarted", "TaskScheduled(0)", "TaskCompleted(→0)", "TimerCreated(1)"]);
    const before = structuredClone(first.host.engine.get(id)!);
    const fireAt = String(eventOf(before.history, EventType.TimerCreated).FireAt);
    // The orchestrator dated it from currentUtcDateTime: the start of the episode that created it.
    expect(ms(fireAt)).toBe(ms(episodeStart(before.history, eventOf(before.history, EventType.TimerCreated)).Timestamp) + 120 * 60_000);
    expect(executions("Echo", "restart")).toBe(1);
    await first.host.stop();
    running.splice(running.indexOf(first), 1);

    // The next host's clock starts ten (virtual) minutes before the timer is due; by the time it has
    // loaded its instances from storage the timer must still be ahead, or "fires at fireAt" proves nothing.
    const second = await host(hub, ms(fireAt) - 10 * 60_000);
    expect(second.clock.now()).toBeLessThan(ms(fireAt));
    expect(second.logs.some((l) => l.startsWith(`resuming ${id} (Durable)`))).toBe(true);
    const resumed = second.host.engine.get(id)!;
    expect(resumed.history.slice(0, before.history.length)).toEqual(before.history);
    const status = await second.call("GET", `/runtime/webhooks/durabletask/instances/${id}?code=${KEY}`);
    expect(status).toMatchObject({ status: 202, body: { runtimeStatus: "Running", customStatus: { waitingUntil: fireAt } } });

    await idleAt(second, id, [
      "ExecutionStarted", "TaskScheduled(0)", "TaskCompleted(→0)", "TimerCreated(1)",
      "TimerFired(→1)", "TaskScheduled(2)", "TaskCompleted(→2)",
    ]);
    expect((await second.call("POST", `/runtime/webhooks/durabletask/instances/${id}/raiseEvent/Approval?code=${KEY}`, { by: "after restart" })).status).toBe(202);
    const s = await second.ended(id);

    expect(s.status).toBe("Completed");
    expect(s.output).toMatchObject({ before: "before!", after: "after!", approval: { by: "after restart" }, fireAt });
    // "before" ran once, on the first host; the second host only ran "after".
    expect(executions("Echo", "restart")).toBe(2);
    const fired = eventOf(s.history, EventType.TimerFired);
    expect(fired.FireAt).toBe(fireAt);
    expect(ms(fired.Timestamp)).toBeGreaterThanOrEqual(ms(fireAt));
    expect(ms(fired.Timestamp)).toBeLessThan(ms(fireAt) + LATE);
    const resumedAt = episodeStart(s.history, fired).Timestamp;
    expect(ms(resumedAt)).toBeGreaterThanOrEqual(ms(fireAt));
    expect(ms(resumedAt)).toBeLessThan(ms(fireAt) + LATE);
    expect(ms((s.output as { resumedAt: string }).resumedAt)).toBeGreaterThanOrEqual(ms(fireAt));
  });

  it("a long timer (7 days, which the library splits into sub-timers) also survives a restart and fires at its final fireAt", async () => {
    const hub = uniqueHub("persistlong");
    const first = await host(hub);
    const id = await first.start("Timer", { minutes: 7 * 24 * 60 }, "long");
    await idleAt(first, id, ["ExecutionStarted", "TimerCreated(0)"]);
    const fireAt = String(eventOf(first.host.engine.get(id)!.history, EventType.TimerCreated).FireAt);
    await first.host.stop();
    running.splice(running.indexOf(first), 1);

    const second = await host(hub, ms(fireAt) - 10 * 60_000);
    expect(second.clock.now()).toBeLessThan(ms(fireAt));
    const s = await second.ended(id);
    expect(s.status).toBe("Completed");
    const out = s.output as { fireAt: string; resumedAt: string };
    expect(out.fireAt).toBe(fireAt);
    expect(ms(out.resumedAt)).toBeGreaterThanOrEqual(ms(fireAt));
    expect(ms(out.resumedAt)).toBeLessThan(ms(fireAt) + LATE);
    expect(shape(s.history)).toEqual(["ExecutionStarted", "TimerCreated(0)", "TimerFired(→0)", "ExecutionCompleted"]);
  });

  it("a parent waiting on a child that waits on a timer: both resume, and the child's result reaches the parent", async () => {
    const hub = uniqueHub("persistsub");
    const first = await host(hub);
    const id = await first.start("ParentOfTimer", { minutes: 180 }, "parent");
    await idleAt(first, id, ["ExecutionStarted", "SubOrchestrationInstanceCreated(0)"]);
    const childId = `${first.host.engine.get(id)!.executionId}:0`;
    await idleAt(first, childId, ["ExecutionStarted", "TimerCreated(0)"]);
    const fireAt = String(eventOf(first.host.engine.get(childId)!.history, EventType.TimerCreated).FireAt);
    await first.host.stop();
    running.splice(running.indexOf(first), 1);

    const second = await host(hub, ms(fireAt) - 10 * 60_000);
    const s = await second.ended(id);
    expect(s.status).toBe("Completed");
    expect(s.output).toMatchObject({ child: { fireAt } });
    expect(shape(s.history)).toEqual(["ExecutionStarted", "SubOrchestrationInstanceCreated(0)", "SubOrchestrationInstanceCompleted(→0)", "ExecutionCompleted"]);
    expect(second.host.engine.get(childId)!.status).toBe("Completed");
  });

  it("an activity still running when the host stops is run again by the next host (at least once), and recorded once", async () => {
    const hub = uniqueHub("persistact");
    const first = await host(hub);
    const id = await first.start("SlowActivity", { key: "inflight", ms: 600 }, "inflight");
    await expect.poll(() => executions("Slow", "inflight"), { timeout: 10_000, interval: 5 }).toBe(1);
    await first.host.stop();
    running.splice(running.indexOf(first), 1);
    expect(shape(first.host.engine.get(id)!.history)).toEqual(["ExecutionStarted", "TaskScheduled(0)"]);

    const second = await host(hub);
    const s = await second.ended(id);
    expect(s.output).toBe("slow done");
    expect(executions("Slow", "inflight")).toBe(2);
    expect(shape(s.history)).toEqual(["ExecutionStarted", "TaskScheduled(0)", "TaskCompleted(→0)", "ExecutionCompleted"]);
  });

  it("an instance waiting for an event on the first host is answered through the second host's webhook", async () => {
    const hub = uniqueHub("persistevt");
    const first = await host(hub);
    const id = await first.start("WaitForApproval", null, "waiter");
    await idleAt(first, id, ["ExecutionStarted"]);
    await first.host.stop();
    running.splice(running.indexOf(first), 1);

    const second = await host(hub);
    expect((await second.call("GET", `/runtime/webhooks/durabletask/instances/${id}?code=${KEY}`)).body).toMatchObject({ runtimeStatus: "Running", customStatus: { stage: "waiting" } });
    expect((await second.call("POST", `/runtime/webhooks/durabletask/instances/${id}/raiseEvent/Approval?code=${KEY}`, { by: "second host" })).status).toBe(202);
    const s = await second.ended(id);
    expect(s.output).toEqual({ approved: { by: "second host" } });
    expect(s.executions).toBe(1);
  });
});
