// Fan-out on the real Durable Task extension: `node dist/bench/fan-out-real.js --size=N [--window=8]
// [--job-seconds=5]` (npm run bench:fan-out-real runs N = 10 and 100). Figures, not a test. One
// scheduled tick over N endpoints with RETRAIN_MAX_PARALLEL = window, each job held Running for a
// fixed real time on tiny data at a service with no cap of its own, so the ideal makespan (the
// baseline, from the same run) is ⌈N/window⌉ × job time; and the window must hold: never more than
// `window` jobs Running at once. Real time throughout: the real engine's clock cannot be sped up.
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startAzurite } from "../emulator/azurite";
import { DEFAULT_CONFIG } from "../emulator/classic/config";
import { startEmulator } from "../emulator/classic/emulator";
import { syntheticCensusCsv } from "../emulator/training/synthetic-census";
import { startEngineHost } from "../engine-host/host";
import { engineUnavailable } from "../engine-host/dotnet-host";
import { TICK_INSTANCE_ID } from "../functions/orchestrators/instance-ids";
import { adminOf, fanOutSettings, maxConcurrent, type JobTimes } from "./fan-out-common";

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
async function main(): Promise<void> {
  const missing = engineUnavailable();
  if (missing) throw new Error(`the real engine is not available: ${missing} (npm run build:engine)`);
  const n = Number(arg("size", "10"));
  const window = Number(arg("window", "8"));
  const jobMs = Number(arg("job-seconds", "5")) * 1000;
  const azurite = await startAzurite();
  const dataRoot = mkdtempSync(path.join(os.tmpdir(), "retrainer-fanout-real-"));
  writeFileSync(path.join(dataRoot, "tiny.csv"), syntheticCensusCsv(300, 42));
  const endpoints = Array.from({ length: n }, (_, i) => `ep${String(i).padStart(4, "0")}`);
  const emulator = await startEmulator({ ...DEFAULT_CONFIG, servicesPort: 0, managementPort: 0, workspaceId: randomUUID().replace(/-/g, ""), addedEndpoints: endpoints, maxConcurrentJobs: 10_000, propagationDelayInMs: 0 });
  const admin = adminOf(emulator);
  await admin("POST", "faults", { holdRunningMs: jobMs });
  const values = fanOutSettings(emulator, azurite.connectionString, {
    endpoints, maxParallel: window, dataRoot,
    timing: {
      VERIFY_DELAY_SECONDS: "0.5", POLL_FIRST_INTERVAL_SECONDS: "1", POLL_MAX_INTERVAL_SECONDS: "1", POLL_BACKOFF_FACTOR: "1", JOB_DEADLINE_MINUTES: "30",
      AzureFunctionsJobHost__extensions__durableTask__storageProvider__maxQueuePollingInterval: "00:00:01",
    },
  });
  const host = await startEngineHost({ values, functionKey: "bench", hubName: `fanreal${randomUUID().replace(/-/g, "").slice(0, 8)}`, log: () => undefined });
  try {
    const t0 = Date.now();
    await host.tick("retrainSchedule");
    const status = `${host.url}/runtime/webhooks/durabletask/instances/${TICK_INSTANCE_ID}?code=${encodeURIComponent(host.systemKey)}`;
    let tick: { runtimeStatus: string; output: { endpoints: { result: string }[] } | null };
    for (;;) {
      tick = (await (await fetch(status)).json()) as typeof tick;
      if (["Completed", "Failed", "Terminated"].includes(tick.runtimeStatus)) break;
      if (Date.now() - t0 > 30 * 60_000) throw new Error("the tick did not end within 30 minutes");
      await new Promise((r) => setTimeout(r, 250));
    }
    const makespanMs = Date.now() - t0;
    const jobs = (await (await admin("GET", "jobs")).json()) as JobTimes[];
    const idealMs = Math.ceil(n / window) * jobMs;
    const promoted = tick.output?.endpoints.filter((e) => e.result === "promoted").length ?? 0;
    const peak = maxConcurrent(jobs);
    console.log(`fan-out on the real engine: N=${n}, window ${window}, job ${jobMs / 1000} s: makespan ${(makespanMs / 1000).toFixed(1)} s, ideal ⌈N/window⌉×job ${(idealMs / 1000).toFixed(0)} s, ratio ${(makespanMs / idealMs).toFixed(2)}; most jobs Running at once ${peak} (window ${peak <= window ? "held" : "EXCEEDED"}); ${promoted}/${n} promoted, ${jobs.length} jobs, tick ${tick.runtimeStatus}`);
  } finally {
    await host.stop();
    await emulator.stop();
    await azurite.stop();
  }
}

main().catch((e: unknown) => {
  console.error(`bench failed: ${(e as Error).message}`);
  process.exit(1);
});
