import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startTestEmulator, type TestEmulator } from "./emulator";
import { pipelineEnv } from "./pipeline-env";
import { syntheticCensusCsv } from "../../emulator/training/synthetic-census";
import { startLocalHost, type RunningHost } from "../../local-host/host";
import type { StateStore } from "../../local-host/durable/store";
import { ScaledClock, type Clock } from "../../local-host/durable/clock";

export const FUNCTION_KEY = "test-function-key";

export interface HostedPipeline {
  readonly emulator: TestEmulator;
  readonly host: RunningHost;
  readonly logs: string[];
  readonly values: Record<string, string>;
  /** The host's clock (virtual time, `speed`× real time). */
  readonly clock: Clock;
  call(method: string, pathAndQuery: string, body?: unknown, key?: string | null): Promise<{ status: number; body: unknown; headers: Headers }>;
  stop(): Promise<void>;
}

/**
 * The product as it runs locally: the compiled Functions app in the local host, over the
 * local ML service and Azurite. Time runs `speed`× faster than real time so durable timers
 * (polls, retries) pass quickly while the emulator's jobs take their real time.
 */
export async function startHostedPipeline(o: { speed?: number; settings?: Record<string, string>; schedules?: boolean; endpoints?: string[]; store?: StateStore } = {}): Promise<HostedPipeline> {
  const emulator = await startTestEmulator(o.endpoints ? { addedEndpoints: o.endpoints } : {});
  const dataRoot = mkdtempSync(path.join(tmpdir(), "retrainer-host-"));
  writeFileSync(path.join(dataRoot, "census.csv"), syntheticCensusCsv(6_000, 42));
  const values = {
    FUNCTIONS_WORKER_RUNTIME: "node",
    AzureWebJobsStorage: emulator.storageConnectionString,
    ...pipelineEnv(emulator, dataRoot, { POLL_FIRST_INTERVAL_SECONDS: "5", POLL_MAX_INTERVAL_SECONDS: "30", JOB_DEADLINE_MINUTES: "600", RETRAIN_GATE: "AUC>=0.85; Accuracy>=0.78" }),
    ...o.settings,
  };
  const logs: string[] = [];
  const clock = new ScaledClock(o.speed ?? 20);
  const host = await startLocalHost({
    values, functionKey: FUNCTION_KEY, clock, schedules: o.schedules ?? false, ...(o.store ? { store: o.store } : {}),
    hubName: `hub${Math.random().toString(36).slice(2, 8)}`, log: (l) => logs.push(l),
  });
  return {
    emulator, host, logs, values, clock,
    async call(method, pathAndQuery, body, key = FUNCTION_KEY) {
      const headers: Record<string, string> = {};
      if (key) headers["x-functions-key"] = key;
      const res = await fetch(`${host.url}${pathAndQuery}`, { method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text === "" ? undefined : JSON.parse(text);
      } catch {
        // plain text answers stay text
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async stop() {
      await host.stop();
      await emulator.stop();
    },
  };
}
