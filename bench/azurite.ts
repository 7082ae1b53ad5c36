// Durable commits benchmark: `node dist/bench/azurite.js [--writes=300]`.
// Azurite persisting to a folder answers a write only once its databases are on disk
// (emulator/durable-commits.ts), so an acknowledged write survives SIGKILL. This measures what
// that costs: Put Blob rate (4 KiB, the size of an instance's state) one at a time and 16 at a
// time, in an empty account and in one already holding 5,000 blobs (a commit writes whole
// databases, so its cost grows with them). The baseline is Azurite's own 5-second autosave,
// measured in the same run on the same machine.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { startAzurite } from "../emulator/azurite";
import { report, type BenchRow } from "./report";

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const WRITES = arg("writes", 300);
const BODY = "x".repeat(4096);

async function rate(durable: boolean, existing: number, parallel: number): Promise<number> {
  const location = await mkdtemp(path.join(os.tmpdir(), "bench-azurite-"));
  const azurite = await startAzurite({ location, durableCommits: durable });
  try {
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient("bench");
    await container.create();
    for (let i = 0; i < existing; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, existing - i) }, (_, k) => container.getBlockBlobClient(`old-${i + k}`).upload(BODY, BODY.length)));
    }
    const t0 = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: parallel }, async () => {
      while (next < WRITES) {
        const i = next++;
        await container.getBlockBlobClient(`new-${i}`).upload(BODY, BODY.length);
      }
    }));
    return WRITES / ((performance.now() - t0) / 1000);
  } finally {
    await azurite.stop();
    await rm(location, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rows: BenchRow[] = [];
  for (const existing of [0, 5_000]) {
    for (const parallel of [1, 16]) {
      const baseline = await rate(false, existing, parallel);
      const project = await rate(true, existing, parallel);
      rows.push({
        case: `Put Blob 4 KiB, ${parallel === 1 ? "one at a time" : `${parallel} at a time`}, ${existing.toLocaleString("en")} blobs stored`,
        unit: "writes/s", project, baseline, baselineIs: "Azurite's autosave, loses writes on SIGKILL", ratio: project / baseline,
      });
    }
  }
  await report({
    name: "azurite",
    rows,
    notes: ["Only Azurite persisting to a folder (npm run serve, npm run emulator) commits this way; the tests' in-memory Azurite is unchanged."],
    details: { writes: WRITES, bodyBytes: BODY.length },
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
