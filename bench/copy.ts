// Server-side copy benchmark: `node dist/bench/copy.js [--sizes-mib=1024] [--rounds=1]`.
// A `blob:container/path` data source is copied by the storage service, so its bytes should never
// pass through the function. This stages a census CSV from a file (the bytes do pass through),
// then stages that blob again as a blob source, and compares the two: wall time, and bytes that
// went through the process. Each measurement runs in its own child process, which counts
//  - TCP bytes: bytesRead + bytesWritten of every client socket the process opens, seen through
//    the `net.client.socket` diagnostics channel (HTTP headers and bodies, nothing else);
//  - syscall I/O: /proc/self/io rchar + wchar, the kernel's count of bytes the process moved
//    through read()/write()-like calls on any descriptor (files, sockets, pipes). It cannot be
//    fooled by a socket the first counter misses; it also counts reading the file, so for the
//    streamed case it is about twice the file size.
// Both counters start after the SDK is loaded, just before stage() is called.
import { fork } from "node:child_process";
import { createHash } from "node:crypto";
import { subscribe } from "node:diagnostics_channel";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import type { Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import { startAzurite } from "../emulator/azurite";
import { runBlobs } from "../shared/storage/staging"; // its storage-blob imports are type-only
import { report, type BenchRow } from "./report";
import { CensusFile } from "./stage";

const MiB = 1024 * 1024;
const CONTAINER = "bench";
const CHILD = "--bench-child";
const TARGET_BYTES = MiB; // "≈ 0": less than 1 MiB of a 1 GiB source, requests and answers included
const TARGET_TIME_RATIO = 0.1;

type Mode = "stream" | "copy";
interface Job { mode: Mode; connectionString: string; runId: string; file: string; source: string }
interface Sample { mode: Mode; sizeMiB: number; round: number; bytes: number; seconds: number; tcpBytes: number; sockets: number; ioBytes: number | null; method: string }
type ChildResult = { ok: true; sample: Omit<Sample, "sizeMiB" | "round"> } | { ok: false; error: string };

// ---------------------------------------------------------------------------------------------
// Child: one measurement.

/** rchar + wchar of this process, or null where /proc is not there. */
function ioBytes(): number | null {
  try {
    const io = readFileSync("/proc/self/io", "utf8");
    const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, "m").exec(io)?.[1] ?? Number.NaN);
    return field("rchar") + field("wchar");
  } catch {
    return null;
  }
}

async function measure(job: Job): Promise<Omit<Sample, "sizeMiB" | "round">> {
  const sockets: Socket[] = [];
  subscribe("net.client.socket", (m) => sockets.push((m as { socket: Socket }).socket));
  const azure = await import("./azure.js");
  const source = job.mode === "copy"
    ? { kind: "blob" as const, container: CONTAINER, blob: job.source }
    : { kind: "file" as const, path: job.file, root: path.dirname(job.file) };
  const io0 = ioBytes(); // after loading: module files are not the data's bytes
  const t0 = performance.now();
  const staged = await azure.stage(job.connectionString, CONTAINER, job.runId, source);
  const seconds = (performance.now() - t0) / 1000;
  const io1 = ioBytes();
  return {
    mode: job.mode, bytes: staged.bytes, seconds, method: staged.method, sockets: sockets.length,
    tcpBytes: sockets.reduce((n, s) => n + s.bytesRead + s.bytesWritten, 0),
    ioBytes: io0 === null || io1 === null ? null : io1 - io0,
  };
}

function runInChild(job: Job): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const cp = fork(__filename, [CHILD, JSON.stringify(job)]);
    let result: ChildResult | undefined;
    cp.on("message", (m) => (result = m as ChildResult));
    cp.on("error", reject);
    cp.on("exit", (code) => (result ? resolve(result) : reject(new Error(`${job.mode} child exited with ${code} and no result`))));
  });
}

// ---------------------------------------------------------------------------------------------
// Parent.

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function listFlag(name: string, fallback: number[]): number[] {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const values = arg === undefined ? fallback : arg.slice(name.length + 3).split(",").map(Number);
  if (values.length === 0 || values.some((v) => !Number.isFinite(v) || v <= 0)) throw new Error(`--${name} must be positive numbers.`);
  return values;
}
const sizeName = (mib: number) => (mib % 1024 === 0 ? `${mib / 1024} GiB` : `${mib} MiB`);

async function main(): Promise<void> {
  const sizesMiB = listFlag("sizes-mib", [1024]);
  const rounds = listFlag("rounds", [1])[0]!;
  const work = await mkdtemp(path.join(os.tmpdir(), "bench-copy-"));
  const samples: Sample[] = [];
  const failures = new Map<number, string>();
  const notes: string[] = [];
  try {
    await mkdir(path.join(work, "azurite"));
    const azurite = await startAzurite({ location: path.join(work, "azurite") });
    try {
      const azure = await import("./azure.js");
      const cs = azurite.connectionString;
      for (const sizeMiB of sizesMiB) {
        const census = new CensusFile(path.join(work, `census-${sizeMiB}.csv`));
        const data = await census.extendTo(sizeMiB * MiB);
        const source = runBlobs(`source-${sizeMiB}`).input;
        // The copy's source: the file staged once, outside any measurement.
        await azure.stage(cs, CONTAINER, `source-${sizeMiB}`, { kind: "file", path: census.path, root: work });
        console.log(`${sizeName(sizeMiB)}: source blob ${source} staged`);
        for (let round = 1; round <= rounds && !failures.has(sizeMiB); round++) {
          const order: Mode[] = round % 2 ? ["stream", "copy"] : ["copy", "stream"];
          for (const mode of order) {
            const runId = `${mode}-${sizeMiB}-${round}`;
            const r = await runInChild({ mode, connectionString: cs, runId, file: census.path, source });
            if (!r.ok) {
              if (mode !== "copy") throw new Error(`${mode} ${sizeName(sizeMiB)} (round ${round}) failed: ${r.error}`);
              failures.set(sizeMiB, r.error.split("\n")[0]!);
              console.log(`  round ${round} copy failed: ${r.error.split("\n")[0]!}`);
              break;
            }
            const s: Sample = { ...r.sample, sizeMiB, round };
            samples.push(s);
            const size = await azure.blobSize(cs, CONTAINER, runBlobs(runId).input);
            if (size !== data.bytes || s.bytes !== data.bytes) throw new Error(`${mode}: blob has ${size} bytes, reported ${s.bytes}, file ${data.bytes}.`);
            console.log(`  round ${round} ${mode.padEnd(6)} ${s.method.padEnd(16)} ${s.seconds.toFixed(3).padStart(8)} s  TCP ${(s.tcpBytes / 1024).toFixed(1).padStart(10)} KiB on ${s.sockets} socket(s)  syscall I/O ${s.ioBytes === null ? "n/a" : (s.ioBytes / 1024).toFixed(1)} KiB`);
          }
        }
        if (!failures.has(sizeMiB)) {
          // The copy holds the file's bytes (hashed here, outside the measurements).
          const copied = await blobSha256(cs, runBlobs(`copy-${sizeMiB}-1`).input);
          if (copied !== data.sha256) throw new Error(`The copied blob's sha256 ${copied} is not the file's ${data.sha256}.`);
          console.log(`  verified: the copied blob has the file's size and sha256`);
        }
        await rm(census.path);
      }
    } finally {
      await azurite.stop();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  const rows: BenchRow[] = [];
  const baselineIs = "staging the same file (stream)";
  for (const sizeMiB of sizesMiB) {
    const size = sizeName(sizeMiB);
    const of = (mode: Mode) => samples.filter((s) => s.mode === mode && s.sizeMiB === sizeMiB);
    const [stream, copy] = [of("stream"), of("copy")];
    const max = (xs: Sample[], f: (s: Sample) => number) => Math.max(...xs.map(f));
    const time = { project: copy.length ? median(copy.map((s) => s.seconds)) : Number.NaN, baseline: median(stream.map((s) => s.seconds)) };
    if (failures.has(sizeMiB)) {
      rows.push({ case: `${size} blob source: copy`, unit: "s", ...time, baselineIs, ratio: Number.NaN, target: "completes", met: false });
      notes.push(`${size}: Azurite answered the copy with ${failures.get(sizeMiB)!.slice(0, 80)}. The copy source is same-account and unsigned, so Azurite should copy it by reference; a failure here is a regression.`);
      continue;
    }
    const tcp = { project: max(copy, (s) => s.tcpBytes) / 1024, baseline: max(stream, (s) => s.tcpBytes) / 1024 };
    rows.push({ case: `${size} blob source: TCP bytes through the process`, unit: "KiB", ...tcp, baselineIs, ratio: tcp.project / tcp.baseline, target: `< ${TARGET_BYTES / 1024} KiB`, met: tcp.project * 1024 < TARGET_BYTES });
    if (copy.every((s) => s.ioBytes !== null) && stream.every((s) => s.ioBytes !== null)) {
      const io = { project: max(copy, (s) => s.ioBytes!) / 1024, baseline: max(stream, (s) => s.ioBytes!) / 1024 };
      rows.push({ case: `${size} blob source: syscall I/O bytes (rchar+wchar)`, unit: "KiB", ...io, baselineIs, ratio: io.project / io.baseline, target: `< ${TARGET_BYTES / 1024} KiB`, met: io.project * 1024 < TARGET_BYTES });
    }
    rows.push({ case: `${size} blob source: wall time`, unit: "s", ...time, baselineIs, ratio: time.project / time.baseline, target: `≤ ${TARGET_TIME_RATIO}×`, met: time.project / time.baseline <= TARGET_TIME_RATIO });
  }
  await report({
    name: "copy",
    rows,
    notes: [
      `${rounds} rounds per size, median time, worst byte counts; each measurement in its own child process; one Azurite on disk.`,
      "TCP bytes: bytesRead + bytesWritten of every client socket the child opened (diagnostics channel net.client.socket), headers included. Syscall I/O: /proc/self/io rchar + wchar over the stage() call, every descriptor; for the stream it includes reading the file, so it is about twice the size.",
      "The source URL carries no SAS (same account: the request's own credential authorizes it), so Azurite copies by reference, no data moves; Azure copies inside the service, asynchronously for large blobs, so there the wall time is the service's plus the 500 ms poll interval, but the function's bytes stay requests and answers only.",
      ...notes,
    ],
    details: { sizesMiB, rounds, samples, failures: Object.fromEntries(failures) },
  });
}

/** sha256 of a blob, streamed by the SDK (in this process, outside any measurement). */
async function blobSha256(cs: string, blob: string): Promise<string> {
  const { BlobServiceClient } = await import("@azure/storage-blob");
  const res = await BlobServiceClient.fromConnectionString(cs).getContainerClient(CONTAINER).getBlockBlobClient(blob).download();
  const hash = createHash("sha256");
  for await (const chunk of res.readableStreamBody as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest("hex");
}

if (process.argv[2] === CHILD) {
  measure(JSON.parse(process.argv[3]!) as Job).then(
    (sample) => process.send!({ ok: true, sample } satisfies ChildResult, () => process.exit(0)),
    (e: Error & { statusCode?: number; code?: string }) => process.send!({ ok: false, error: `${e.statusCode ?? ""} ${e.code ?? ""} ${e.message} ${e.stack ?? ""}` } satisfies ChildResult, () => process.exit(1)),
  );
} else {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
