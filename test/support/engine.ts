import type { RunningHost } from "../../local-host/host";
import type { RunningEngineHost } from "../../engine-host/host";
import type { RuntimeStatus } from "../../local-host/durable/instance";
import { EventType, type HistoryEvent } from "../../local-host/durable/history";

/**
 * Which Durable engine a suite runs on: the local imitation (default, Node alone) or the real
 * Durable Task extension (`RETRAINER_ENGINE=real`, what `npm run test:engine` sets).
 */
export type EngineKind = "local" | "real";
export const ENGINE: EngineKind = process.env.RETRAINER_ENGINE === "real" ? "real" : "local";
export const onRealEngine = ENGINE === "real";

/** One orchestration instance as either engine reports it. */
export interface InstanceView {
  readonly instanceId: string;
  readonly name: string;
  readonly status: RuntimeStatus;
  readonly createdTime: string;
  readonly lastUpdatedTime: string;
  /** The input as JSON text. */
  readonly input: string;
  readonly output: unknown;
  readonly customStatus: unknown;
  /** Events in the current execution's history. */
  readonly historyEvents: number;
  /** That history, `EventType` as DTFx numbers it (the real engine's API names it). */
  readonly history: readonly HistoryEvent[];
  /**
   * Orchestrator invocations of the current execution (one OrchestratorStarted each); undefined
   * on the real engine, whose status API summarises history without those events.
   */
  readonly episodes: number | undefined;
}

export interface EngineView {
  instance(instanceId: string): Promise<InstanceView | undefined>;
  list(): Promise<InstanceView[]>;
  /** Resolves once the instance has ended (Completed, Failed or Terminated). */
  waitUntilEnded(instanceId: string, timeoutInMs?: number): Promise<InstanceView>;
}

const ENDED: readonly string[] = ["Completed", "Failed", "Terminated"];

export function localEngineView(host: RunningHost): EngineView {
  const view = (s: NonNullable<ReturnType<RunningHost["engine"]["get"]>>): InstanceView => ({
    instanceId: s.instanceId, name: s.name, status: s.status, createdTime: s.createdTime, lastUpdatedTime: s.lastUpdatedTime, input: s.input,
    output: s.output ?? null, customStatus: s.customStatus ?? null, historyEvents: s.history.length, history: s.history,
    episodes: s.history.filter((e) => e.EventType === EventType.OrchestratorStarted).length,
  });
  return {
    instance: (id) => {
      const s = host.engine.get(id);
      return Promise.resolve(s ? view(s) : undefined);
    },
    list: () => Promise.resolve(host.engine.list().map(view)),
    waitUntilEnded: async (id) => view(await host.engine.waitUntilEnded(id)),
  };
}

interface StatusBody {
  name: string; instanceId: string; runtimeStatus: RuntimeStatus; createdTime: string; lastUpdatedTime: string; input: unknown;
  output: unknown; customStatus: unknown; historyEvents?: (Record<string, unknown> & { EventType: string | number })[];
}

/** The real engine through its own management API (the webhook, with the system key). */
export function realEngineView(host: RunningEngineHost): EngineView {
  const base = `${host.url}/runtime/webhooks/durabletask/instances`;
  const view = (b: StatusBody): InstanceView => {
    // The status API names event types and parses results; DTFx's history (and the local engine's) holds numbers and JSON text.
    const history = (b.historyEvents ?? []).map((e) => ({
      ...e, EventType: typeof e.EventType === "number" ? e.EventType : (EventType as Record<string, number>)[e.EventType] ?? -1,
      ...(e.Result !== undefined && typeof e.Result !== "string" ? { Result: JSON.stringify(e.Result) } : {}),
    })) as unknown as HistoryEvent[];
    return {
      instanceId: b.instanceId, name: b.name, status: b.runtimeStatus, createdTime: b.createdTime, lastUpdatedTime: b.lastUpdatedTime, input: JSON.stringify(b.input ?? null),
      output: b.output ?? null, customStatus: b.customStatus ?? null, historyEvents: history.length, history, episodes: undefined,
    };
  };
  const instance = async (id: string) => {
    const res = await fetch(`${base}/${encodeURIComponent(id)}?showHistory=true&showHistoryOutput=true&code=${encodeURIComponent(host.systemKey)}`);
    if (res.status === 404) return undefined;
    if (res.status !== 200 && res.status !== 202) throw new Error(`GET instance ${id}: HTTP ${res.status} ${await res.text()}`);
    return view((await res.json()) as StatusBody);
  };
  return {
    instance,
    list: async () => {
      const res = await fetch(`${base}?code=${encodeURIComponent(host.systemKey)}`);
      if (res.status !== 200) throw new Error(`GET instances: HTTP ${res.status} ${await res.text()}`);
      return ((await res.json()) as StatusBody[]).map(view);
    },
    waitUntilEnded: async (id, timeoutInMs = 120_000) => {
      const until = Date.now() + timeoutInMs;
      for (;;) {
        const s = await instance(id);
        if (s && ENDED.includes(s.status)) return s;
        if (Date.now() > until) throw new Error(`${id} did not end within ${timeoutInMs} ms (status ${s?.status ?? "none"}).`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}
