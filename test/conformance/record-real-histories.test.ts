import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onRealEngine } from "../support/engine";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import { readTaskHubHistory, type RecordedInstance } from "./task-hub-history";
import type { FaultSettings } from "../../emulator/classic/faults";

/**
 * Records the real engine's histories of the app's orchestrators, one file per scenario, into
 * test/fixtures/real-engine-histories/ for the conformance test that replays them on the local
 * engine. A tool, not a check: `npm run record:histories` (the .NET SDK needed); skipped otherwise.
 * With ENGINE_FIGURES=1 instead, it records nothing and prints each scenario's figures (wall time,
 * episodes and history events per instance) on the engine it runs on, for comparing the two.
 */
const RECORD = onRealEngine && process.env.RECORD_ENGINE_HISTORIES === "1";
const FIGURES = process.env.ENGINE_FIGURES === "1";
const OUT = path.resolve(__dirname, "../fixtures/real-engine-histories");

let p: HostedPipeline;
beforeAll(async () => {
  if (!RECORD && !FIGURES) return;
  p = await startHostedPipeline({
    speed: 1,
    endpoints: ["retrain", "customer2"],
    settings: {
      RETRAIN_ENDPOINTS: "retrain,customer2", RETRAIN_MAX_PARALLEL: "1", RETRAIN_GATE: "AUC>=0.8",
      POLL_FIRST_INTERVAL_SECONDS: "0.2", POLL_BACKOFF_FACTOR: "1.5", POLL_MAX_INTERVAL_SECONDS: "0.4", JOB_DEADLINE_MINUTES: "2",
      VERIFY_DELAY_SECONDS: "0.2", APPROVAL_TIMEOUT_HOURS: "0.001", AML_REQUEST_TIMEOUT_SECONDS: "1",
    },
  });
}, 120_000);
afterAll(() => p?.stop());

let scenarioStartedAt = 0;

/** Saves the scenario's instances: each named one and the poller of the job it trained. */
async function save(scenario: string, instanceIds: string[]): Promise<void> {
  const wallS = (Date.now() - scenarioStartedAt) / 1000;
  const ids: string[] = [];
  for (const id of instanceIds) {
    ids.push(id);
    const jobId = ((await p.engine.instance(id))?.customStatus as { jobId?: string } | null)?.jobId;
    if (jobId) ids.push(`${id}-poll-${jobId}`);
  }
  if (FIGURES) {
    const parts: string[] = [];
    for (const id of ids) {
      const s = (await p.engine.instance(id))!;
      // The real engine's status API has no episode count: its History table does (one OrchestratorStarted each).
      const history = onRealEngine ? await readTaskHubHistory(p.values.AzureWebJobsStorage!, p.real!.hubName, id) : undefined;
      const episodes = history ? history.filter((e) => e.EventType === "OrchestratorStarted").length : s.episodes;
      parts.push(`${s.name} ${String(episodes)} episodes, ${history?.length ?? s.historyEvents} events, ${s.status}`);
    }
    console.log(`FIGURES ${p.engineKind} ${scenario}: ${wallS.toFixed(1)} s; ${parts.join("; ")}`);
    return;
  }
  const instances: RecordedInstance[] = [];
  for (const id of ids) {
    const s = (await p.engine.instance(id))!;
    instances.push({ instanceId: id, name: s.name, status: s.status, history: await readTaskHubHistory(p.values.AzureWebJobsStorage!, p.real!.hubName, id) });
  }
  mkdirSync(OUT, { recursive: true });
  writeFileSync(path.join(OUT, `${scenario}.json`), `${JSON.stringify({ scenario, engine: "Microsoft.Azure.WebJobs.Extensions.DurableTask 3.14.1", instances }, null, 1)}\n`);
}

/** Starts a run (or a rollback) and waits until this run, not the instance's previous one, has ended. */
async function startAndWait(start: () => Promise<number>, during?: () => Promise<void>): Promise<void> {
  scenarioStartedAt = Date.now();
  const previous = (await p.engine.instance("retrain-retrain"))?.input;
  expect(await start()).toBe(202);
  await expect.poll(async () => (await p.engine.instance("retrain-retrain"))?.input !== previous, { timeout: 30_000, interval: 20 }).toBe(true);
  await during?.();
  await p.engine.waitUntilEnded("retrain-retrain", 180_000);
}

async function run(scenario: string, faults: FaultSettings, body: unknown, during?: () => Promise<void>): Promise<void> {
  await p.emulator.admin("DELETE", "faults");
  await p.emulator.admin("POST", "faults", faults);
  await startAndWait(async () => (await p.call("POST", "/api/retrain", body)).status, during);
  await save(scenario, ["retrain-retrain"]);
}

/** Waits for the run to await approval; its run id, which a decision names. */
const awaitingApproval = async () => {
  await expect.poll(async () => ((await p.engine.instance("retrain-retrain"))?.customStatus as { stage?: string } | null)?.stage, { timeout: 30_000, interval: 20 }).toBe("awaiting-approval");
  return ((await p.engine.instance("retrain-retrain"))!.customStatus as { runId: string }).runId;
};

describe.runIf(RECORD || FIGURES)("record the real engine's histories", () => {
  it("promoted", () => run("promoted", {}, {}), 120_000);
  it("rejected", () => run("rejected", {}, { gate: "AUC>=0.99" }), 120_000);
  it("approval approved", () => run("approval-approved", {}, { requireApproval: true }, async () => {
    const runId = await awaitingApproval();
    expect((await p.call("POST", "/api/retrain/retrain-retrain/approve", { runId, comment: "ok" })).status).toBe(202);
  }), 120_000);
  it("approval rejected", () => run("approval-rejected", {}, { requireApproval: true }, async () => {
    const runId = await awaitingApproval();
    expect((await p.call("POST", "/api/retrain/retrain-retrain/reject", { runId, comment: "no" })).status).toBe(202);
  }), 120_000);
  it("approval timed out", () => run("approval-timeout", {}, { requireApproval: true }), 120_000);
  it("verification rollback", () => run("verification-rollback", { patchIgnored: { count: 1 } }, {}), 120_000);
  it("throttling waits", () => run("throttled", { throttle: { count: 1, retryAfterSeconds: 1, operations: ["status"] } }, {}), 120_000);
  it("long poll with continue-as-new", () => run("long-poll", { holdRunningMs: 12_000 }, {}), 120_000);
  it("retries exhausted", () => run("retries-exhausted", { reset: { count: 100, operations: ["submit"] } }, {}), 180_000);
  it("manual rollback", async () => {
    await p.emulator.admin("DELETE", "faults");
    const latest = ((await p.call("POST", "/api/endpoints/retrain/rollback", {})).body as { latestPromotion: string }).latestPromotion;
    await startAndWait(async () => (await p.call("POST", "/api/endpoints/retrain/rollback", { runId: latest })).status);
    await save("manual-rollback", ["retrain-retrain"]);
  }, 120_000);
  it("fan-out", async () => {
    await p.emulator.admin("DELETE", "faults");
    scenarioStartedAt = Date.now();
    await p.host.tick("retrainSchedule");
    await p.engine.waitUntilEnded("retrain-schedule", 120_000);
    await save("fan-out", ["retrain-schedule", "retrain-retrain", "retrain-customer2"]);
  }, 180_000);
});
