import path from "node:path";
import { inject } from "vitest";
import { startLocalHost, type RunningHost } from "../../local-host/host";
import { ScaledClock } from "../../local-host/durable/clock";
import { EventType, type HistoryEvent } from "../../local-host/durable/history";
import type { InstanceState } from "../../local-host/durable/instance";

/** The plain-JavaScript fixture app: one small orchestration per kind of durable action. */
export const APP_PATH = path.resolve(__dirname, "../fixtures/host-app/index.js");
export const KEY = "k";

/** What the fixture app shares through globalThis (see test/fixtures/host-app/index.js). */
export interface FixtureState {
  counts: Record<string, Record<string, number> | undefined>;
  nonDeterministicUseB: boolean;
}

export function fixtureState(): FixtureState {
  const s = (globalThis as Record<symbol, unknown>)[Symbol.for("retrainer.test.hostApp")];
  if (!s) throw new Error("The fixture app has not been loaded yet: start a host first.");
  return s as FixtureState;
}

/** Executions of `activity` for `key` so far (0 if none). */
export function executions(activity: string, key: string): number {
  return fixtureState().counts[activity]?.[key] ?? 0;
}

export interface FixtureHost {
  readonly host: RunningHost;
  readonly clock: ScaledClock;
  readonly logs: string[];
  call(method: string, pathAndQuery: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: unknown }>;
  /** Starts an orchestration through the durable client's RPC API, as an app's client binding does. */
  start(name: string, input: unknown, instanceId?: string): Promise<string>;
  /** Waits for the instance to end, bounded; on timeout the error shows where it stopped. */
  ended(instanceId: string, timeoutMs?: number): Promise<InstanceState>;
}

export async function startFixtureHost(o: { hubName: string; speed: number; virtualStart?: number }): Promise<FixtureHost> {
  const logs: string[] = [];
  const clock = new ScaledClock(o.speed, o.virtualStart ?? Date.now());
  const host = await startLocalHost({
    values: { AzureWebJobsStorage: inject("azuriteConnectionString"), FUNCTIONS_WORKER_RUNTIME: "node" },
    functionKey: KEY, systemKey: KEY, appPath: APP_PATH, clock, hubName: o.hubName, schedules: false, log: (l) => logs.push(l),
  });
  // The durable client's RPC API has a loopback port of its own; everything else is the front.
  const rpcOrigin = new URL(host.rpcUrl).origin;
  const call: FixtureHost["call"] = async (method, pathAndQuery, body, extra = {}) => {
    // JSON bodies go as JSON, as the durable client sends them (the extension refuses raised events otherwise).
    const headers = body === undefined ? extra : { "Content-Type": "application/json", ...extra };
    const res = await fetch(`${pathAndQuery.startsWith("/_durable/") ? rpcOrigin : host.url}${pathAndQuery}`, {
      method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      // plain text stays text
    }
    return { status: res.status, body: parsed };
  };
  return {
    host, clock, logs, call,
    async start(name, input, instanceId) {
      const res = await call("POST", `/_durable/orchestrators/${name}${instanceId ? `/${instanceId}` : ""}`, input);
      if (res.status !== 202) throw new Error(`start ${name}: ${res.status} ${JSON.stringify(res.body)}`);
      return (res.body as { id: string }).id;
    },
    ended(instanceId, timeoutMs = 20_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const s = host.engine.get(instanceId);
          reject(new Error(`${instanceId} did not end within ${timeoutMs} ms: ${s?.status} ${s ? shape(s.history).join(" ") : "(unknown)"}\n${logs.slice(-20).join("\n")}`));
        }, timeoutMs);
      });
      return Promise.race([host.engine.waitUntilEnded(instanceId), timeout]).finally(() => clearTimeout(timer));
    },
  };
}

const NAMES = Object.fromEntries(Object.entries(EventType).map(([name, n]) => [n, name])) as Record<number, string>;

export function typeName(e: HistoryEvent): string {
  return NAMES[e.EventType] ?? `Type${e.EventType}`;
}

/** History without the episode bookends, as `Type(id)`: `TaskScheduled(0)`, `TaskFailed(→0)`, `TimerFired(→1)`. */
export function shape(history: readonly HistoryEvent[]): string[] {
  return history
    .filter((e) => e.EventType !== EventType.OrchestratorStarted && e.EventType !== EventType.OrchestratorCompleted)
    .map((e) => {
      const ref = e.TaskScheduledId ?? e.TimerId;
      return typeof ref === "number" ? `${typeName(e)}(→${ref})` : e.EventId >= 0 ? `${typeName(e)}(${e.EventId})` : typeName(e);
    });
}

/** The first event of `type` (optionally matching `where`), failing loudly if missing. */
export function eventOf(history: readonly HistoryEvent[], type: number, where: (e: HistoryEvent) => boolean = () => true): HistoryEvent {
  const e = history.find((h) => h.EventType === type && where(h));
  if (!e) throw new Error(`No ${NAMES[type]} event in ${shape(history).join(" ")}`);
  return e;
}

/** The OrchestratorStarted that opened the episode in which `e` was delivered. */
export function episodeStart(history: readonly HistoryEvent[], e: HistoryEvent): HistoryEvent {
  const i = history.indexOf(e);
  for (let k = i; k >= 0; k--) if (history[k]!.EventType === EventType.OrchestratorStarted) return history[k]!;
  throw new Error("No OrchestratorStarted before the event.");
}

export const ms = (iso: unknown) => Date.parse(String(iso));

/** A hub name (container prefix) no other test file or run uses. */
export function uniqueHub(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}
