// Local training benchmark: `npm run bench:training` (or `node dist/bench/training.js --rounds=N`).
// Figures, not a test: it exits 0 unless the benchmark itself breaks. On the real Adult data it
// times the local service's experiment (parse, clean and split, features, train, evaluate) and,
// in the same rounds, a reference: the same algorithm written plainly over flat typed arrays
// (same features, same split and shuffles, same mini-batch Adam), so the ratio says what the
// service's own structure costs. Then it times whole BES jobs on Adult and on the small
// generated data the test suite uses, through a real emulator over Azurite.
import { readFileSync } from "node:fs";
import path from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { startAzurite, type RunningAzurite } from "../emulator/azurite";
import { DEFAULT_CONFIG } from "../emulator/classic/config";
import { startEmulator, type RunningEmulator } from "../emulator/classic/emulator";
import { runExperiment } from "../emulator/training/experiment";
import { fitFeatures, makeEncoder, dimensionsOf } from "../emulator/training/features";
import { ILEARNER_FORMAT, ILEARNER_VERSION, makeScorer } from "../emulator/training/ilearner";
import { trainLogistic } from "../emulator/training/logistic";
import { evaluate } from "../emulator/training/metrics";
import { seededRandom, shuffledIndices } from "../emulator/training/rng";
import { syntheticCensusCsv } from "../emulator/training/synthetic-census";
import { isMissing, parseCsv } from "../emulator/training/table";
import { report, type BenchRow } from "./report";

const ADULT = path.resolve(__dirname, "../../../shared/data/adult/adult-train.csv"); // dist/bench/ -> beside the repo
const SEED = 123;
const SPLIT = 0.75;
/** The experiment's training settings (emulator/training/experiment.ts), repeated so the reference is independent. */
const TRAINING = { epochs: 12, batchSize: 128, learningRate: 0.05, l2: 1e-5 } as const;
/** Typical size of the generated data in test/ (800 to 6,000 rows). */
const SMALL_ROWS = 2_000;
const TARGET_RATIO = 1.5;

const PHASES = ["parse", "clean+split", "features", "train", "metrics"] as const;
type Phase = (typeof PHASES)[number];
type Timings = Record<Phase, number>;
interface Outcome { auc: number; accuracy: number; weights: ArrayLike<number>; bias: number }

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

function phaseClock(): { lap(phase: Phase): void; timings: Timings } {
  const timings = Object.fromEntries(PHASES.map((p) => [p, 0])) as Timings;
  let last = performance.now();
  return {
    timings,
    lap(phase) {
      const now = performance.now();
      timings[phase] += now - last;
      last = now;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The project, phase by phase: the steps of runExperiment (emulator/training/experiment.ts) in its
// order, through the same modules. Checked against runExperiment's metrics, so it cannot drift.

async function projectPhases(csv: string): Promise<{ timings: Timings; outcome: Outcome }> {
  const clock = phaseClock();
  const table = parseCsv(csv);
  clock.lap("parse");
  const labelIndex = table.columns.indexOf("class");
  const usable = table.rows.filter((r) => !isMissing(r[labelIndex]));
  const [negative, positive] = [...new Set(usable.map((r) => r[labelIndex]!))].sort() as [string, string];
  const order = shuffledIndices(usable.length, seededRandom(SEED));
  const trainCount = Math.round(usable.length * SPLIT);
  const trainIdx = order.subarray(0, trainCount);
  const testIdx = order.subarray(trainCount);
  clock.lap("clean+split");
  const features = fitFeatures({ columns: table.columns, rows: usable }, labelIndex, trainIdx);
  const encode = makeEncoder(features);
  const column = new Map(table.columns.map((c, i) => [c, i]));
  const labelOf = (r: readonly string[]) => (r[labelIndex] === positive ? 1 : 0);
  const trainRows = Array.from(trainIdx, (i) => encode((name) => usable[i]![column.get(name)!]));
  const trainLabels = Uint8Array.from(trainIdx, (i) => labelOf(usable[i]!));
  clock.lap("features");
  const fit = await trainLogistic(trainRows, trainLabels, { ...TRAINING, dimensions: dimensionsOf(features), seed: SEED });
  clock.lap("train");
  const positiveRate = trainLabels.reduce((a, b) => a + b, 0) / trainLabels.length;
  const scorer = makeScorer({
    format: ILEARNER_FORMAT, formatVersion: ILEARNER_VERSION, learner: "TwoClassLogisticRegression", labelColumn: "class",
    labels: [negative, positive], features, weights: fit.weights, bias: fit.bias, trainingPositiveRate: positiveRate,
    trainedOn: { rows: trainIdx.length, seed: SEED, splitFraction: SPLIT },
  });
  const testRows = Array.from(testIdx, (i) => usable[i]!);
  const probabilities = testRows.map((r) => scorer.probability((name) => r[column.get(name)!]));
  const metrics = evaluate(probabilities, testRows.map(labelOf), positiveRate);
  clock.lap("metrics");
  return { timings: clock.timings, outcome: { auc: metrics.AUC, accuracy: metrics.Accuracy, weights: fit.weights, bias: fit.bias } };
}

// ---------------------------------------------------------------------------------------------
// The reference: the same algorithm as a minimal direct implementation. Rows live in flat typed
// arrays (one slot per feature column: the one-hot index and value), no per-row objects, no
// closures per cell. Same split and shuffles (the same seeded generator), same cleaning, encoding
// and Adam updates in the same order, so its weights should equal the project's.

interface Encoded {
  readonly n: number;
  /** Slots per row: one per feature column (an unseen category is index 0 with value 0). */
  readonly width: number;
  readonly index: Int32Array;
  readonly value: Float64Array;
}

interface Column { numeric: boolean; mean: number; std: number; offset: number; codes: Map<string, number>; fill: string }

function reference(csv: string, dense: boolean): { timings: Timings; outcome: Outcome; trainDenseMs?: number } {
  const clock = phaseClock();
  // parse: the census files are plain comma-separated lines; anything quoted is out of scope here.
  if (csv.includes('"')) throw new Error("the reference parser reads unquoted CSV only");
  const lines = csv.replace(/^\uFEFF/, "").split("\n");
  const header = lines[0]!.split(",").map((c) => c.trim());
  const rows: string[][] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    const cells = line.split(",");
    if (cells.length !== header.length) throw new Error(`line ${i + 1} has ${cells.length} cells`);
    for (let c = 0; c < cells.length; c++) cells[c] = cells[c]!.trim();
    rows.push(cells);
  }
  clock.lap("parse");

  const label = header.indexOf("class");
  const missing = (v: string) => v === "" || v === "?";
  const usable = rows.filter((r) => !missing(r[label]!));
  const [, positive] = [...new Set(usable.map((r) => r[label]!))].sort();
  const order = shuffledIndices(usable.length, seededRandom(SEED));
  const trainCount = Math.round(usable.length * SPLIT);
  const trainIdx = order.subarray(0, trainCount);
  const testIdx = order.subarray(trainCount);
  clock.lap("clean+split");

  // features: numeric columns (mean-filled, standardised) and categorical ones (mode-filled, one-hot).
  const columns: Column[] = [];
  let d = 0;
  for (let c = 0; c < header.length; c++) {
    if (c === label) continue;
    const present: string[] = [];
    for (let i = 0; i < trainIdx.length; i++) {
      const v = usable[trainIdx[i]!]![c]!;
      if (!missing(v)) present.push(v);
    }
    const numbers = present.map(Number);
    if (present.length > 0 && numbers.every(Number.isFinite)) {
      let sum = 0;
      for (const x of numbers) sum += x;
      const mean = sum / numbers.length;
      let sq = 0;
      for (const x of numbers) sq += (x - mean) ** 2;
      columns.push({ numeric: true, mean, std: Math.sqrt(sq / numbers.length) || 1, offset: d, codes: new Map(), fill: "" });
      d += 1;
    } else {
      const counts = new Map<string, number>();
      for (const v of present) counts.set(v, (counts.get(v) ?? 0) + 1);
      const categories = [...counts.keys()].sort();
      let fill = categories[0] ?? "";
      for (const k of categories) if (counts.get(k)! > counts.get(fill)!) fill = k;
      columns.push({ numeric: false, mean: 0, std: 1, offset: d, codes: new Map(categories.map((k, i) => [k, i])), fill });
      d += categories.length;
    }
  }
  const featureCols = header.map((_, c) => c).filter((c) => c !== label);
  const encode = (idx: ArrayLike<number>): Encoded => {
    const width = columns.length;
    const index = new Int32Array(idx.length * width);
    const value = new Float64Array(idx.length * width);
    for (let i = 0; i < idx.length; i++) {
      const row = usable[idx[i]!]!;
      for (let k = 0; k < width; k++) {
        const col = columns[k]!;
        const raw = row[featureCols[k]!]!;
        const at = i * width + k;
        if (col.numeric) {
          index[at] = col.offset;
          value[at] = ((missing(raw) ? col.mean : Number(raw)) - col.mean) / col.std;
        } else {
          const code = col.codes.get(missing(raw) ? col.fill : raw);
          if (code !== undefined) {
            index[at] = col.offset + code;
            value[at] = 1;
          }
        }
      }
    }
    return { n: idx.length, width, index, value };
  };
  const train = encode(trainIdx);
  const labels = Uint8Array.from(trainIdx, (i) => (usable[i]![label] === positive ? 1 : 0));
  clock.lap("features");

  const w = adam(train, labels, d);
  clock.lap("train");

  // metrics: score the held-out rows, then accuracy at 0.5 and AUC from ranks (ties share their mean rank).
  const test = encode(testIdx);
  const y = Uint8Array.from(testIdx, (i) => (usable[i]![label] === positive ? 1 : 0));
  const p = new Float64Array(test.n);
  let correct = 0;
  for (let i = 0; i < test.n; i++) {
    let z = w[d]!;
    for (let k = i * test.width; k < (i + 1) * test.width; k++) z += w[test.index[k]!]! * test.value[k]!;
    p[i] = sigmoid(z);
    if ((p[i]! >= 0.5 ? 1 : 0) === y[i]) correct++;
  }
  const ranked = Uint32Array.from({ length: test.n }, (_, i) => i).sort((a, b) => p[a]! - p[b]!);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < test.n; ) {
    let j = i;
    while (j + 1 < test.n && p[ranked[j + 1]!] === p[ranked[i]!]) j++;
    for (let k = i; k <= j; k++) {
      if (y[ranked[k]!] === 1) {
        positives++;
        rankSum += (i + j) / 2 + 1;
      }
    }
    i = j + 1;
  }
  const auc = (rankSum - (positives * (positives + 1)) / 2) / (positives * (test.n - positives));
  clock.lap("metrics");

  // The same training over a dense n×d matrix (every one-hot column stored), for scale only.
  let trainDenseMs: number | undefined;
  if (dense) {
    const full = new Float64Array(train.n * d);
    for (let i = 0; i < train.n; i++) for (let k = 0; k < train.width; k++) full[i * d + train.index[i * train.width + k]!]! += train.value[i * train.width + k]!;
    const t0 = performance.now();
    adam({ n: train.n, width: d, index: Int32Array.from({ length: train.n * d }, (_, k) => k % d), value: full }, labels, d);
    trainDenseMs = performance.now() - t0;
  }
  return { timings: clock.timings, outcome: { auc, accuracy: correct / test.n, weights: w.subarray(0, d), bias: w[d]! }, trainDenseMs };
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** L2-regularised logistic regression by mini-batch Adam, learning rate decayed per epoch; bias in slot d. */
function adam(x: Encoded, y: Uint8Array, d: number): Float64Array {
  const { epochs, batchSize, learningRate, l2 } = TRAINING;
  const w = new Float64Array(d + 1);
  const m = new Float64Array(d + 1);
  const v = new Float64Array(d + 1);
  const g = new Float64Array(d + 1);
  const random = seededRandom(SEED);
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = shuffledIndices(x.n, random);
    const lr = learningRate / Math.sqrt(1 + epoch);
    for (let start = 0; start < x.n; start += batchSize) {
      const end = Math.min(x.n, start + batchSize);
      g.fill(0);
      for (let i = start; i < end; i++) {
        const r = order[i]!;
        const from = r * x.width;
        const to = from + x.width;
        let z = w[d]!;
        for (let k = from; k < to; k++) z += w[x.index[k]!]! * x.value[k]!;
        const err = sigmoid(z) - y[r]!;
        for (let k = from; k < to; k++) g[x.index[k]!]! += err * x.value[k]!;
        g[d]! += err;
      }
      const n = end - start;
      step++;
      const c1 = 1 - b1 ** step;
      const c2 = 1 - b2 ** step;
      for (let j = 0; j <= d; j++) {
        const grad = g[j]! / n + (j < d ? l2 * w[j]! : 0);
        m[j] = b1 * m[j]! + (1 - b1) * grad;
        v[j] = b2 * v[j]! + (1 - b2) * grad * grad;
        w[j]! -= (lr * (m[j]! / c1)) / (Math.sqrt(v[j]! / c2) + eps);
      }
    }
  }
  return w;
}

// ---------------------------------------------------------------------------------------------
// Whole jobs through the service: BES submit → start → poll (every 10 ms) → Finished.

async function timeJob(emulator: RunningEmulator, connectionString: string, container: string, blob: string, run: string): Promise<number> {
  const base = `${emulator.servicesUrl}/workspaces/${emulator.config.workspaceId}/services/${emulator.config.trainingServiceId}`;
  const headers = { Authorization: `Bearer ${emulator.config.trainingApiKey}`, "Content-Type": "application/json" };
  const ref = (name: string) => ({ ConnectionString: connectionString, RelativeLocation: `${container}/${name}` });
  const t0 = performance.now();
  const submit = await fetch(`${base}/jobs?api-version=2.0`, {
    method: "POST",
    headers,
    body: JSON.stringify({ Inputs: { input1: ref(blob) }, Outputs: { output1: ref(`${run}/model.ilearner`), output2: ref(`${run}/evaluation.csv`) }, GlobalParameters: {} }),
  });
  if (!submit.ok) throw new Error(`submit answered ${submit.status}: ${await submit.text()}`);
  const jobId = (await submit.json()) as string;
  const start = await fetch(`${base}/jobs/${jobId}/start?api-version=2.0`, { method: "POST", headers });
  if (!start.ok) throw new Error(`start answered ${start.status}: ${await start.text()}`);
  for (;;) {
    const status = (await (await fetch(`${base}/jobs/${jobId}?api-version=2.0`, { headers })).json()) as { StatusCode: string | number; Details: string | null };
    if (status.StatusCode === "Finished" || status.StatusCode === 4) return performance.now() - t0;
    if (!["NotStarted", "Running", 0, 1].includes(status.StatusCode)) throw new Error(`job ended ${status.StatusCode}: ${status.Details}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function endToEnd(adult: string, small: string, rounds: number) {
  let azurite: RunningAzurite | undefined;
  let emulator: RunningEmulator | undefined;
  try {
    azurite = await startAzurite();
    const t0 = performance.now();
    emulator = await startEmulator({ ...DEFAULT_CONFIG, servicesPort: 0, managementPort: 0, storageConnectionString: azurite.connectionString, propagationDelayInMs: 0 });
    const startMs = performance.now() - t0; // includes seeding the first model (4,000 synthetic rows)
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient("bench-training");
    await container.create();
    for (const [name, text] of [["adult.csv", adult], ["small.csv", small]] as const) await container.getBlockBlobClient(name).upload(text, Buffer.byteLength(text));
    const adultMs: number[] = [];
    const smallMs: number[] = [];
    await timeJob(emulator, azurite.connectionString, container.containerName, "small.csv", "warm-up");
    for (let r = 0; r < rounds; r++) {
      adultMs.push(await timeJob(emulator, azurite.connectionString, container.containerName, "adult.csv", `adult-${r}`));
      smallMs.push(await timeJob(emulator, azurite.connectionString, container.containerName, "small.csv", `small-${r}`));
    }
    return { startMs, adultMs, smallMs };
  } finally {
    await emulator?.stop();
    await azurite?.stop();
  }
}

// ---------------------------------------------------------------------------------------------

function roundsArg(): number {
  const arg = process.argv.find((a) => a.startsWith("--rounds="));
  const n = arg ? Number(arg.slice("--rounds=".length)) : 5;
  if (!Number.isInteger(n) || n < 1) throw new Error("--rounds must be a positive integer.");
  return n;
}

async function main(): Promise<void> {
  const rounds = roundsArg();
  const adult = readFileSync(ADULT, "utf8");
  const small = syntheticCensusCsv(SMALL_ROWS, 7);
  const runFull = async (csv: string) => {
    const t0 = performance.now();
    const r = await runExperiment(csv, { seed: SEED, splitFraction: SPLIT });
    return { ms: performance.now() - t0, auc: r.metrics.AUC, accuracy: r.metrics.Accuracy, weights: r.model.weights };
  };

  // The first run of each pays for compiling; a long-running service pays it once, so it is reported apart.
  const cold = { project: (await runFull(adult)).ms, reference: Object.values(reference(adult, false).timings).reduce((a, b) => a + b, 0) };
  const samples = { full: [] as number[], reference: [] as number[], smallFull: [] as number[], trainDense: [] as number[] };
  const project = Object.fromEntries(PHASES.map((p) => [p, [] as number[]])) as Record<Phase, number[]>;
  const ref = Object.fromEntries(PHASES.map((p) => [p, [] as number[]])) as Record<Phase, number[]>;
  let check: { full: Awaited<ReturnType<typeof runFull>>; phased: Outcome; reference: Outcome } | undefined;
  for (let r = 0; r < rounds; r++) {
    // Alternate the order so drift in the machine's load does not favour one side.
    const steps = [
      async () => {
        const full = await runFull(adult);
        samples.full.push(full.ms);
        const phased = await projectPhases(adult);
        for (const p of PHASES) project[p].push(phased.timings[p]);
        return { full, phased: phased.outcome };
      },
      () => {
        const out = reference(adult, r === 0);
        for (const p of PHASES) ref[p].push(out.timings[p]);
        samples.reference.push(PHASES.reduce((a, p) => a + out.timings[p], 0));
        if (out.trainDenseMs !== undefined) samples.trainDense.push(out.trainDenseMs);
        return Promise.resolve(out.outcome);
      },
    ] as const;
    let a: Awaited<ReturnType<(typeof steps)[0]>>;
    let b: Outcome;
    if (r % 2 === 0) {
      a = await steps[0]();
      b = await steps[1]();
    } else {
      b = await steps[1]();
      a = await steps[0]();
    }
    check = { full: a.full, phased: a.phased, reference: b };
    samples.smallFull.push((await runFull(small)).ms);
  }
  const e2e = await endToEnd(adult, small, Math.max(2, Math.ceil(rounds / 2)));

  const c = check!;
  let maxWeightDiff = Math.abs(c.reference.bias - c.phased.bias);
  for (let j = 0; j < c.full.weights.length; j++) maxWeightDiff = Math.max(maxWeightDiff, Math.abs(c.full.weights[j]! - c.reference.weights[j]!));
  if (c.phased.auc !== c.full.auc) throw new Error(`the phase-by-phase copy of the experiment drifted: AUC ${c.phased.auc} vs runExperiment's ${c.full.auc}`);

  const projectTotal = median(samples.full);
  const referenceTotal = median(samples.reference);
  const rows: BenchRow[] = [
    {
      case: "Adult, whole experiment (parse → evaluate)", unit: "ms", project: projectTotal, baseline: referenceTotal,
      baselineIs: "direct implementation", ratio: projectTotal / referenceTotal, target: `≤ ${TARGET_RATIO}×`, met: projectTotal / referenceTotal <= TARGET_RATIO,
    },
    ...PHASES.map((p): BenchRow => {
      const [x, y] = [median(project[p]), median(ref[p])];
      return { case: `  phase: ${p}`, unit: "ms", project: x, baseline: y, baselineIs: "direct implementation", ratio: x / y };
    }),
    {
      case: "  phase: train vs a dense n×d reference", unit: "ms", project: median(project.train), baseline: median(samples.trainDense),
      baselineIs: "same Adam, dense Float64Array", ratio: median(project.train) / median(samples.trainDense),
    },
    {
      case: `Adult vs ${SMALL_ROWS.toLocaleString("en")} generated rows, experiment`, unit: "ms", project: projectTotal, baseline: median(samples.smallFull),
      baselineIs: "runExperiment, test-sized data", ratio: projectTotal / median(samples.smallFull),
    },
    {
      case: `BES job end to end, Adult vs ${SMALL_ROWS.toLocaleString("en")} rows`, unit: "ms", project: median(e2e.adultMs), baseline: median(e2e.smallMs),
      baselineIs: "same job, test-sized data", ratio: median(e2e.adultMs) / median(e2e.smallMs),
    },
    {
      case: "BES job on Adult vs its experiment alone", unit: "ms", project: median(e2e.adultMs), baseline: projectTotal,
      baselineIs: "runExperiment in process", ratio: median(e2e.adultMs) / projectTotal,
    },
  ];
  const fixed = (n: number, digits = 4) => n.toFixed(digits);
  await report({
    name: "training",
    rows,
    notes: [
      `Medians of ${rounds} rounds after one warm-up run each; the project and the reference alternate order every round.`,
      `Same model both ways: AUC ${fixed(c.full.auc)} / accuracy ${fixed(c.full.accuracy)} (project), ${fixed(c.reference.auc)} / ${fixed(c.reference.accuracy)} (reference); largest weight difference ${maxWeightDiff.toExponential(1)}.`,
      `First (cold) run in a fresh process: project ${fixed(cold.project, 0)} ms, reference ${fixed(cold.reference, 0)} ms.`,
      `Emulator start with a fresh workspace (seeds its first model from 4,000 generated rows; every test file that starts an emulator pays it): ${fixed(e2e.startMs, 0)} ms.`,
    ],
    details: { rounds, seed: SEED, splitFraction: SPLIT, training: TRAINING, samples, project, reference: ref, cold, e2e },
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
