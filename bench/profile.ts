// `npm run bench:profile`: the data checks' profiling pass (shared/data/profile.ts) over a large
// CSV, against the least any pass over the same bytes costs: reading the file and hashing it
// (sha256), in the same run. Each measurement runs in its own child process so its peak RSS is
// its own; 64 MiB and 256 MiB show whether memory grows with the file (it must not).
import { fork } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { finished } from "node:stream/promises";
import { profileCsv } from "../shared/data/profile";
import { report, type BenchRow } from "./report";

const MiB = 1024 * 1024;
const SIZES_MIB = [64, 256];
const CHILD = "--bench-child";
type Mode = "hash" | "profile";
interface Sample { seconds: number; peakRssMiB: number; rows?: number }

/** The census rows repeated until the file reaches `bytes`. */
async function writeCensus(file: string, bytes: number): Promise<void> {
  const adult = readFileSync(path.resolve(__dirname, "..", "..", "..", "shared", "data", "adult", "adult-train.csv"), "utf8");
  const [head, ...rows] = adult.trimEnd().split("\n");
  const body = Buffer.from(rows.join("\n") + "\n");
  const out = createWriteStream(file);
  out.write(head + "\n");
  for (let written = 0; written < bytes; written += body.length) if (!out.write(body)) await new Promise<void>((r) => out.once("drain", () => r()));
  out.end();
  await finished(out);
}

async function child(mode: Mode, file: string): Promise<Sample> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  let rows: number | undefined;
  if (mode === "hash") {
    const h = createHash("sha256");
    for await (const c of createReadStream(file, { highWaterMark: 64 * 1024 })) h.update(c as Buffer);
    h.digest("hex");
  } else {
    rows = (await profileCsv(createReadStream(file, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>)).rows;
  }
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  return { seconds, peakRssMiB: Math.max(peak, process.memoryUsage().rss) / MiB, ...(rows !== undefined ? { rows } : {}) };
}

function measure(mode: Mode, file: string): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const c = fork(__filename, [CHILD, mode, file], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    c.once("message", (m) => resolve(m as Sample));
    c.once("exit", (code) => (code === 0 ? undefined : reject(new Error(`the ${mode} child exited ${code}`))));
  });
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "bench-profile-"));
  const rows: BenchRow[] = [];
  const details: Record<string, unknown> = {};
  try {
    const memory: number[] = [];
    for (const size of SIZES_MIB) {
      const file = path.join(dir, `census-${size}.csv`);
      await writeCensus(file, size * MiB);
      const hash = await measure("hash", file);
      const profile = await measure("profile", file);
      details[`${size} MiB`] = { hash, profile };
      memory.push(profile.peakRssMiB);
      rows.push({ case: `${size} MiB census CSV: throughput`, unit: "MiB/s", project: size / profile.seconds, baseline: size / hash.seconds, baselineIs: "read + sha256 only", ratio: hash.seconds / profile.seconds });
      rows.push({ case: `${size} MiB census CSV: peak RSS`, unit: "MiB", project: profile.peakRssMiB, baseline: hash.peakRssMiB, baselineIs: "read + sha256 only", ratio: profile.peakRssMiB / hash.peakRssMiB });
    }
    const growth = memory.at(-1)! / memory[0]!;
    rows.push({ case: `peak RSS, ${SIZES_MIB.at(-1)} MiB against ${SIZES_MIB[0]} MiB`, unit: "MiB", project: memory.at(-1)!, baseline: memory[0]!, baselineIs: `profiling ${SIZES_MIB[0]} MiB`, ratio: growth, target: "≤ 1.1× (bounded memory)", met: growth <= 1.1 });
    await report({ name: "profile", rows, details });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === CHILD) {
  child(process.argv[3] as Mode, process.argv[4]!).then((s) => process.send!(s, () => process.exit(0)), (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
} else {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
