import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ENGINE, onRealEngine } from "../support/engine";
import { startEngineHost, type RunningEngineHost } from "../../engine-host/host";
import { startLocalHost, type RunningHost } from "../../local-host/host";
import { localEngineView, realEngineView, type EngineView } from "../support/engine";
import { EventType } from "../../local-host/durable/history";
import { readTaskHubHistory } from "../conformance/task-hub-history";

/**
 * The divergences the reference file lists between the local engine and the real extension,
 * each as a purpose-written orchestration over the app's own `callActivity`, run on the engine
 * the suite runs on. What the app must guarantee holds on both.
 */
const APP = path.resolve(__dirname, "../fixtures/engine-app/index.js");
let engine: EngineView;
let url = "";

/** One event of an instance's full history (OrchestratorStarted included), as either engine keeps it. */
interface FullEvent { readonly type: string; readonly id: number; readonly at: number; readonly fireAt?: number; readonly instanceId?: string }
let fullHistory: (instanceId: string) => Promise<{ executionId: string; events: FullEvent[] }>;
const TYPE_NAMES = Object.fromEntries(Object.entries(EventType).map(([k, v]) => [v, k])) as Record<number, string>;
let stop: () => Promise<void>;

beforeAll(async () => {
  const values = { FUNCTIONS_WORKER_RUNTIME: "node", AzureWebJobsStorage: inject("azuriteConnectionString"), AzureFunctionsJobHost__extensions__durableTask__storageProvider__maxQueuePollingInterval: "00:00:01" };
  const hubName = `div${Math.random().toString(36).slice(2, 8)}`;
  if (ENGINE === "real") {
    fullHistory = async (id) => {
      const rows = await readTaskHubHistory(inject("azuriteConnectionString"), hubName, id);
      const events = rows.map((r) => ({
        type: String(r.EventType), id: Number(r.EventId), at: Date.parse(String(r._Timestamp)),
        ...(r.FireAt ? { fireAt: Date.parse(String(r.FireAt)) } : {}), ...(r.InstanceId ? { instanceId: String(r.InstanceId) } : {}),
      }));
      return { executionId: String(rows[0]?.ExecutionId), events };
    };
    const h: RunningEngineHost = await startEngineHost({ values, functionKey: "k", hubName, appPath: APP, log: () => undefined });
    engine = realEngineView(h);
    url = `${h.url}/runtime/webhooks/durabletask`;
    const key = h.systemKey;
    stop = () => h.stop();
    start = async (name, id, input) => {
      const r = await fetch(`${url}/orchestrators/${name}/${id}?code=${key}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(input) });
      expect(r.status).toBe(202);
    };
    raise = async (id, event, data) => {
      const r = await fetch(`${url}/instances/${id}/raiseEvent/${event}?code=${key}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(data) });
      expect(r.status).toBe(202);
    };
  } else {
    const h: RunningHost = await startLocalHost({ values, functionKey: "k", hubName, appPath: APP, schedules: false, log: () => undefined });
    engine = localEngineView(h);
    fullHistory = (id) => {
      const st = h.engine.get(id)!;
      const events = st.history.map((e) => ({
        type: TYPE_NAMES[e.EventType] ?? String(e.EventType), id: e.EventId, at: Date.parse(e.Timestamp),
        ...(typeof e.FireAt === "string" ? { fireAt: Date.parse(e.FireAt) } : {}), ...(typeof e.InstanceId === "string" ? { instanceId: e.InstanceId } : {}),
      }));
      return Promise.resolve({ executionId: st.executionId, events });
    };
    stop = () => h.stop();
    start = async (name, id, input) => void (await h.engine.startNew(name, id, JSON.stringify(input)));
    raise = (id, event, data) => h.engine.raiseEvent(id, event, JSON.stringify(data));
  }
});
afterAll(() => stop?.());

let start: (name: string, id: string, input: unknown) => Promise<void>;
let raise: (id: string, event: string, data: unknown) => Promise<void>;

describe(`app guarantees that must hold on the real engine (running on: ${ENGINE})`, () => {
  it("an exhausted retry window ends the call failed with the activity's own message (no engine wrapping or stack dump), within a bounded time (no hang)", async () => {
    const id = `window-${Date.now()}`;
    const t0 = Date.now();
    await start("RetryWindow", id, { key: id });
    const ended = await engine.waitUntilEnded(id, 30_000);
    expect(ended.status).toBe("Completed");
    expect(ended.output).toMatchObject({ kind: "failed", reason: expect.stringMatching(new RegExp(`^SlowFailure failed after \\d+ attempts? in [\\d.]+ s \\(retry window 1.5 s\\): SlowFailure ${id} failed$`)) as unknown });
    console.log(`retry window exhausted: ended after ${((Date.now() - t0) / 1000).toFixed(1)} s (${ENGINE} engine), ${ended.historyEvents} history events`);
  });

  it("after a wait longer than the next call's retry window, one transient failure is still retried", async () => {
    const id = `approval-${Date.now()}`;
    await start("ApprovalThenRetry", id, { key: id });
    await new Promise((r) => setTimeout(r, 3_000)); // longer than the 2 s window of the call that follows
    await raise(id, "Decision", { approved: true });
    const ended = await engine.waitUntilEnded(id, 30_000);
    expect([ended.status, ended.output]).toEqual(["Completed", { kind: "ok", value: "promoted" }]);
  });

  it("activity inputs arrive as JSON carries them: a Date as text, undefined fields dropped, a Map as an object", async () => {
    const id = `input-${Date.now()}`;
    await start("ActivityInput", id, {});
    const ended = await engine.waitUntilEnded(id, 30_000);
    console.log(`ActivityInput (${ENGINE}): ${ended.status} ${JSON.stringify(ended.output)}`);
    expect([ended.status, ended.output]).toEqual(["Completed", { when: "string", hasUndefined: false, map: "[object Object]" }]);
  });

  it("a custom status over 16 KB (UTF-16) fails the orchestration with the extension's reason; at the limit it is kept", async () => {
    const big = `bigstatus-${Date.now()}`;
    const fits = `fitstatus-${Date.now()}`;
    // {"text":"…"} is 11 characters besides the x's; 2 bytes each in UTF-16; the limit is on whole KB
    await start("BigStatus", big, { chars: 8704 - 11 });
    await start("BigStatus", fits, { chars: 8703 - 11 });
    const [b, f] = [await engine.waitUntilEnded(big, 30_000), await engine.waitUntilEnded(fits, 30_000)];
    console.log(`BigStatus (${ENGINE}): ${b.status} ${JSON.stringify(b.output)}; ${f.status} ${JSON.stringify(f.output)}`);
    expect(b.status).toBe("Failed");
    expect(String(b.output)).toContain("The UTF-16 size of the JSON-serialized payload must not exceed 16 KB. The current payload size is 17 KB.");
    expect([f.status, f.output]).toEqual(["Completed", "done"]);
  });

  it("an activity no function implements is never answered: the orchestration stays Running (so the app calls only names it registers)", async () => {
    const id = `unregistered-${Date.now()}`;
    await start("Unregistered", id, {});
    // Absence of an answer can only be watched for a while: 15× what the activities above take.
    await expect.poll(async () => (await engine.instance(id))?.status, { timeout: 10_000, interval: 50 }).toBe("Running");
    await new Promise((r) => setTimeout(r, 3_000));
    const s = await engine.instance(id);
    console.log(`Unregistered (${ENGINE}): ${s?.status} ${JSON.stringify(s?.output)}`);
    expect([s?.status, s?.output]).toEqual(["Running", null]);
  });
});

describe(`the engine's own retries and child ids, which the local engine imitates (running on: ${ENGINE})`, () => {
  /** Each timer's delay from the start of the episode that created it (DTFx counts from CurrentUtcDateTime). */
  const timerDelays = (events: readonly FullEvent[]) => {
    let episodeStart = NaN;
    return events.flatMap((e) => {
      if (e.type === "OrchestratorStarted") episodeStart = e.at;
      return e.type === "TimerCreated" ? [e.fireAt! - episodeStart] : [];
    });
  };
  const count = (events: readonly FullEvent[], type: string) => events.filter((e) => e.type === type).length;

  it("callActivityWithRetry: a timer after each failed attempt, the last one due at once, then the call fails", async () => {
    const id = `engine-retry-${Date.now()}`;
    await start("EngineRetry", id, { key: id });
    const ended = await engine.waitUntilEnded(id, 30_000);
    const { events } = await fullHistory(id);
    console.log(`EngineRetry (${ENGINE}): ${ended.status} ${JSON.stringify(ended.output)}; timers ${JSON.stringify(timerDelays(events))} ms`);
    expect([ended.status, ended.output]).toEqual(["Completed", { caught: expect.stringContaining(`AlwaysFails ${id}: attempt 3`) as unknown }]);
    expect([count(events, "TaskScheduled"), count(events, "TaskFailed")]).toEqual([3, 3]);
    expect(timerDelays(events)).toEqual([300, 600, 0]);
  });

  it("callActivityWithRetry past its retry timeout schedules nothing more and never settles: the orchestration stays Running", async () => {
    const id = `engine-window-${Date.now()}`;
    await start("EngineRetryWindow", id, { key: id });
    const attempts = async () => count((await fullHistory(id)).events, "TaskScheduled");
    // Normally attempt 1 fails inside the 2.5 s window (one 3 s timer) and attempt 2 after it.
    await expect.poll(async () => count((await fullHistory(id)).events, "TaskFailed"), { timeout: 20_000, interval: 200 }).toBeGreaterThanOrEqual(1);
    // Absence of an answer can only be watched for a while: twice, each longer than the 3 s retry interval.
    await new Promise((r) => setTimeout(r, 4_000));
    const settled = await attempts();
    await new Promise((r) => setTimeout(r, 4_000));
    const s = await engine.instance(id);
    const { events } = await fullHistory(id);
    console.log(`EngineRetryWindow (${ENGINE}): ${s?.status}; ${settled} attempts, timers ${JSON.stringify(timerDelays(events))} ms`);
    // The call never settles: no output, and (DTFx) no failure reported to the orchestrator.
    expect([s?.status, s?.output]).toEqual(["Running", null]);
    const now = count(events, "TaskScheduled");
    expect(count(events, "TaskFailed")).toBe(now);
    expect(now).toBeLessThan(10);
    expect(timerDelays(events)).toEqual(Array.from({ length: now - 1 }, () => 3_000));
    // Locally exactly 2, and no attempt after the window. On the real engine the count follows
    // load: DTFx compares its replay clock with the window, so a first failure seen late gets no
    // retry (1 seen in CI), and a window start taken from a later episode gets more (3 seen, one
    // of them after the first observation). So only the local engine's count is pinned.
    if (!onRealEngine) expect([settled, now]).toEqual([2, 2]);
  });

  it("a sub-orchestration called without an id runs as {executionId}:{sequence number}", async () => {
    const id = `default-child-${Date.now()}`;
    await start("DefaultChildId", id, {});
    const ended = await engine.waitUntilEnded(id, 30_000);
    const { executionId, events } = await fullHistory(id);
    const created = events.find((e) => e.type === "SubOrchestrationInstanceCreated")!;
    console.log(`DefaultChildId (${ENGINE}): ${ended.status} ${JSON.stringify(ended.output)}, execution ${executionId}`);
    expect([ended.status, ended.output]).toEqual(["Completed", { child: `${executionId}:${created.id}` }]);
    expect(created.instanceId).toBe(`${executionId}:${created.id}`);
  });

  it("callSubOrchestratorWithRetry runs the child again under the id it was given, or a new default id per attempt", async () => {
    const named = `retry-child-named-${Date.now()}`;
    const unnamed = `retry-child-default-${Date.now()}`;
    await start("EngineRetryChild", named, { key: named, childId: `${named}-child` });
    await start("EngineRetryChild", unnamed, { key: unnamed });
    const [n, u] = [await engine.waitUntilEnded(named, 30_000), await engine.waitUntilEnded(unnamed, 30_000)];
    const [nh, uh] = [await fullHistory(named), await fullHistory(unnamed)];
    const children = (h: { events: FullEvent[] }) => h.events.filter((e) => e.type === "SubOrchestrationInstanceCreated").map((e) => e.instanceId);
    const ids = (h: { events: FullEvent[] }) => h.events.filter((e) => e.type === "SubOrchestrationInstanceCreated").map((e) => e.id);
    console.log(`EngineRetryChild (${ENGINE}): named ${n.status} ${JSON.stringify(children(nh))}; default ${u.status} ${JSON.stringify(children(uh))}`);
    expect([n.status, n.output, children(nh)]).toEqual(["Completed", { child: `${named}-child` }, [`${named}-child`, `${named}-child`]]);
    const defaults = ids(uh).map((seq) => `${uh.executionId}:${seq}`);
    expect(defaults).toHaveLength(2);
    expect([u.status, u.output, children(uh)]).toEqual(["Completed", { child: defaults[1] }, defaults]);
  });

  it("a sub-orchestration given the id of a running instance is not refused: it replaces that instance's execution", async () => {
    const held = `held-${Date.now()}`;
    const parent = `takes-${Date.now()}`;
    await start("Waiter", held, {});
    await expect.poll(async () => (await engine.instance(held))?.status, { timeout: 10_000, interval: 50 }).toBe("Running");
    await start("TakesChildId", parent, { childId: held });
    const ended = await engine.waitUntilEnded(parent, 30_000);
    const child = await engine.instance(held);
    console.log(`TakesChildId (${ENGINE}): ${ended.status} ${JSON.stringify(ended.output)}; ${held} is now ${child?.name} ${child?.status}`);
    expect([ended.status, ended.output]).toEqual(["Completed", { child: held }]);
    expect([child?.name, child?.status, child?.output]).toEqual(["WhoAmI", "Completed", held]);
  });
});
