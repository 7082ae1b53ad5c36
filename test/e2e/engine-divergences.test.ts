import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ENGINE } from "../support/engine";
import { startEngineHost, type RunningEngineHost } from "../../engine-host/host";
import { startLocalHost, type RunningHost } from "../../local-host/host";
import { localEngineView, realEngineView, type EngineView } from "../support/engine";

/**
 * The divergences the reference file lists between the local engine and the real extension,
 * each as a purpose-written orchestration over the app's own `callActivity`, run on the engine
 * the suite runs on. What the app must guarantee holds on both.
 */
const APP = path.resolve(__dirname, "../fixtures/engine-app/index.js");
let engine: EngineView;
let url = "";
let stop: () => Promise<void>;

beforeAll(async () => {
  const values = { FUNCTIONS_WORKER_RUNTIME: "node", AzureWebJobsStorage: inject("azuriteConnectionString"), AzureFunctionsJobHost__extensions__durableTask__storageProvider__maxQueuePollingInterval: "00:00:01" };
  const hubName = `div${Math.random().toString(36).slice(2, 8)}`;
  if (ENGINE === "real") {
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
    stop = () => h.stop();
    start = async (name, id, input) => void (await h.engine.startNew(name, id, JSON.stringify(input)));
    raise = (id, event, data) => h.engine.raiseEvent(id, event, JSON.stringify(data));
  }
});
afterAll(() => stop?.());

let start: (name: string, id: string, input: unknown) => Promise<void>;
let raise: (id: string, event: string, data: unknown) => Promise<void>;

describe(`app guarantees that must hold on the real engine (running on: ${ENGINE})`, () => {
  it("an exhausted retry window ends the call failed with a reason, within a bounded time (no hang)", async () => {
    const id = `window-${Date.now()}`;
    const t0 = Date.now();
    await start("RetryWindow", id, { key: id });
    const ended = await engine.waitUntilEnded(id, 30_000);
    expect(ended.status).toBe("Completed");
    expect(ended.output).toMatchObject({ kind: "failed", reason: expect.stringMatching(/^SlowFailure failed after \d+ attempts? in [\d.]+ s \(retry window 1.5 s\): .*SlowFailure .* failed/) as unknown });
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
