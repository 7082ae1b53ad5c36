import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import { TableClient } from "@azure/data-tables";
import { startTestEmulator, type TestEmulator } from "../support/emulator";
import { pipelineEnv } from "../support/pipeline-env";
import { syntheticCensusCsv } from "../../emulator/training/synthetic-census";
import type { FaultSettings } from "../../emulator/classic/faults";
import { HUB_NAME_SETTING } from "../../local-host/host";
import { FUNCTION_KEY, startHostedPipeline, type HostedPipeline } from "../support/host";
import { onRealEngine } from "../support/engine";
import { serve, type Served } from "../support/serve";

const root = path.resolve(__dirname, "../..");
const sample = JSON.parse(readFileSync(path.join(root, "local.settings.sample.json"), "utf8")) as { Values: Record<string, string>; Host: { FunctionKey: string } };
const key = sample.Host.FunctionKey;

/**
 * `npm run serve --no-ml-service` as a child process that can be SIGKILLed: the host alone,
 * while the ML service (in this test process) and Azurite carry on, as they would in Azure.
 */
const serveHost = (settingsFile: string, stateDir: string) => serve([`--settings=${settingsFile}`, `--state-dir=${stateDir}`, "--port=0", "--no-ml-service"]);

const children: Served[] = [];
let emulator: TestEmulator | undefined;
afterEach(async () => {
  for (const c of children.splice(0)) await c.killAll();
  await emulator?.stop();
  emulator = undefined;
});

async function runStatus(url: string, functionKey: string): Promise<Record<string, unknown>> {
  return (await (await fetch(`${url}/api/retrain/retrain-retrain`, { headers: { "x-functions-key": functionKey } })).json()) as Record<string, unknown>;
}

const calls = async (e: TestEmulator) => (await e.admin("GET", "calls")).body as Record<"submit" | "start" | "patch", number>;
const servedModel = async (e: TestEmulator) => {
  const r = await e.call("GET", `${e.endpointsUrl}/retrain`, e.config.managementToken);
  return ((r.body as { Resources: { Location: { RelativeLocation: string } }[] }).Resources[0]!.Location.RelativeLocation);
};

interface Scenario {
  readonly name: string;
  readonly faults: FaultSettings;
  /** Resolves once the host is at the moment the scenario kills it. */
  readonly killWhen: (at: Moment) => Promise<void>;
  /** Waits (on the service) for what the dead host left in flight to land before restarting. */
  readonly beforeRestart?: (at: Moment) => Promise<void>;
  /** What the restarted host must say it did. */
  readonly resumedLog?: RegExp;
}

/** Where a scenario is: the service, the host, and what the service held before the run. */
interface Moment {
  readonly e: TestEmulator;
  readonly host: Target;
  readonly key: string;
  readonly modelBefore: string;
  readonly callsBefore: Record<"submit" | "start" | "patch", number>;
  /** PATCH bodies the service had received when the run started. */
  readonly receivedBefore: number;
}

const scenarios: Scenario[] = [
  {
    name: "during polling",
    faults: { holdRunningMs: 3_000 },
    killWhen: async (m) => void (await expect.poll(async () => (await runStatus(m.host.url, m.key)).stage, { timeout: 30_000, interval: 50 }).toBe("training")),
  },
  {
    // The PATCH reaches the service and is applied, but the host dies before it hears the answer.
    name: "during the PATCH",
    faults: { latency: { ms: 1_500, count: 1, operations: ["patch"] } },
    // Killed once the service holds the whole PATCH (not merely its headers): it then applies it after the delay.
    killWhen: async (m) => void (await expect.poll(async () => ((await m.e.admin("GET", "received")).body as { patch: number }).patch, { timeout: 30_000, interval: 20 }).toBe(m.receivedBefore + 1)),
    beforeRestart: async (m) => void (await expect.poll(() => servedModel(m.e), { timeout: 10_000, interval: 50 }).not.toBe(m.modelBefore)),
    // the promotion ran again, found its model already serving, and did not PATCH a second time
    resumedLog: /\[event\] ModelPromoted .*"alreadyApplied":true/,
  },
  {
    name: "during verification",
    faults: {},
    killWhen: async (m) => void (await expect.poll(async () => (await runStatus(m.host.url, m.key)).stage, { timeout: 30_000, interval: 20 }).toBe("verifying")),
  },
];

interface Target {
  readonly url: string;
  output(): string;
  kill(): Promise<void>;
}

/** A host to kill and start again over the same task hub, with the ML service and Azurite carrying on. */
interface Harness {
  readonly e: TestEmulator;
  readonly key: string;
  start(): Promise<Target>;
  close(): Promise<void>;
}

const HOST_SETTINGS = { POLL_FIRST_INTERVAL_SECONDS: "1", POLL_MAX_INTERVAL_SECONDS: "2", VERIFY_DELAY_SECONDS: "2", RETRAIN_GATE: "AUC>=0.8" };

/** The local engine: `npm run serve` in a child process, SIGKILLed whole. */
async function localHarness(): Promise<Harness> {
  emulator = await startTestEmulator();
  const e = emulator;
  const dir = mkdtempSync(path.join(tmpdir(), "retrainer-kill-"));
  writeFileSync(path.join(dir, "census.csv"), syntheticCensusCsv(4_000, 7));
  const settingsFile = path.join(dir, "local.settings.json");
  writeFileSync(settingsFile, JSON.stringify({
    ...sample,
    Values: {
      ...sample.Values,
      ...pipelineEnv(e, dir, HOST_SETTINGS),
      AzureWebJobsStorage: inject("azuriteConnectionString"),
      // A hub of its own: a host resumes every unfinished instance of its hub in this shared Azurite.
      [HUB_NAME_SETTING]: `hostkill${randomUUID().replace(/-/g, "").slice(0, 12)}`,
      RETRAIN_SCHEDULE: "0 0 0 1 1 *",
    },
  }));
  return {
    e, key,
    start: async () => {
      const s = await serveHost(settingsFile, dir);
      children.push(s);
      return { url: s.url, output: () => s.output(), kill: () => s.kill() };
    },
    close: () => Promise.resolve(),
  };
}

/**
 * The real engine: its .NET host process SIGKILLed and started again; the app's worker stays, as
 * the ML service does. One pipeline for the file: the worker loads the app once per process.
 */
let real: HostedPipeline | undefined;
afterAll(() => real?.stop());
async function realHarness(): Promise<Harness> {
  real ??= await startHostedPipeline({ speed: 1, settings: HOST_SETTINGS });
  const p = real;
  let started = false;
  return {
    e: p.emulator, key: FUNCTION_KEY,
    start: async () => {
      if (started) await p.real!.restart();
      started = true;
      return { url: p.host.url, output: () => p.logs.join("\n"), kill: () => p.real!.kill() };
    },
    close: async () => {
      await p.emulator.admin("DELETE", "faults");
      // Each local scenario starts with no run history (a service and storage of its own); here
      // too, or the next run would place its first poll after the last one's (killed, so long) training time.
      const table = TableClient.fromConnectionString(p.values.STAGING_STORAGE_CONNECTION_STRING!, p.values.HISTORY_TABLE!, { allowInsecureConnection: true });
      for await (const e of table.listEntities()) await table.deleteEntity(e.partitionKey!, e.rowKey!);
    },
  };
}

describe("a host killed mid-run resumes on restart, and every side effect happens exactly once", () => {
  it.each(scenarios)("$name", async (s) => {
    const h = onRealEngine ? await realHarness() : await localHarness();
    try {
      await killAndResume(h, s);
    } finally {
      await h.close();
    }
  }, 180_000);
});

async function killAndResume(h: Harness, s: Scenario): Promise<void> {
  const { e } = h;
  await e.admin("POST", "faults", s.faults);
  const before = await servedModel(e);
  const jobsBefore = ((await e.admin("GET", "jobs")).body as unknown[]).length;
  const c0 = await calls(e);
  const received0 = ((await e.admin("GET", "received")).body as { patch: number }).patch;

  const first = await h.start();
  const start = await fetch(`${first.url}/api/retrain`, { method: "POST", headers: { "x-functions-key": h.key }, body: "{}" });
  expect(start.status).toBe(202);
  const moment: Moment = { e, host: first, key: h.key, modelBefore: before, callsBefore: c0, receivedBefore: received0 };
  await s.killWhen(moment);
  await first.kill();
  await s.beforeRestart?.(moment);

  const second = await h.start();
  // the local engine says what it resumes; the real one resumes from its queues (after the dead host's leases lapse)
  if (!onRealEngine) expect(second.output()).toMatch(/resuming retrain-retrain \(retrainOrchestrator\)/);
  await expect.poll(async () => (await runStatus(second.url, h.key)).runtimeStatus, { timeout: 120_000, interval: 100 }).toBe("Completed");
  const end = await runStatus(second.url, h.key);
  expect(end).toMatchObject({ result: "promoted", stage: "done" });
  if (s.resumedLog && !onRealEngine) expect(second.output()).toMatch(s.resumedLog);

  // exactly once: one job submitted and started, one PATCH, and the endpoint serves the run's model
  expect(((await e.admin("GET", "jobs")).body as unknown[]).length - jobsBefore).toBe(1);
  const c = await calls(e);
  expect({ submit: c.submit - c0.submit, start: c.start - c0.start, patch: c.patch - c0.patch }).toEqual({ submit: 1, start: 1, patch: 1 });
  expect(await servedModel(e)).toBe(end.model);
  // the archive of the replaced model survived the restart, with where it came from
  const run = (await (await fetch(`${second.url}/api/runs/${String(end.runId)}`, { headers: { "x-functions-key": h.key } })).json()) as Record<string, { RelativeLocation?: string } | undefined>;
  expect(run.modelBefore?.RelativeLocation).toBe(before);
  expect(run.archivedModel?.RelativeLocation).toMatch(/^retrainer-archive\/retrain\/.+\/previous\.ilearner$/);
}
