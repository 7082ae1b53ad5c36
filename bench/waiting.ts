// Waiting and replay benchmark (`npm run bench:waiting`): complete runs through the local host
// against the local ML service and Azurite, for jobs that take 1 min, 10 min and 2 h of virtual
// time (host and service share one clock running faster than real time). For each it counts status
// polls, activity executions and storage transactions, measures how late the run notices the job
// has ended, and the replay cost (history events per episode, orchestrator time), first for an
// endpoint with no history, then again once its history tells the expected job duration.
import { mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { startAzurite } from "../emulator/azurite";
import { DEFAULT_CONFIG } from "../emulator/classic/config";
import { startEmulator } from "../emulator/classic/emulator";
import { syntheticCensusCsv } from "../emulator/training/synthetic-census";
import { ScaledClock } from "../local-host/durable/clock";
import type { EngineObserver } from "../local-host/durable/engine";
import { startLocalHost } from "../local-host/host";
import { POLLS_PER_WINDOW } from "../functions/orchestrators/policies";
import { instanceIdFor } from "../functions/orchestrators/instance-ids";
import { report, type BenchRow } from "./report";

const SPEED = 500;
const DURATIONS_IN_SECONDS = [60, 600, 7_200];
const POLICY = { first: 15, factor: 1.5, cap: 300 }; // the product's defaults
const KEY = "bench-key";
/** stage, submit, start, evaluate, promote, verify, record: the activities a promoted run always runs. */
const FIXED_ACTIVITIES = 7;

/** Forwards HTTP to `target`, counting requests: every storage transaction the product makes. */
async function countingProxy(target: URL): Promise<{ url: string; count: () => number; close: () => void }> {
  let n = 0;
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    n++;
    const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, count: () => n, close: () => (server.closeAllConnections(), server.close(), agent.destroy()) };
}

/** Polls the product's policy makes for a job of `d` seconds: the ideal it is judged against. */
function modelPolls(d: number): number {
  let t = 0;
  let interval = POLICY.first;
  let polls = 1; // the first poll, at once
  while (t < d) {
    t += interval;
    interval = Math.min(interval * POLICY.factor, POLICY.cap);
    polls++;
  }
  return polls;
}

interface Episode { instanceId: string; events: number; ms: number }
interface Span { instanceId: string; name: string; startMs: number; endMs: number }

async function main(): Promise<void> {
  const azurite = await startAzurite({});
  const clock = new ScaledClock(SPEED);
  const endpoints = DURATIONS_IN_SECONDS.map((d) => `job${d}s`);
  const emulator = await startEmulator(
    { ...DEFAULT_CONFIG, servicesPort: 0, managementPort: 0, storageConnectionString: azurite.connectionString, propagationDelayInMs: 0, addedEndpoints: endpoints, maxConcurrentJobs: 4 },
    { now: () => clock.now(), at: (atMs, fn) => clock.at(atMs, fn) },
  );
  const cs = azurite.connectionString;
  const blob = await countingProxy(new URL(/BlobEndpoint=([^;]+)/.exec(cs)![1]!));
  const table = await countingProxy(new URL(/TableEndpoint=([^;]+)/.exec(cs)![1]!));
  const proxied = cs.replace(/BlobEndpoint=http:\/\/[^/;]+/, `BlobEndpoint=${blob.url}`).replace(/TableEndpoint=http:\/\/[^/;]+/, `TableEndpoint=${table.url}`);
  const dataRoot = mkdtempSync(path.join(tmpdir(), "retrainer-bench-wait-"));
  writeFileSync(path.join(dataRoot, "census.csv"), syntheticCensusCsv(2_000, 3));
  const episodes: Episode[] = [];
  const spans: Span[] = [];
  const observer: EngineObserver = {
    episode: (instanceId, _name, events, ms) => episodes.push({ instanceId, events, ms }),
    activity: (instanceId, name, startMs, endMs) => spans.push({ instanceId, name, startMs, endMs }),
  };
  const host = await startLocalHost({
    values: {
      FUNCTIONS_WORKER_RUNTIME: "node", AzureWebJobsStorage: proxied, STAGING_STORAGE_CONNECTION_STRING: proxied,
      AML_SERVICES_URL: emulator.servicesUrl, AML_MANAGEMENT_URL: emulator.managementUrl, AML_WORKSPACE_ID: emulator.config.workspaceId,
      AML_TRAINING_SERVICE_ID: emulator.config.trainingServiceId, AML_TRAINING_API_KEY: emulator.config.trainingApiKey,
      AML_PREDICTIVE_SERVICE_ID: emulator.config.predictiveServiceId, AML_MANAGEMENT_API_KEY: emulator.config.managementToken,
      RETRAIN_ENDPOINTS: endpoints.join(","), RETRAIN_SCHEDULE: "0 0 0 1 1 *", RETRAIN_DATA_SOURCE: "census.csv", RETRAIN_DATA_ROOT: dataRoot,
      RETRAIN_GATE: "AUC>=0.7", POLL_FIRST_INTERVAL_SECONDS: String(POLICY.first), POLL_BACKOFF_FACTOR: String(POLICY.factor),
      POLL_MAX_INTERVAL_SECONDS: String(POLICY.cap), JOB_DEADLINE_MINUTES: "240", VERIFY_DELAY_SECONDS: "30",
    },
    functionKey: KEY, clock, schedules: false, hubName: "benchwait", observer, log: () => undefined,
  });
  const admin = async (method: string, p: string, body?: unknown) => {
    const r = await fetch(`${emulator.managementUrl}/_admin/${p}`, { method, headers: { Authorization: `Bearer ${emulator.config.managementToken}` }, body: body === undefined ? undefined : JSON.stringify(body) });
    return r.status === 204 ? undefined : ((await r.json()));
  };
  // Silence the product's telemetry lines (LogTelemetry writes to stdout when App Insights is unset).
  const write = process.stdout.write.bind(process.stdout);

  const rows: BenchRow[] = [];
  const details: unknown[] = [];
  try {
    let shortestMs = 0;
    for (const pass of ["no history", "with history"] as const) {
      for (const [i, d] of DURATIONS_IN_SECONDS.entries()) {
        const endpoint = endpoints[i]!;
        const instance = instanceIdFor(endpoint);
        await admin("DELETE", "faults");
        await admin("POST", "faults", { holdRunningMs: d * 1000 });
        const c0 = (await admin("GET", "calls")) as Record<string, number>;
        const tx0 = { blob: blob.count(), table: table.count() };
        const e0 = episodes.length;
        const s0 = spans.length;
        const wall0 = performance.now();
        process.stdout.write = (() => true);
        const res = await fetch(`${host.url}/api/retrain`, { method: "POST", headers: { "x-functions-key": KEY }, body: JSON.stringify({ endpoint }) });
        if (res.status !== 202) throw new Error(`start failed: ${res.status} ${await res.text()}`);
        const end = await host.engine.waitUntilEnded(instance);
        process.stdout.write = write;
        const wallSeconds = (performance.now() - wall0) / 1000;
        const s = end.customStatus as { result?: string; jobId?: string; polls?: number };
        if (s.result !== "promoted") throw new Error(`${endpoint}: run ended ${String(s.result)}: ${JSON.stringify(end.customStatus)}`);
        const c1 = (await admin("GET", "calls")) as Record<string, number>;
        const job = ((await admin("GET", "jobs")) as { id: string; endedAt: string; runningAt: string }[]).find((j) => j.id === s.jobId)!;
        const ours = (id: string) => id === instance || id.startsWith(`${instance}-poll-${s.jobId}`);
        const runSpans = spans.slice(s0).filter((x) => ours(x.instanceId));
        const runEpisodes = episodes.slice(e0).filter((x) => ours(x.instanceId));
        const checks = runSpans.filter((x) => x.name === "checkTrainingJob");
        const noticedAt = Math.max(...checks.map((x) => x.startMs));
        const delay = (noticedAt - Date.parse(job.endedAt)) / 1000;
        // status GETs also come from the evaluation, promotion and verification (fresh tokens): polls are the check activities
        const polls = checks.length;
        const statusGets = c1.status! - c0.status!;
        const longestActivityRealMs = Math.max(...runSpans.map((x) => (x.endMs - x.startMs) / SPEED));
        const perEpisode = runEpisodes.map((x) => x.events);
        const orchestratorMs = runEpisodes.reduce((a, x) => a + x.ms, 0);
        if (i === 0) shortestMs = orchestratorMs;
        const label = `${d >= 3600 ? `${d / 3600} h` : `${d / 60} min`} job, ${pass}`;
        const ideal = modelPolls(d);
        rows.push(
          { case: `${label}: status polls`, unit: "polls", project: polls, baseline: ideal, baselineIs: "the policy's schedule", ratio: polls / ideal, ...(pass === "no history" ? { target: "≈ 1 (log then linear)", met: polls <= ideal + 1 } : {}) },
          { case: `${label}: activity executions`, unit: "runs", project: runSpans.length, baseline: polls + FIXED_ACTIVITIES, baselineIs: `polls + ${FIXED_ACTIVITIES} fixed steps`, ratio: runSpans.length / (polls + FIXED_ACTIVITIES), target: "= 1 (nothing polls besides the poller)", met: runSpans.length === polls + FIXED_ACTIVITIES },
          { case: `${label}: detection delay`, unit: "s", project: delay, baseline: POLICY.cap, baselineIs: "poll cap", ratio: delay / POLICY.cap, target: "≤ 1", met: delay <= POLICY.cap },
          { case: `${label}: most events one episode replayed`, unit: "events", project: Math.max(...perEpisode), baseline: 8 * POLLS_PER_WINDOW + 4, baselineIs: "one polling window", ratio: Math.max(...perEpisode) / (8 * POLLS_PER_WINDOW + 4), target: "≤ 1", met: Math.max(...perEpisode) <= 8 * POLLS_PER_WINDOW + 4 },
        );
        rows.push({ case: `${label}: orchestrator time per run`, unit: "ms", project: orchestratorMs, baseline: shortestMs, baselineIs: "the 1 min job's", ratio: orchestratorMs / shortestMs });
        details.push({
          case: label, polls, statusGets, modelPolls: ideal, detectionDelaySeconds: delay, activities: runSpans.length, checkActivities: checks.length,
          longestActivityRealMs, storageTransactions: { blob: blob.count() - tx0.blob, table: table.count() - tx0.table }, episodes: runEpisodes.length,
          meanEventsPerEpisode: perEpisode.reduce((a, b) => a + b, 0) / perEpisode.length, maxEventsPerEpisode: Math.max(...perEpisode), orchestratorMs, wallSeconds,
        });
      }
    }
  } finally {
    process.stdout.write = write;
    await host.stop();
    await emulator.stop();
    blob.close();
    table.close();
    await azurite.stop();
  }
  for (const x of details) console.log(JSON.stringify(x));
  await report({
    name: "waiting",
    rows,
    details,
    notes: [
      `virtual time at ${SPEED}× real time for host and service; policy first ${POLICY.first} s, ×${POLICY.factor}, cap ${POLICY.cap} s`,
      "with history: the run history's median training time of the endpoint places the first poll at 80 % of it",
      "activities per run = polls + the fixed steps; the longest activity (real ms) in details shows no activity waits for the job",
    ],
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
