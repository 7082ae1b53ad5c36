// Staging benchmark: `npm run bench:stage` (or `node dist/bench/stage.js --sizes-mib=1024,4096 --rounds=2,1`:
// rounds per size, in order; 4 GiB once, to keep `npm run bench` within ten minutes).
// Figures, not a test: it exits 0 unless the benchmark itself breaks. It streams a census-shaped
// CSV into Azurite (on disk) with StagingClient's default options, from a file and from a
// loopback URL, and compares each with one plain Put Blob of the same file through node:http
// (streamed, backpressured: the strongest single-request upload). Each measurement runs in its
// own child process against a freshly started Azurite, so its peak RSS (maxRSS) and the server's
// state belong to that measurement alone. Cases alternate order between rounds so drift cancels;
// the report uses medians over rounds and the worst peak RSS.
//
// `--cpu-prof` also writes a V8 CPU profile of every child to bench/results/profiles/.
import { fork } from "node:child_process";
import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, open, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { startAzurite } from "../emulator/azurite";
import { report, type BenchRow } from "./report";

const MiB = 1024 * 1024;
const TARGET_RATIO = 1.15;
const TARGET_RSS_MIB = 128;
const TARGET_RSS_GROWTH = 1.1; // peak RSS at the largest size ÷ at the smallest: flat, within noise
const CONTAINER = "bench";
const CHILD = "--bench-child";

type Mode = "put" | "file" | "url";
const LABEL: Record<Mode, string> = { put: "one Put Blob (node:http)", file: "file source", url: "URL source" };
interface Job { mode: Mode; connectionString: string; runId: string; file: string; bytes: number; url: string; putUrl: string }
interface Sample { mode: Mode; sizeMiB: number; round: number; bytes: number; seconds: number; peakRssMiB: number; sha256?: string }
type ChildResult = { ok: true; sample: Omit<Sample, "sizeMiB" | "round"> } | { ok: false; error: string };

// ---------------------------------------------------------------------------------------------
// Child: one measurement. The clock starts after modules are loaded.

async function measure(job: Job): Promise<ChildResult & { ok: true }> {
  if (job.mode === "put") {
    const t0 = performance.now();
    const req = http.request(job.putUrl, { method: "PUT", headers: { "x-ms-blob-type": "BlockBlob", "content-type": "text/csv", "content-length": job.bytes } });
    const response = new Promise<http.IncomingMessage>((resolve, reject) => req.once("response", resolve).once("error", reject));
    await pipeline(createReadStream(job.file), req);
    const res = await response;
    let text = "";
    for await (const chunk of res) text += String(chunk);
    if (res.statusCode !== 201) throw new Error(`Put Blob answered ${res.statusCode}: ${text.slice(0, 300)}`);
    return { ok: true, sample: { mode: job.mode, bytes: job.bytes, seconds: (performance.now() - t0) / 1000, peakRssMiB: peakRssMiB() } };
  }
  const azure = await import("./azure.js"); // loaded lazily: the Put Blob child never loads the SDK
  const t0 = performance.now();
  const source = job.mode === "url" ? { kind: "url" as const, url: job.url } : { kind: "file" as const, path: job.file, root: path.dirname(job.file) };
  const staged = await azure.stage(job.connectionString, CONTAINER, job.runId, source);
  return { ok: true, sample: { mode: job.mode, bytes: staged.bytes, seconds: (performance.now() - t0) / 1000, peakRssMiB: peakRssMiB(), sha256: staged.sha256 } };
}

/** maxRSS is in KiB on Linux and macOS. */
const peakRssMiB = () => process.resourceUsage().maxRSS / 1024;

function runInChild(job: Job, execArgv: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const cp = fork(__filename, [CHILD, JSON.stringify(job)], { execArgv });
    let result: ChildResult | undefined;
    cp.on("message", (m) => (result = m as ChildResult));
    cp.on("error", reject);
    cp.on("exit", (code) => (result ? resolve(result) : reject(new Error(`${job.mode} child exited with ${code} and no result`))));
  });
}

// ---------------------------------------------------------------------------------------------
// Census-shaped data, generated fast: a few thousand seeded rows repeated until the size is reached.

const HEADER =
  "age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country,class\n";
const EDUCATION: readonly (readonly [string, number])[] = [
  ["HS-grad", 9], ["HS-grad", 9], ["Some-college", 10], ["Some-college", 10], ["Bachelors", 13], ["Bachelors", 13], ["Masters", 14],
  ["Assoc-voc", 11], ["Assoc-acdm", 12], ["11th", 7], ["10th", 6], ["7th-8th", 4], ["Prof-school", 15], ["9th", 5], ["12th", 8],
  ["Doctorate", 16], ["5th-6th", 3], ["1st-4th", 2], ["Preschool", 1],
];
// Repeated entries weight the draw towards the common values.
const WORKCLASS = ["Private", "Private", "Private", "Private", "Private", "Self-emp-not-inc", "Local-gov", "State-gov", "Self-emp-inc", "Federal-gov", "?", "Without-pay"];
const MARITAL = ["Married-civ-spouse", "Married-civ-spouse", "Never-married", "Never-married", "Divorced", "Separated", "Widowed", "Married-spouse-absent", "Married-AF-spouse"];
const OCCUPATION = ["Prof-specialty", "Craft-repair", "Exec-managerial", "Adm-clerical", "Sales", "Other-service", "Machine-op-inspct", "?", "Transport-moving", "Handlers-cleaners", "Farming-fishing", "Tech-support", "Protective-serv", "Priv-house-serv", "Armed-Forces"];
const RELATIONSHIP = ["Husband", "Husband", "Not-in-family", "Own-child", "Unmarried", "Wife", "Other-relative"];
const RACE = ["White", "White", "White", "White", "White", "Black", "Asian-Pac-Islander", "Amer-Indian-Eskimo", "Other"];
const COUNTRY = ["United-States", "United-States", "United-States", "United-States", "United-States", "United-States", "Mexico", "?", "Philippines", "Germany", "Canada", "India", "England", "Puerto-Rico", "Cuba", "China"];

function censusBlock(rows: number): Buffer {
  let seed = 20240607;
  const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32; // LCG: reproducible data
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const [education, years] = pick(EDUCATION);
    const age = 17 + Math.floor(rnd() * rnd() * 74);
    const hours = rnd() < 0.5 ? 40 : 1 + Math.floor(rnd() * 99);
    const gain = rnd() < 0.92 ? 0 : Math.floor(rnd() * 99_999);
    const loss = rnd() < 0.95 ? 0 : 155 + Math.floor(rnd() * 4200);
    const rich = rnd() < 0.05 + years * 0.02 + (hours > 45 ? 0.1 : 0) + (gain > 5000 ? 0.5 : 0);
    lines.push(
      [age, pick(WORKCLASS), 12_285 + Math.floor(rnd() * 1_478_115), education, years, pick(MARITAL), pick(OCCUPATION), pick(RELATIONSHIP),
        pick(RACE), rnd() < 0.67 ? "Male" : "Female", gain, loss, hours, pick(COUNTRY), rich ? ">50K" : "<=50K"].join(","),
    );
  }
  return Buffer.from(lines.join("\n") + "\n");
}

/** Appends whole census rows to a file; `extendTo` grows it to at most `target` bytes, so one file serves every size. */
export class CensusFile {
  private readonly block = censusBlock(4000);
  private readonly hash: Hash = createHash("sha256");
  bytes = 0;
  constructor(readonly path: string) {}

  async extendTo(target: number): Promise<{ bytes: number; sha256: string }> {
    const fh = await open(this.path, this.bytes === 0 ? "w" : "a");
    const write = async (b: Buffer) => {
      await fh.write(b);
      this.hash.update(b);
      this.bytes += b.length;
    };
    try {
      if (this.bytes === 0) await write(Buffer.from(HEADER));
      while (this.bytes + this.block.length <= target) await write(this.block);
      const tail = this.block.subarray(0, this.block.lastIndexOf(10, target - this.bytes - 1) + 1); // cut after a newline
      if (tail.length > 0) await write(tail);
    } finally {
      await fh.close();
    }
    return { bytes: this.bytes, sha256: this.hash.copy().digest("hex") };
  }
}

// ---------------------------------------------------------------------------------------------
// Parent: set up, alternate the cases, report.

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fixed = (n: number, d = 1) => n.toFixed(d);
const sizeName = (mib: number) => (mib % 1024 === 0 ? `${mib / 1024} GiB` : `${mib} MiB`);

function listFlag(name: string, fallback: number[]): number[] {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const values = arg === undefined ? fallback : arg.slice(name.length + 3).split(",").map(Number);
  if (values.length === 0 || values.some((v) => !Number.isFinite(v) || v <= 0)) throw new Error(`--${name} must be positive numbers.`);
  return values;
}

/** The URL source: a plain file server on loopback. 1 MiB reads keep its own CPU cost (it shares the machine) low. */
async function serve(file: string, bytes: () => number): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer((req, res) => {
    if (req.url !== "/data.csv") return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/csv", "content-length": bytes() });
    createReadStream(file, { highWaterMark: MiB }).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/data.csv` };
}

async function main(): Promise<void> {
  // Loaded here, not at the top: staging.ts loads the SDK, and the Put Blob child must not.
  const { DEFAULT_STAGING_OPTIONS, runBlobs } = await import("../shared/storage/staging.js");
  const sizesMiB = listFlag("sizes-mib", [1024, 4096]).sort((a, b) => a - b);
  const roundsPerSize = listFlag("rounds", [2, 1]);
  const execArgv = process.argv.includes("--cpu-prof") ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(__dirname, "..", "..", "bench", "results", "profiles")}`] : [];
  const work = await mkdtemp(path.join(os.tmpdir(), "bench-stage-"));
  const census = new CensusFile(path.join(work, "census.csv"));
  let server: http.Server | undefined;
  const samples: Sample[] = [];
  const started = performance.now();
  try {
    const served = await serve(census.path, () => census.bytes);
    server = served.server;
    for (const [i, sizeMiB] of sizesMiB.entries()) {
      const rounds = roundsPerSize[Math.min(i, roundsPerSize.length - 1)]!;
      let t = performance.now();
      const data = await census.extendTo(sizeMiB * MiB); // the file grows from one size to the next: generated once
      console.log(`${sizeName(sizeMiB)}: census CSV of ${data.bytes} bytes ready in ${fixed((performance.now() - t) / 1000)} s`);
      for (let round = 1; round <= rounds; round++) {
        // Odd rounds run the cases in one order, even rounds in reverse: each case gets the same mean position.
        const order: Mode[] = ["put", "file", "url"];
        if (round % 2 === 0) order.reverse();
        for (const mode of order) {
          // A fresh Azurite per measurement: nothing earlier (extents, dirty pages, its heap) weighs on this one.
          const location = path.join(work, `azurite-${sizeMiB}-${round}-${mode}`);
          await mkdir(location);
          const azurite = await startAzurite({ location });
          try {
            const azure = await import("./azure.js");
            const cs = azurite.connectionString;
            const runId = `${mode}-${round}`;
            const blob = runBlobs(runId).input;
            const putUrl = mode === "put" ? await azure.putUrl(cs, CONTAINER, blob) : "";
            t = performance.now();
            const r = await runInChild({ mode, connectionString: cs, runId, file: census.path, bytes: data.bytes, url: served.url, putUrl }, execArgv);
            if (!r.ok) throw new Error(`${mode} ${sizeName(sizeMiB)} (round ${round}) failed: ${r.error}`);
            const s: Sample = { ...r.sample, sizeMiB, round };
            samples.push(s);
            console.log(`  round ${round} ${LABEL[mode].padEnd(26)} ${fixed(s.seconds, 2).padStart(7)} s  ${fixed(s.bytes / MiB / s.seconds).padStart(6)} MiB/s  peak RSS ${fixed(s.peakRssMiB)} MiB`);
            // Correctness: the blob holds every byte; what StagingClient hashed is the file.
            const size = await azure.blobSize(cs, CONTAINER, blob);
            if (size !== data.bytes || s.bytes !== data.bytes) throw new Error(`${mode}: blob ${blob} has ${size} bytes, reported ${s.bytes}, file ${data.bytes}.`);
            if (mode !== "put" && s.sha256 !== data.sha256) throw new Error(`${mode} staged sha256 ${s.sha256}, the file's is ${data.sha256}.`);
          } finally {
            await azurite.stop();
            await rm(location, { recursive: true, force: true });
          }
        }
      }
      console.log(`  verified: every blob has the file's size; every staged sha256 is the file's`);
    }
  } finally {
    server?.closeAllConnections();
    server?.close();
    await rm(work, { recursive: true, force: true });
  }

  const med = (mode: Mode, sizeMiB: number) => {
    const mine = samples.filter((s) => s.mode === mode && s.sizeMiB === sizeMiB);
    const seconds = median(mine.map((s) => s.seconds));
    return { mibPerSecond: mine[0]!.bytes / MiB / seconds, peakRssMiB: Math.max(...mine.map((s) => s.peakRssMiB)) };
  };
  const rows: BenchRow[] = [];
  for (const mode of ["file", "url"] as const) {
    for (const sizeMiB of sizesMiB) {
      const project = med(mode, sizeMiB);
      const put = med("put", sizeMiB);
      const ratio = project.mibPerSecond / put.mibPerSecond;
      rows.push({ case: `${sizeName(sizeMiB)}, ${LABEL[mode]}: throughput`, unit: "MiB/s", project: project.mibPerSecond, baseline: put.mibPerSecond, baselineIs: LABEL.put, ratio, target: `≥ ${TARGET_RATIO}×`, met: ratio >= TARGET_RATIO });
      rows.push({
        case: `${sizeName(sizeMiB)}, ${LABEL[mode]}: peak RSS`, unit: "MiB", project: project.peakRssMiB, baseline: put.peakRssMiB, baselineIs: `${LABEL.put}, no SDK`,
        ratio: project.peakRssMiB / put.peakRssMiB, target: `< ${TARGET_RSS_MIB} MiB`, met: project.peakRssMiB < TARGET_RSS_MIB,
      });
    }
    if (sizesMiB.length > 1) {
      const [small, large] = [sizesMiB[0]!, sizesMiB[sizesMiB.length - 1]!];
      const growth = med(mode, large).peakRssMiB / med(mode, small).peakRssMiB;
      rows.push({
        case: `${LABEL[mode]}: peak RSS, ${sizeName(large)} vs ${sizeName(small)}`, unit: "MiB", project: med(mode, large).peakRssMiB, baseline: med(mode, small).peakRssMiB,
        baselineIs: `same at ${sizeName(small)}`, ratio: growth, target: `≤ ${TARGET_RSS_GROWTH}× (flat)`, met: growth <= TARGET_RSS_GROWTH,
      });
    }
  }
  const o = DEFAULT_STAGING_OPTIONS;
  await report({
    name: "stage",
    rows,
    notes: [
      `Rounds per size: ${sizesMiB.map((s, i) => `${sizeName(s)} ${roundsPerSize[Math.min(i, roundsPerSize.length - 1)]!}`).join(", ")} (median time, worst peak RSS); every measurement in its own child process against a fresh on-disk Azurite.`,
      `StagingClient defaults: ${o.blockSizeInBytes / MiB} MiB blocks, ${o.concurrency} in flight (memory ≈ ${(o.concurrency * o.blockSizeInBytes) / MiB} MiB of block buffers).`,
      "Baseline: one Put Blob streamed by node:http. fetch is not measured any more: Node 20's fetch buffers a streamed request body (nodejs/undici#4058), so it needs the file's size in memory and is the weaker baseline.",
      "The URL source is served by this process from loopback; its CPU competes with the measurement, which a remote source's would not.",
      `Whole run: ${fixed((performance.now() - started) / 1000, 0)} s.`,
    ],
    details: { roundsPerSize, sizesMiB, options: o, environment: { platform: `${os.platform()} ${os.release()}`, cpu: os.cpus()[0]?.model, loadavg: os.loadavg() }, samples },
  });
}

if (require.main !== module) {
  // imported (bench/copy.ts uses CensusFile): run nothing
} else if (process.argv[2] === CHILD) {
  const send = (m: ChildResult, code: number) => process.send!(m, () => process.exit(code));
  measure(JSON.parse(process.argv[3]!) as Job).then(
    (r) => send(r, 0),
    (e: Error) => send({ ok: false, error: e.stack ?? String(e) }, 1),
  );
} else {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
