import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startTestEmulator, type TestEmulator } from "./emulator";
import { pipelineEnv } from "./pipeline-env";
import { ENGINE, localEngineView, realEngineView, type EngineKind, type EngineView } from "./engine";
import { loadSettings } from "../../shared/config/settings";
import { syntheticCensusCsv } from "../../emulator/training/synthetic-census";
import { startLocalHost, type RunningHost } from "../../local-host/host";
import { startEngineHost, type RunningEngineHost } from "../../engine-host/host";
import type { StateStore } from "../../local-host/durable/store";
import { ScaledClock, type Clock } from "../../local-host/durable/clock";
import { BlobServiceClient } from "@azure/storage-blob";
import { LocalEventGrid } from "../../emulator/eventgrid/event-grid";
import { startBlobEvents } from "../../emulator/eventgrid/blob-events";
import { NEW_DATA_FUNCTION } from "../../functions/triggers/blob-created";
import { expectDescribed } from "./openapi";

export const FUNCTION_KEY = "test-function-key";

export interface HostedPipeline {
  readonly emulator: TestEmulator;
  readonly engineKind: EngineKind;
  /** The front both hosts share: HTTP triggers, timer ticks. */
  readonly host: { readonly url: string; tick(functionName: string): Promise<void> };
  /** Instances as the engine running them reports them. */
  readonly engine: EngineView;
  /** Set on the local engine only: its internals, for tests of the local host itself. */
  readonly local?: RunningHost;
  /** Set on the real engine only. */
  readonly real?: RunningEngineHost;
  readonly logs: string[];
  readonly values: Record<string, string>;
  /** The host's clock: virtual time at `speed`× on the local engine, real time on the real one. */
  readonly clock: Clock;
  /** `speed`: how many seconds of the settings' time pass per real second. */
  readonly speed: number;
  /** The key the Durable webhooks (`/runtime/webhooks/durabletask/*`) take, as Azure's system key. */
  readonly systemKey: string;
  /** The Event Grid webhook's key (Azure's `eventgrid_extension` system key). */
  readonly eventGridKey: string;
  /** With `newData`: the storage account's Event Grid, subscribed to the app's new-data trigger. */
  readonly eventGrid?: LocalEventGrid;
  /** With `newData`: Azurite through its Event Grid system topic, as an uploader (or Storage Explorer) writes to it. */
  readonly uploads?: BlobServiceClient;
  call(method: string, pathAndQuery: string, body?: unknown, key?: string | null, headers?: Record<string, string>): Promise<{ status: number; body: unknown; headers: Headers }>;
  stop(): Promise<void>;
}

/** Event Grid for blobs written to Azurite, delivered to the app's new-data trigger (retries on a short schedule unless given). */
export interface NewDataOptions {
  readonly retryDelaysInMs?: readonly number[];
}

const STORAGE_PROVIDER = "AzureFunctionsJobHost__extensions__durableTask__storageProvider";

/** Settings whose value is a duration, with the unit in their name. */
const DURATION_SETTINGS = ["POLL_FIRST_INTERVAL_SECONDS", "POLL_MAX_INTERVAL_SECONDS", "VERIFY_DELAY_SECONDS", "JOB_DEADLINE_MINUTES", "APPROVAL_TIMEOUT_HOURS", "AZUREML_STEP_WAIT_SECONDS", "AZUREML_OPERATION_TIMEOUT_MINUTES", "RETRAIN_DATA_DEBOUNCE_SECONDS", "RETRAIN_WEBHOOK_FIRST_RETRY_SECONDS"];

/**
 * The real engine's clock cannot be sped up, so its durations are scaled down instead: the same
 * test waits the same real time on both engines (a 1-hour approval window at 2,000× is 1.8 s).
 */
export function scaledForRealTime(values: Record<string, string>, speed: number): Record<string, string> {
  // Defaults count too (a 30 s verification wait is 0.15 s at 200×): take them from the schema.
  const defaults = loadSettings({ ...values, RETRAIN_DATA_ROOT: values.RETRAIN_DATA_ROOT ?? tmpdir() }) as unknown as Record<string, number>;
  const out = { ...values };
  for (const k of DURATION_SETTINGS) out[k] = String(Number(out[k] ?? defaults[k]) / speed);
  return out;
}

/**
 * The product as it runs locally: the compiled Functions app over the local ML service and
 * Azurite, on the engine the suite runs on (`ENGINE`). On the local engine time runs `speed`×
 * faster than real time; on the real one the durations in the settings are divided by `speed`.
 */
export async function startHostedPipeline(o: { speed?: number; settings?: Record<string, string>; schedules?: boolean; endpoints?: string[]; store?: StateStore; newData?: NewDataOptions } = {}): Promise<HostedPipeline> {
  const speed = o.speed ?? 20;
  const emulator = await startTestEmulator(o.endpoints ? { addedEndpoints: o.endpoints } : {});
  const dataRoot = mkdtempSync(path.join(tmpdir(), "retrainer-host-"));
  writeFileSync(path.join(dataRoot, "census.csv"), syntheticCensusCsv(6_000, 42));
  const settings: Record<string, string> = {
    FUNCTIONS_WORKER_RUNTIME: "node",
    AzureWebJobsStorage: emulator.storageConnectionString,
    ...pipelineEnv(emulator, dataRoot, { POLL_FIRST_INTERVAL_SECONDS: "5", POLL_MAX_INTERVAL_SECONDS: "30", JOB_DEADLINE_MINUTES: "600", RETRAIN_GATE: "AUC>=0.85; Accuracy>=0.78" }),
    ...o.settings,
  };
  const logs: string[] = [];
  const hubName = `hub${Math.random().toString(36).slice(2, 8)}`;
  const log = (l: string) => logs.push(l);
  let host: HostedPipeline["host"];
  let engine: EngineView;
  let stopHost: () => Promise<void>;
  let clock: Clock;
  let values: Record<string, string>;
  let local: RunningHost | undefined;
  let real: RunningEngineHost | undefined;
  if (ENGINE === "real") {
    if (o.store) throw new Error("A custom state store is a local-engine feature: the real engine keeps its state in its own Azure Storage layout.");
    values = {
      ...scaledForRealTime(settings, speed),
      // The engine's queue polling backs off to 30 s when idle by default; tests poll at 1 s at most.
      [`${STORAGE_PROVIDER}__maxQueuePollingInterval`]: "00:00:01",
      // What a killed host had dequeued comes back when its visibility timeout lapses: 5 min by
      // default (as in Azure); the extension's minimum, 1 min, here so a kill test resumes sooner.
      [`${STORAGE_PROVIDER}__controlQueueVisibilityTimeout`]: "00:01:00",
      [`${STORAGE_PROVIDER}__workItemQueueVisibilityTimeout`]: "00:01:00",
    };
    real = await startEngineHost({ values, functionKey: FUNCTION_KEY, hubName, log });
    host = real;
    engine = realEngineView(real);
    clock = new ScaledClock(1);
    stopHost = () => real!.stop();
  } else {
    values = settings;
    clock = new ScaledClock(speed);
    local = await startLocalHost({ values, functionKey: FUNCTION_KEY, clock, schedules: o.schedules ?? false, ...(o.store ? { store: o.store } : {}), hubName, log });
    host = local;
    engine = localEngineView(local);
    stopHost = () => local!.stop();
  }
  const eventGridKey = real?.eventGridKey ?? local!.eventGridKey;
  let eventGrid: LocalEventGrid | undefined;
  let uploads: BlobServiceClient | undefined;
  let closeEvents = (): Promise<void> => Promise.resolve();
  if (o.newData) {
    eventGrid = new LocalEventGrid({ retryDelaysInMs: o.newData.retryDelaysInMs ?? [200, 500, 1_000], log });
    const grid = eventGrid;
    const azuriteBlob = /BlobEndpoint=([^;]+)/.exec(emulator.storageConnectionString)![1]!;
    const events = await startBlobEvents({ azuriteBlobEndpoint: azuriteBlob, publish: (e) => grid.publish(e), log });
    uploads = BlobServiceClient.fromConnectionString(events.connectionString(emulator.storageConnectionString));
    await grid.subscribe({ name: "new-data", endpoint: `${host.url}/runtime/webhooks/eventgrid?functionName=${NEW_DATA_FUNCTION}&code=${eventGridKey}`, includedEventTypes: ["Microsoft.Storage.BlobCreated"] });
    closeEvents = async () => {
      grid.stop();
      await events.close();
    };
  }
  return {
    emulator, engineKind: ENGINE, host, engine, ...(local ? { local } : {}), ...(real ? { real } : {}), logs, values, clock, speed,
    systemKey: real?.systemKey ?? local!.systemKey,
    eventGridKey, ...(eventGrid ? { eventGrid } : {}), ...(uploads ? { uploads } : {}),
    async call(method, pathAndQuery, body, key = FUNCTION_KEY, extra = {}) {
      const headers: Record<string, string> = { ...extra };
      if (key) headers["x-functions-key"] = key;
      const res = await fetch(`${host.url}${pathAndQuery}`, { method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text === "" ? undefined : JSON.parse(text);
      } catch {
        // plain text answers stay text
      }
      // Every answer of the API a test receives is held to its OpenAPI description (a redirect followed is a GET).
      expectDescribed({ method: res.redirected ? "GET" : method, path: new URL(res.url).pathname, status: res.status, contentType: res.headers.get("content-type"), body: parsed });
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async stop() {
      await closeEvents();
      await stopHost();
      await emulator.stop();
    },
  };
}
