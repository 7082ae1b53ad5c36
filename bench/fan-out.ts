// Fan-out benchmark: `node dist/bench/fan-out.js [--sizes=10,100,1000] [--speeds=60,200,400] [--cap=8]
// [--parallel=16] [--job-seconds=600] [--poll-cap=60] [--slow-case=on|off]` (~5 minutes with the defaults).
// Figures, not a test: it exits 0 unless the benchmark itself breaks. One scheduled tick retrains
// N endpoints against the local ML service capped at C concurrent jobs, each job held Running for
// a fixed (virtual) duration on tiny data, so the ideal makespan is ⌈N/C⌉ × job duration. The
// service runs in this process on the host's virtual clock; each host runs in a child process of
// its own, so its peak RSS and CPU are the host's alone (Durable state in memory: the subject is
// the orchestrations, not storage round trips).
import { fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startAzurite } from "../emulator/azurite";
import { DEFAULT_CONFIG } from "../emulator/classic/config";
import { startEmulator } from "../emulator/classic/emulator";
import { syntheticCensusCsv } from "../emulator/training/synthetic-census";
import { ScaledClock } from "../local-host/durable/clock";
import { MemoryStateStore } from "../local-host/durable/memory-store";
import { instanceIdFor } from "../functions/orchestrators/instance-ids";
import { report, type BenchRow } from "./report";
import { adminOf, fanOutSettings, maxConcurrent, type JobTimes } from "./fan-out-common";

const CHILD = "--bench-child";
const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;

interface HostJob {
  readonly n: number;
  readonly values: Record<string, string>;
  /** The shared virtual clock: virtual = virtualAt + (Date.now() - realAt) × speed. */
  readonly clock: { speed: number; realAt: number; virtualAt: number };
}
interface HostResult {
  readonly tickMs: number;
  /** Virtual time the tick started at. */
  readonly tickStartMs: number;
  readonly output: { endpoints: { result: string }[] };
  readonly peakRssMiB: number;
  readonly cpuMs: number;
  readonly fanOut: { episodes: number; historyEvents: number; replayedEvents: number; orchestratorMs: number };
  readonly children: { instances: number; episodes: number; replayedEvents: number; orchestratorMs: number };
  /** Endpoint → when its run ended (virtual ms). */
  readonly endedAt: Record<string, number>;
}

// ---------------------------------------------------------------------------------------------
// Child: one host, one tick.

async function runHost(job: HostJob): Promise<HostResult> {
  const { startLocalHost } = await import("../local-host/host.js");
  const clock = new ScaledClock(job.clock.speed, job.clock.virtualAt + (Date.now() - job.clock.realAt) * job.clock.speed);
  const perInstance = new Map<string, { name: string; episodes: number; replayed: number; ms: number }>();
  const host = await startLocalHost({
    values: job.values, functionKey: "bench", clock, schedules: false, store: new MemoryStateStore(), hubName: "bench", log: () => undefined,
    observer: {
      episode(id, name, events, ms) {
        const s = perInstance.get(id) ?? { name, episodes: 0, replayed: 0, ms: 0 };
        s.episodes++;
        s.replayed += events;
        s.ms += ms;
        perInstance.set(id, s);
      },
    },
  });
  const cpu0 = process.cpuUsage();
  const t0 = clock.now();
  await host.tick("retrainSchedule");
  const tick = await host.engine.waitUntilEnded("retrain-schedule");
  const tickMs = Date.parse(tick.lastUpdatedTime) - t0;
  const cpu = process.cpuUsage(cpu0);
  const fan = perInstance.get("retrain-schedule")!;
  const children = [...perInstance.entries()].filter(([id]) => id !== "retrain-schedule");
  const endedAt: Record<string, number> = {};
  for (const e of job.values.RETRAIN_ENDPOINTS!.split(",")) endedAt[e] = Date.parse((await host.engine.waitUntilEnded(instanceIdFor(e))).lastUpdatedTime);
  await host.stop();
  return {
    tickMs, tickStartMs: t0, output: tick.output as HostResult["output"], peakRssMiB: process.resourceUsage().maxRSS / 1024, cpuMs: (cpu.user + cpu.system) / 1000,
    fanOut: { episodes: fan.episodes, historyEvents: tick.history.length, replayedEvents: fan.replayed, orchestratorMs: fan.ms },
    children: {
      instances: children.length, episodes: children.reduce((a, [, s]) => a + s.episodes, 0),
      replayedEvents: children.reduce((a, [, s]) => a + s.replayed, 0), orchestratorMs: children.reduce((a, [, s]) => a + s.ms, 0),
    },
    endedAt,
  };
}

// ---------------------------------------------------------------------------------------------
// Parent: Azurite, then per N a fresh service (this process) and a fresh host (a child).

/**
 * Where the makespan goes beyond the jobs themselves: before the first job runs (staging, submit,
 * start), slot time left idle while jobs remained (the host not keeping the service busy), and
 * after the last job ends (noticing it, evaluating, promoting, verifying).
 */
function timeline(jobs: readonly JobTimes[], tickStartMs: number, tickMs: number, cap: number): { headS: number; idleSlotS: number; tailS: number } {
  const ran = jobs.filter((j) => j.runningAt && j.endedAt).map((j) => [Date.parse(j.runningAt!), Date.parse(j.endedAt!)] as const);
  const first = Math.min(...ran.map((r) => r[0]));
  const last = Math.max(...ran.map((r) => r[1]));
  // Idle slot time while more jobs were still to start: from the first start to the last start.
  const lastStart = Math.max(...ran.map((r) => r[0]));
  const edges = ran.flatMap(([a, b]) => [[a, 1], [b, -1]] as const).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let running = 0;
  let at = first;
  let idle = 0;
  for (const [t, d] of edges) {
    const until = Math.min(t, lastStart);
    if (until > at) idle += (cap - running) * (until - at);
    at = Math.max(at, until);
    running += d;
  }
  return { headS: (first - tickStartMs) / 1000, idleSlotS: idle / cap / 1000, tailS: (tickStartMs + tickMs - last) / 1000 };
}

function runInChild(job: HostJob): Promise<HostResult> {
  return new Promise((resolve, reject) => {
    const cp = fork(__filename, [CHILD], { execArgv: process.execArgv.concat(process.env.BENCH_HOST_ARGS ? process.env.BENCH_HOST_ARGS.split(" ") : []) });
    let result: HostResult | undefined;
    cp.on("message", (m) => (m === "ready" ? cp.send(job) : (result = m as HostResult)));
    cp.on("error", reject);
    cp.on("exit", (code) => (result ? resolve(result) : reject(new Error(`host child exited with ${code} and no result`))));
  });
}

async function main(): Promise<void> {
  const sizes = arg("sizes", "10,100,1000").split(",").map(Number);
  // Virtual speed per size: as fast as the host keeps up with (the 1,000-endpoint tick would take
  // 10 minutes at 120×); the small sizes slower, as a few real seconds of start-up are a bigger share.
  const speeds = arg("speeds", "60,200,400").split(",").map(Number);
  const cap = Number(arg("cap", "8"));
  const jobMs = Number(arg("job-seconds", "600")) * 1000;
  // Twice the service's cap: a queued job takes a slot the moment one frees, without every run
  // polling through a long queue. The poll cap is a tenth of the job, so noticing its end adds ≤ 10 %.
  const maxParallel = Number(arg("parallel", String(2 * cap)));
  const pollCapSeconds = Number(arg("poll-cap", "60"));
  const slowCase = arg("slow-case", "on") !== "off";
  const slowFactor = 3;
  const slowSpeed = speeds[0]!; // as the first size's tick, whose makespan it is compared with
  const azurite = await startAzurite();
  const dataRoot = mkdtempSync(path.join(os.tmpdir(), "retrainer-fanout-"));
  writeFileSync(path.join(dataRoot, "tiny.csv"), syntheticCensusCsv(300, 42));
  const rows: BenchRow[] = [];
  const details: unknown[] = [];
  const makespanAt10 = new Map<number, number>(); // speed → N=10 makespan (ms), for the slow case
  /** One scheduled tick over n endpoints; `slow` holds one endpoint's job longer. */
  async function tick(n: number, speed: number, slow?: { endpoint: string; ms: number }) {
    const virtualAt = Date.now();
    const realAt = Date.now();
    const serviceClock = new ScaledClock(speed, virtualAt); // the host's child builds the same clock from these
    const endpoints = Array.from({ length: n }, (_, i) => `ep${String(i).padStart(4, "0")}`);
    const emulator = await startEmulator({
      // No storage given: the service keeps its workspace in an Azurite of its own, as the real
      // service's workspace storage is not the customer's account.
      ...DEFAULT_CONFIG, servicesPort: 0, managementPort: 0,
      workspaceId: randomUUID().replace(/-/g, ""), addedEndpoints: endpoints, maxConcurrentJobs: cap, propagationDelayInMs: 0,
    }, { now: () => serviceClock.now(), at: (atMs, fn) => serviceClock.at(atMs, fn) });
    const admin = adminOf(emulator);
    // A run id starts with its endpoint's name, and the job's input is `{container}/{runId}/input.csv`.
    await admin("POST", "faults", { holdRunningMs: jobMs, ...(slow ? { holdRunningWhere: { ms: slow.ms, inputContains: `/${slow.endpoint}-` } } : {}) });
    const values = fanOutSettings(emulator, azurite.connectionString, {
      endpoints, maxParallel, dataRoot,
      timing: {
        VERIFY_DELAY_SECONDS: "1", POLL_FIRST_INTERVAL_SECONDS: "15", POLL_MAX_INTERVAL_SECONDS: String(pollCapSeconds), POLL_BACKOFF_FACTOR: "1.5",
        JOB_DEADLINE_MINUTES: String(Math.ceil(((n / cap + 2) * jobMs + (slow?.ms ?? 0)) / 60_000)),
      },
    });
    const real0 = performance.now();
    try {
      const r = await runInChild({ n, values, clock: { speed, realAt, virtualAt } });
      const jobs = (await (await admin("GET", "jobs")).json()) as JobTimes[];
      return { r, jobs, realS: (performance.now() - real0) / 1000 };
    } finally {
      await emulator.stop();
    }
  }

  try {
    for (const [i, n] of sizes.entries()) {
      const speed = speeds[Math.min(i, speeds.length - 1)]!;
      const { r, jobs, realS } = await tick(n, speed);
      if (n === 10) makespanAt10.set(speed, r.tickMs);
      const ideal = Math.ceil(n / cap) * jobMs;
      const promoted = r.output.endpoints.filter((e) => e.result === "promoted").length;
      const seen = maxConcurrent(jobs);
      const spent = timeline(jobs, r.tickStartMs, r.tickMs, cap);
      rows.push(
        { case: `N=${n}, C=${cap}: makespan`, unit: "s", project: r.tickMs / 1000, baseline: ideal / 1000, baselineIs: `⌈N/C⌉ × ${jobMs / 1000} s job`, ratio: r.tickMs / ideal, target: "≤ 1.1×", met: r.tickMs / ideal <= 1.1 && promoted === n },
        { case: `N=${n}: most jobs running at once`, unit: "jobs", project: seen, baseline: cap, baselineIs: "service cap C", ratio: seen / cap, target: "≤ 1×", met: seen <= cap },
        { case: `N=${n}: peak host RSS`, unit: "MiB", project: r.peakRssMiB, baseline: r.peakRssMiB, baselineIs: "reported", ratio: 1 },
        { case: `N=${n}: host CPU per endpoint`, unit: "ms", project: r.cpuMs / n, baseline: jobMs / speed, baselineIs: "one job, real ms", ratio: r.cpuMs / n / (jobMs / speed) },
        { case: `N=${n}: fan-out history events per endpoint`, unit: "events", project: r.fanOut.historyEvents / n, baseline: r.fanOut.episodes / n, baselineIs: "its episodes per endpoint", ratio: r.fanOut.historyEvents / r.fanOut.episodes },
        { case: `N=${n}: fan-out orchestrator ms per endpoint`, unit: "ms", project: r.fanOut.orchestratorMs / n, baseline: r.children.orchestratorMs / n, baselineIs: "the children's orchestrator ms per endpoint", ratio: r.fanOut.orchestratorMs / Math.max(1e-9, r.children.orchestratorMs) },
      );
      details.push({ n, cap, maxParallel, pollCapSeconds, jobMs, speed, realSeconds: realS, beyondTheJobs: spent, promoted, jobs: jobs.length, ...r, output: undefined });
      console.log(`N=${n}: ${realS.toFixed(1)} s real, makespan ${(r.tickMs / 1000).toFixed(0)} s virtual (ideal ${ideal / 1000}), ${promoted}/${n} promoted, ${seen} jobs at once at most, host CPU ${(r.cpuMs / 1000).toFixed(1)} s, beyond the jobs: head ${spent.headS.toFixed(0)} s, idle slots ${spent.idleSlotS.toFixed(0)} s, tail ${spent.tailS.toFixed(0)} s; fan-out ${r.fanOut.episodes} episodes / ${r.fanOut.historyEvents} events / ${r.fanOut.orchestratorMs.toFixed(0)} ms`);
    }
    if (slowCase) {
      // One endpoint's job runs `slowFactor` × longer: it holds one slot, and the others share
      // the remaining C − 1 slots, so they should be promoted as if it were not there.
      const n = 10;
      const slow = { endpoint: "ep0000", ms: slowFactor * jobMs };
      const { r, realS } = await tick(n, slowSpeed, slow);
      const others = Object.entries(r.endedAt).filter(([e]) => e !== slow.endpoint).map(([, t]) => t - r.tickStartMs);
      const othersDone = Math.max(...others);
      const slowDone = r.endedAt[slow.endpoint]! - r.tickStartMs;
      const othersIdeal = Math.ceil((n - 1) / (cap - 1)) * jobMs;
      const promoted = r.output.endpoints.filter((e) => e.result === "promoted").length;
      rows.push(
        { case: `N=${n}, one job ${slowFactor}× longer: the other ${n - 1} promoted by`, unit: "s", project: othersDone / 1000, baseline: othersIdeal / 1000, baselineIs: `⌈(N−1)/(C−1)⌉ × ${jobMs / 1000} s job`, ratio: othersDone / othersIdeal, target: "≤ 1.1×", met: othersDone / othersIdeal <= 1.1 && promoted === n },
        ...(makespanAt10.has(slowSpeed) ? [{
          case: `N=${n}, one job ${slowFactor}× longer: the other ${n - 1} vs all ${n} without it`, unit: "s", project: othersDone / 1000, baseline: makespanAt10.get(slowSpeed)! / 1000,
          baselineIs: "N=10 makespan above, same speed", ratio: othersDone / makespanAt10.get(slowSpeed)!, target: "≤ 1.1× (not held up)", met: othersDone / makespanAt10.get(slowSpeed)! <= 1.1,
        }] : []),
        { case: `N=${n}, one job ${slowFactor}× longer: the slow one promoted at`, unit: "s", project: slowDone / 1000, baseline: slow.ms / 1000, baselineIs: "its own job", ratio: slowDone / slow.ms },
      );
      details.push({ slowCase: { n, cap, speed: slowSpeed, slow, realSeconds: realS, promoted, othersDoneMs: othersDone, slowDoneMs: slowDone } });
      console.log(`N=${n} with ${slow.endpoint} ${slowFactor}× slower: ${realS.toFixed(1)} s real; the other ${n - 1} all promoted by ${(othersDone / 1000).toFixed(0)} s (ideal ${othersIdeal / 1000}), the slow one at ${(slowDone / 1000).toFixed(0)} s; ${promoted}/${n} promoted`);
    }
  } finally {
    await azurite.stop();
  }
  await report({
    name: "fan-out",
    rows,
    notes: [
      `Time is virtual (${speeds.slice(0, sizes.length).join("×, ")}× real for N = ${sizes.join(", ")}) and shared by host and service; a job is held Running ${jobMs / 1000} s on ${300} rows, so training time is negligible; RETRAIN_MAX_PARALLEL = ${maxParallel} (≥ C), so jobs queue behind the running ones while the host turns runs over.`,
      "Each run spends a few real seconds outside the service (stage, submit, start before; poll, evaluate, promote, verify, record after); scaled by the virtual speed that is minutes of virtual time, which the makespan ratio counts. At real job lengths it is ~1 % of a job.",
      "Makespan runs from the tick to the fan-out's end (every endpoint promoted and verified). Host CPU per endpoint is all the host process's CPU over the tick (orchestrators, activities, HTTP) ÷ N; compare it with the job's real length: above it the host, not the service, sets the pace.",
    ],
    details,
  });
}

if (process.argv.includes(CHILD)) {
  process.on("message", (job: HostJob) => {
    runHost(job).then((r) => (process.send!(r), process.exit(0)), (e: Error) => (console.error(e), process.exit(1)));
  });
  process.send!("ready");
} else {
  main().catch((e: Error) => {
    console.error(e);
    process.exit(1);
  });
}
