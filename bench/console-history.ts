// The run history `bench/console.ts` reads: realistic RunRecords for N endpoints × M runs, written
// into Azurite as RunHistoryClient.upsert lays them out (the endpoint's partition, `~all`, the
// `~run` index; ../shared/history/keys.ts) but through Table batch transactions in parallel, then
// one summary row per endpoint computed by the product's own refreshSummary.
import { TableClient, type TableEntity, type TransactionAction } from "@azure/data-tables";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { profileCsv, type DataProfile } from "../shared/data/profile";
import { syntheticCensusCsv } from "../emulator/training/synthetic-census";
import { seededRandom } from "../emulator/training/rng";
import { evaluateGate, parseGateRules } from "../shared/evaluation/gate";
import { CLASSIC_METRICS } from "../shared/backends/classic/metrics";
import type { Metrics } from "../shared/evaluation/metrics";
import type { ClassicModelRef } from "../shared/backends/model-ref";
import type { RunRecord, RunTrigger } from "../shared/history/run-record";
import { ALL_PARTITION, INDEX_PARTITION, endpointPartition, timeKey } from "../shared/history/keys";
import { fitRecord, toProperties } from "../shared/history/record-entity";
import { RunHistoryClient } from "../shared/history/run-history";

export const GATE = "AUC>=0.85; Accuracy>=0.8; AUC>=champion-0.005";
const RULES = parseGateRules(GATE, CLASSIC_METRICS);
/** A run every 6 hours or so: 1,000 runs reach back about 250 days. */
const RUN_INTERVAL_IN_MS = 6 * 3_600_000;
/** Table storage takes at most 100 operations, all in one partition, per batch. */
const BATCH = 100;

/** Census-shaped profiles (15 columns), each measured against the one before, as a run's is. */
export async function baseProfiles(count: number): Promise<DataProfile[]> {
  const out: DataProfile[] = [];
  let reference: DataProfile | undefined;
  for (let i = 0; i < count; i++) {
    const p = await profileCsv(Readable.from([Buffer.from(syntheticCensusCsv(32_561, 100 + i))]), reference);
    out.push(p);
    reference ??= p;
  }
  return out;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** A run's own profile: a base one with its own rows, bytes, hash and drift shares. */
function profileFor(base: DataProfile, random: () => number): DataProfile {
  const rows = Math.round(base.rows * (0.9 + random() * 0.2));
  const jitter = (xs: readonly number[]) => {
    const v = xs.map((x) => x * (0.85 + random() * 0.3));
    const sum = v.reduce((a, b) => a + b, 0) || 1;
    return v.map((x) => round6(x / sum));
  };
  return {
    ...base,
    sha256: createHash("sha256").update(String(random())).digest("hex"),
    bytes: Math.round(base.bytes * rows / base.rows),
    rows,
    columns: base.columns.map((c) => ({ ...c, present: Math.round(c.present * rows / base.rows), ...(c.overReference ? { overReference: jitter(c.overReference) } : {}) })),
  };
}

const hex = (random: () => number, n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join("");
const stampOf = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
const modelRef = (random: () => number): ClassicModelRef => ({
  backend: "classic", BaseLocation: "https://esintussouthcentralus.blob.core.windows.net/",
  RelativeLocation: `experimentoutput/${hex(random, 8)}-${hex(random, 4)}-${hex(random, 4)}-${hex(random, 12)}/${hex(random, 32)}.ilearner`,
});

function metricsAround(auc: number, random: () => number): Metrics {
  const n = () => (random() - 0.5) * 0.02;
  const accuracy = 0.72 + (auc - 0.8) * 0.9 + n();
  const precision = 0.7 + n();
  const recall = 0.58 + n();
  return {
    Accuracy: round6(accuracy), Precision: round6(precision), Recall: round6(recall),
    "F-Score": round6((2 * precision * recall) / (precision + recall)), AUC: round6(auc),
    "Average Log Loss": round6(0.33 + n()), "Training Log Loss": round6(0.41 + n()),
  };
}

/**
 * One endpoint's runs, oldest first: scheduled, data-triggered and manual runs; promotions,
 * rejections (by the product's own gate), failures, unchanged-data skips and a few refused data
 * sets and dry runs. Deterministic for a given endpoint index.
 */
export function endpointRuns(endpoint: string, index: number, runs: number, profiles: readonly DataProfile[], nowInMs: number): RunRecord[] {
  const random = seededRandom(1_000 + index);
  const out: RunRecord[] = [];
  let champion: Metrics | undefined;
  let serving = modelRef(random);
  let lastData: { runId: string; sha256: string } | undefined;
  const instanceId = `retrain-${endpoint.toLowerCase()}`;
  for (let k = 0; k < runs; k++) {
    const startMs = nowInMs - (runs - k) * RUN_INTERVAL_IN_MS + Math.floor(random() * 3_600_000);
    const runId = `${endpoint.toLowerCase()}-${stampOf(startMs)}-${hex(random, 6)}`;
    const roll = random();
    const trigger: RunTrigger = roll < 0.7 ? { kind: "schedule" }
      : roll < 0.9 ? { kind: "data", arrivals: 1 + Math.floor(random() * 3), watcher: `newdata-${endpoint.toLowerCase()}-${k}`, seq: k }
        : { kind: "http", caller: random() < 0.5 ? "function key" : "alice@contoso.com" };
    const profile = profileFor(profiles[k % profiles.length]!, random);
    const staging = 4 + Math.floor(random() * 20);
    const base = {
      runId, endpoint, backend: "classic" as const, instanceId, trigger, dataSource: `blob retrainer-data/${endpoint.toLowerCase()}/census-${stampOf(startMs).slice(0, 8)}.csv`,
      dataBytes: profile.bytes, dataSha256: profile.sha256, profile, ...(lastData ? { profileReference: lastData.runId } : {}),
      gateRules: GATE, modelBefore: serving, startedAt: new Date(startMs).toISOString(),
    };
    const kind = random();
    let record: RunRecord;
    if (kind < 0.12 && lastData) {
      record = { ...base, result: "skipped", reason: `the data is the same as run ${lastData.runId}'s (sha256 ${lastData.sha256.slice(0, 12)}…), so no job was submitted; retrain on it with "force": true, or set skipUnchanged to false`, durationsInSeconds: { staging, total: staging + 1 }, endedAt: new Date(startMs + (staging + 1) * 1000).toISOString() };
    } else if (kind < 0.16) {
      record = { ...base, result: "data-rejected", reason: "the data failed a check, so no job was submitted: Column \"hours-per-week\" drifted (PSI 0.31, at most 0.25).", durationsInSeconds: { staging, checks: 2, total: staging + 2 }, endedAt: new Date(startMs + (staging + 2) * 1000).toISOString() };
    } else if (kind < 0.26) {
      const jobId = hex(random, 32);
      const training = 200 + Math.floor(random() * 400);
      record = { ...base, jobId, result: "failed", reason: `training job ${jobId} ended Failed: Module execution encountered an internal error (Error 0000). Please check the job's output log in the workspace.`, durationsInSeconds: { staging, training, total: staging + training }, endedAt: new Date(startMs + (staging + training) * 1000).toISOString() };
    } else {
      const jobId = hex(random, 32);
      const metrics = metricsAround(0.86 + (random() - 0.45) * 0.04, random);
      const decision = evaluateGate(RULES, metrics, champion);
      const training = 240 + Math.floor(random() * 500);
      const durations = { staging, training, evaluation: 20, ...(decision.passed ? { promotion: 35, verification: 30 } : {}) };
      const total = Object.values(durations).reduce((a, b) => a + b, 0);
      const endedAt = new Date(startMs + total * 1000).toISOString();
      const scored = { ...base, jobId, metrics, ...(champion ? { championMetrics: champion } : {}), decision, durationsInSeconds: { ...durations, total }, endedAt };
      if (!decision.passed) {
        record = { ...scored, result: "rejected", reason: decision.reasons.filter((r) => r.includes("fails")).join(" ") };
      } else if (kind > 0.97) {
        record = { ...scored, result: "dry-run", reason: "dry run: the model passed the gate and was not promoted" };
      } else {
        const after = modelRef(random);
        const approved = random() < 0.3 ? { approval: { deadline: new Date(startMs + 72 * 3_600_000).toISOString(), approved: true, by: "bob@contoso.com", at: endedAt, comment: "Checked the drift table; fine." } } : {};
        record = { ...scored, result: "promoted", modelAfter: after, archivedModel: { ...serving, RelativeLocation: `retrainer-archive/${runId}/model.ilearner` }, ...approved };
        serving = after;
        champion = metrics;
      }
    }
    if (record.result !== "data-rejected") lastData = { runId, sha256: profile.sha256 };
    out.push(record);
  }
  return out;
}

/** Runs `task` over `items` with at most `parallel` in flight. */
export async function inParallel<T>(items: readonly T[], parallel: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, async () => {
    while (next < items.length) await task(items[next++]!);
  }));
}

export interface SeedResult {
  readonly records: number;
  readonly entities: number;
  readonly batches: number;
  readonly recordBytes: { readonly mean: number; readonly max: number };
  readonly writeMs: number;
  readonly summaryMs: number;
  readonly layout: "exact" | "sharded";
}

/**
 * Writes every endpoint's runs as upsert lays them out (same properties, same keys), 100 to a
 * batch, `parallel` batches in flight; then each endpoint's overview row with refreshSummary.
 *
 * `exact` puts every run's `~all` copy and `~run` index row in those two partitions, as the
 * product does. Azurite cannot take that at 200,000 runs: each insert looks the row up with a
 * scan of its partition (LokiJS filters the partition's rows for the RowKey), so filling one
 * partition is quadratic (measured: 0.3 ms a row at 10,000 rows, 4.5 ms at 30,000). `sharded`
 * writes the same rows under one `~all-NNN` / `~run-NNN` partition per endpoint instead: the
 * pages measured never read those partitions, and what they cost Azurite (every query scans the
 * whole table) depends on the number and size of entities, which are the same.
 */
export async function seedHistory(o: { connectionString: string; table: string; endpoints: readonly string[]; runs: number; exact: boolean; parallel: number; log: (line: string) => void }): Promise<SeedResult> {
  const history = RunHistoryClient.fromConnectionString(o.connectionString, o.table);
  await history.init();
  const client = TableClient.fromConnectionString(o.connectionString, o.table, { allowInsecureConnection: true });
  const profiles = await baseProfiles(6);
  const nowInMs = Date.now();
  let records = 0;
  let batches = 0;
  let bytes = 0;
  let maxBytes = 0;
  const started = performance.now();
  // Rows wait here by partition until a batch of them is full (a batch never mixes partitions).
  const pending = new Map<string, TableEntity[]>();
  const add = (e: TableEntity) => {
    const rows = pending.get(e.partitionKey) ?? [];
    rows.push(e);
    pending.set(e.partitionKey, rows);
  };
  const flush = async (partition: string, all: boolean) => {
    const rows = pending.get(partition) ?? [];
    const taken = rows.splice(0, all ? rows.length : rows.length - (rows.length % BATCH));
    for (let i = 0; i < taken.length; i += BATCH) {
      // create, not upsert: the table is new, and Azurite's upsert looks each row up twice.
      const actions: TransactionAction[] = taken.slice(i, i + BATCH).map((e) => ["create", e]);
      await client.submitTransaction(actions);
      batches++;
    }
  };
  await inParallel(o.endpoints.map((e, i) => ({ e, i })), o.parallel, async ({ e, i }) => {
    const partition = endpointPartition("seed", e);
    const all = o.exact ? ALL_PARTITION : `${ALL_PARTITION}-${String(i).padStart(3, "0")}`;
    const index = o.exact ? INDEX_PARTITION : `${INDEX_PARTITION}-${String(i).padStart(3, "0")}`;
    for (const r of endpointRuns(e, i, o.runs, profiles, nowInMs)) {
      const row = timeKey("seed", r.startedAt, r.runId);
      const props = toProperties(fitRecord(r).record);
      const size = Object.entries(props).reduce((a, [k, v]) => a + k.length + String(v).length, 0);
      bytes += size;
      maxBytes = Math.max(maxBytes, size);
      add({ partitionKey: partition, rowKey: row, ...props });
      add({ partitionKey: all, rowKey: row, ...props });
      add({ partitionKey: index, rowKey: r.runId, partition, row });
      records++;
    }
    await Promise.all([partition, all, index].map((p) => flush(p, p === partition)));
    if ((i + 1) % 20 === 0) o.log(`  ${i + 1} of ${o.endpoints.length} endpoints written (${Math.round((performance.now() - started) / 1000)} s)`);
  });
  await Promise.all([...pending.keys()].map((p) => flush(p, true)));
  const writeMs = performance.now() - started;
  const s0 = performance.now();
  await inParallel(o.endpoints, 4, async (e) => {
    await history.refreshSummary(e);
  });
  return { records, entities: records * 3, batches, recordBytes: { mean: bytes / Math.max(1, records), max: maxBytes }, writeMs, summaryMs: performance.now() - s0, layout: o.exact ? "exact" : "sharded" };
}
