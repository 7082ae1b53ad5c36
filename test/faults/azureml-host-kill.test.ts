import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../support/emulator";
import { pipelineEnv } from "../support/pipeline-env";
import { startTestAzureMl } from "../support/azureml";
import { syntheticCensusCsv } from "../../emulator/training/synthetic-census";
import type { RunningAzureMlService } from "../../emulator/azureml/service";
import { HUB_NAME_SETTING } from "../../local-host/host";
import { FUNCTION_KEY, startHostedPipeline, type HostedPipeline } from "../support/host";
import { onRealEngine } from "../support/engine";
import { serve, type Served } from "../support/serve";

/**
 * A host killed in the middle of a v2 promotion (while the new deployment provisions, or with
 * traffic split between it and the serving one) resumes on restart and finishes the same shift:
 * traffic ends on one deployment, and no split ever involved a deployment but those two.
 * The v2 service (in this test process) and Azurite carry on, as they would in Azure.
 */
const root = path.resolve(__dirname, "../..");
const sample = JSON.parse(readFileSync(path.join(root, "local.settings.sample.json"), "utf8")) as { Values: Record<string, string>; Host: { FunctionKey: string } };
const ENDPOINT = "census-v2";
const ID = `retrain-${ENDPOINT}`;
const V2 = { AZUREML_TRAFFIC_STEPS: "50,100", AZUREML_STEP_WAIT_SECONDS: "4", POLL_FIRST_INTERVAL_SECONDS: "1", POLL_MAX_INTERVAL_SECONDS: "2" };

interface Target { readonly url: string; readonly key: string; output(): string; kill(): Promise<void> }
interface Harness { readonly svc: RunningAzureMlService; start(): Promise<Target>; close(): Promise<void> }

const children: Served[] = [];
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) await c.killAll();
  for (const s of stops.splice(0)) await s();
});

/** The local engine: `npm run serve --no-ml-service` as a child process, SIGKILLed whole. */
async function localHarness(): Promise<Harness> {
  const e: TestEmulator = await startTestEmulator();
  stops.push(() => e.stop());
  const ml = await startTestAzureMl({ provisioningDelayInMs: 2_000 });
  stops.push(() => ml.svc.stop());
  const dir = mkdtempSync(path.join(tmpdir(), "retrainer-v2kill-"));
  writeFileSync(path.join(dir, "census.csv"), syntheticCensusCsv(4_000, 7));
  const settingsFile = path.join(dir, "local.settings.json");
  writeFileSync(settingsFile, JSON.stringify({
    ...sample,
    Values: {
      ...sample.Values, ...pipelineEnv(e, dir), ...ml.settings(ENDPOINT, V2),
      AzureWebJobsStorage: inject("azuriteConnectionString"),
      [HUB_NAME_SETTING]: `v2kill${randomUUID().replace(/-/g, "").slice(0, 12)}`,
      RETRAIN_SCHEDULE: "0 0 0 1 1 *",
    },
  }));
  return {
    svc: ml.svc,
    start: async () => {
      const s = await serve([`--settings=${settingsFile}`, `--state-dir=${dir}`, "--port=0", "--no-ml-service"]);
      children.push(s);
      return { url: s.url, key: sample.Host.FunctionKey, output: () => s.output(), kill: () => s.kill() };
    },
    close: () => Promise.resolve(),
  };
}

/** The real engine: its .NET host SIGKILLed and started again; one pipeline for the file. */
let real: { p: HostedPipeline; svc: RunningAzureMlService } | undefined;
afterAll(async () => {
  await real?.p.stop();
  await real?.svc.stop();
});
async function realHarness(): Promise<Harness> {
  if (!real) {
    const ml = await startTestAzureMl({ provisioningDelayInMs: 2_000 });
    real = { p: await startHostedPipeline({ speed: 1, settings: ml.settings(ENDPOINT, V2) }), svc: ml.svc };
  }
  const { p, svc } = real;
  let started = false;
  return {
    svc,
    start: async () => {
      if (started) await p.real!.restart();
      started = true;
      return { url: p.host.url, key: FUNCTION_KEY, output: () => p.logs.join("\n"), kill: () => p.real!.kill() };
    },
    close: () => Promise.resolve(),
  };
}

const get = async (t: Target, route: string) => (await (await fetch(`${t.url}${route}`, { headers: { "x-functions-key": t.key } })).json()) as Record<string, unknown>;

const scenarios: { name: string; killWhen: (svc: RunningAzureMlService, serving: string) => Promise<void> }[] = [
  {
    name: "while the new deployment provisions",
    killWhen: (svc, serving) => expect.poll(() => [...svc.state.endpoint(ENDPOINT)!.deployments.values()].some((d) => d.name !== serving && d.provisioningState === "Creating"), { timeout: 60_000, interval: 20 }).toBe(true),
  },
  {
    name: "with traffic split 50/50",
    killWhen: (svc) => expect.poll(() => Object.values(svc.state.endpoint(ENDPOINT)!.traffic).sort(), { timeout: 60_000, interval: 20 }).toEqual([50, 50]),
  },
];

describe("a host killed mid-promotion on v2 resumes the same shift", () => {
  it.each(scenarios)("$name", async (s) => {
    const h = onRealEngine ? await realHarness() : await localHarness();
    try {
      const e = h.svc.state.endpoint(ENDPOINT)!;
      const serving = Object.keys(e.traffic).find((k) => e.traffic[k] === 100)!;
      const logFrom = e.trafficLog.length;
      const first = await h.start();
      expect((await fetch(`${first.url}/api/retrain`, { method: "POST", headers: { "x-functions-key": first.key }, body: JSON.stringify({ endpoint: ENDPOINT }) })).status).toBe(202);
      await s.killWhen(h.svc, serving);
      await first.kill();

      const second = await h.start();
      await expect.poll(async () => (await get(second, `/api/retrain/${ID}`)).runtimeStatus, { timeout: 150_000, interval: 200 }).toBe("Completed");
      const end = await get(second, `/api/retrain/${ID}`);
      expect(end, JSON.stringify(end)).toMatchObject({ result: "promoted", stage: "done" });
      const record = await get(second, `/api/runs/${String(end.runId)}`) as { rollout: { deployment: string; previousDeployment: string; steps: { percent: number }[] } };
      const green = record.rollout.deployment;
      expect(record.rollout.previousDeployment).toBe(serving);
      expect(record.rollout.steps.map((x) => x.percent)).toEqual([0, 50, 100, 100]);
      // One shift: every split applied went between the serving deployment and this run's, and it ends on the new one.
      const applied = e.trafficLog.slice(logFrom);
      for (const t of applied) expect(Object.keys(t).every((k) => k === serving || k === green), JSON.stringify(applied)).toBe(true);
      expect(e.traffic).toEqual({ [green]: 100 });
      expect(e.mirrorTraffic).toEqual({});
      expect(e.deployments.get(green)?.provisioningState).toBe("Succeeded");
      expect(e.deployments.has(serving)).toBe(true); // kept as the rollback target
    } finally {
      await h.close();
    }
  }, 240_000);
});
