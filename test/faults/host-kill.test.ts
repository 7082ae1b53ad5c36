import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, inject, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../support/emulator";
import { pipelineEnv } from "../support/pipeline-env";
import { syntheticCensusCsv } from "../../emulator/training/synthetic-census";
import type { FaultSettings } from "../../emulator/faults";
import { HUB_NAME_SETTING } from "../../local-host/host";

const root = path.resolve(__dirname, "../..");
const main = path.join(root, "dist/local-host/main.js");
const sample = JSON.parse(readFileSync(path.join(root, "local.settings.sample.json"), "utf8")) as { Values: Record<string, string>; Host: { FunctionKey: string } };
const key = sample.Host.FunctionKey;

interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
}

/**
 * `npm run serve --no-ml-service` as a child process that can be SIGKILLed: the host alone,
 * while the ML service (in this test process) and Azurite carry on, as they would in Azure.
 */
async function serve(settingsFile: string, stateDir: string): Promise<Served> {
  const child = spawn(process.execPath, [main, `--settings=${settingsFile}`, `--state-dir=${stateDir}`, "--port=0", "--no-ml-service"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  await expect.poll(() => out, { timeout: 30_000 }).toMatch(/Functions host listening on http:\/\/127\.0\.0\.1:\d+/);
  return { child, url: /Functions host listening on (\S+)/.exec(out)![1]!, output: () => out };
}

async function kill(s: Served): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  const exited = new Promise((r) => s.child.once("exit", r));
  s.child.kill("SIGKILL");
  await exited;
}

const children: Served[] = [];
let emulator: TestEmulator | undefined;
afterEach(async () => {
  for (const c of children.splice(0)) await kill(c);
  await emulator?.stop();
  emulator = undefined;
});

async function runStatus(url: string): Promise<Record<string, unknown>> {
  return (await (await fetch(`${url}/api/retrain/retrain-retrain`, { headers: { "x-functions-key": key } })).json()) as Record<string, unknown>;
}

const calls = async (e: TestEmulator) => (await e.admin("GET", "calls")).body as Record<string, number>;
const servedModel = async (e: TestEmulator) => {
  const r = await e.call("GET", `${e.endpointsUrl}/retrain`, e.config.managementToken);
  return ((r.body as { Resources: { Location: { RelativeLocation: string } }[] }).Resources[0]!.Location.RelativeLocation);
};

interface Scenario {
  readonly name: string;
  readonly faults: FaultSettings;
  /** Resolves once the host is at the moment the scenario kills it. */
  readonly killWhen: (e: TestEmulator, host: Served) => Promise<void>;
  /** Waits (on the service) for what the dead host left in flight to land before restarting. */
  readonly beforeRestart?: (e: TestEmulator) => Promise<void>;
  /** What the restarted host must say it did. */
  readonly resumedLog?: RegExp;
}

const scenarios: Scenario[] = [
  {
    name: "during polling",
    faults: { holdRunningMs: 3_000 },
    killWhen: async (_e, host) => void (await expect.poll(async () => (await runStatus(host.url)).stage, { timeout: 30_000, interval: 50 }).toBe("training")),
  },
  {
    // The PATCH reaches the service and is applied, but the host dies before it hears the answer.
    name: "during the PATCH",
    faults: { latency: { ms: 1_500, count: 1, operations: ["patch"] } },
    killWhen: async (e) => void (await expect.poll(async () => (await calls(e)).patch, { timeout: 30_000, interval: 20 }).toBe(1)),
    beforeRestart: async (e) => void (await expect.poll(() => servedModel(e), { timeout: 10_000, interval: 50 }).toMatch(/\/model\.ilearner$/)),
    // the promotion ran again, found its model already serving, and did not PATCH a second time
    resumedLog: /\[event\] ModelPromoted .*"alreadyApplied":true/,
  },
  {
    name: "during verification",
    faults: {},
    killWhen: async (_e, host) => void (await expect.poll(async () => (await runStatus(host.url)).stage, { timeout: 30_000, interval: 20 }).toBe("verifying")),
  },
];

describe("a host killed mid-run resumes on restart, and every side effect happens exactly once", () => {
  it.each(scenarios)("$name", async (s) => {
    emulator = await startTestEmulator();
    const e = emulator;
    const dir = mkdtempSync(path.join(tmpdir(), "retrainer-kill-"));
    writeFileSync(path.join(dir, "census.csv"), syntheticCensusCsv(4_000, 7));
    const settingsFile = path.join(dir, "local.settings.json");
    writeFileSync(settingsFile, JSON.stringify({
      ...sample,
      Values: {
        ...sample.Values,
        ...pipelineEnv(e, dir, { POLL_FIRST_INTERVAL_SECONDS: "1", POLL_MAX_INTERVAL_SECONDS: "2", VERIFY_DELAY_SECONDS: "2", RETRAIN_GATE: "AUC>=0.8" }),
        AzureWebJobsStorage: inject("azuriteConnectionString"),
        // A hub of its own: a host resumes every unfinished instance of its hub in this shared Azurite.
        [HUB_NAME_SETTING]: `hostkill${randomUUID().replace(/-/g, "").slice(0, 12)}`,
        RETRAIN_SCHEDULE: "0 0 0 1 1 *",
      },
    }));
    await e.admin("POST", "faults", s.faults);
    const before = await servedModel(e);

    const first = await serve(settingsFile, dir);
    children.push(first);
    const start = await fetch(`${first.url}/api/retrain`, { method: "POST", headers: { "x-functions-key": key }, body: "{}" });
    expect(start.status).toBe(202);
    await s.killWhen(e, first);
    await kill(first);
    await s.beforeRestart?.(e);

    const second = await serve(settingsFile, dir);
    children.push(second);
    expect(second.output()).toMatch(/resuming retrain-retrain \(retrainOrchestrator\)/);
    await expect.poll(async () => (await runStatus(second.url)).runtimeStatus, { timeout: 60_000, interval: 100 }).toBe("Completed");
    const end = await runStatus(second.url);
    expect(end).toMatchObject({ result: "promoted", stage: "done" });
    if (s.resumedLog) expect(second.output()).toMatch(s.resumedLog);

    // exactly once: one job submitted and started, one PATCH, and the endpoint serves the run's model
    const jobs = (await e.admin("GET", "jobs")).body as unknown[];
    expect(jobs).toHaveLength(1);
    const c = await calls(e);
    expect({ submit: c.submit, start: c.start, patch: c.patch }).toEqual({ submit: 1, start: 1, patch: 1 });
    expect(await servedModel(e)).toBe(end.model);
    // the archive of the replaced model survived the restart, with where it came from
    const run = (await (await fetch(`${second.url}/api/runs/${String(end.runId)}`, { headers: { "x-functions-key": key } })).json()) as Record<string, { RelativeLocation?: string } | undefined>;
    expect(run.modelBefore?.RelativeLocation).toBe(before);
    expect(run.archivedModel?.RelativeLocation).toMatch(/^retrainer-archive\/retrain\/.+\/previous\.ilearner$/);
  });
});
