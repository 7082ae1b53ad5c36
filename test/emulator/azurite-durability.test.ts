import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BlobServiceClient } from "@azure/storage-blob";
import { TableClient } from "@azure/data-tables";
import { startAzurite, type RunningAzurite } from "../../emulator/azurite";

/**
 * Azure Storage has stored what it acknowledged; the local Azurite must too, or a run whose 202
 * went out just before `kill -9` is lost (issue 14, item 11).
 */
const writeOneOfEach = async (a: RunningAzurite, n: number) => {
  const container = BlobServiceClient.fromConnectionString(a.connectionString).getContainerClient("durability");
  await container.createIfNotExists();
  const table = TableClient.fromConnectionString(a.connectionString, "durability", { allowInsecureConnection: true });
  await table.createTable();
  await Promise.all(Array.from({ length: n }, async (_, i) => {
    await container.getBlockBlobClient(`blob-${i}`).upload(`content ${i}`, `content ${i}`.length);
    await table.upsertEntity({ partitionKey: "p", rowKey: `row-${i}`, value: i });
  }));
  await container.getBlockBlobClient("last").upload("the last write", 14);
};

const readBack = async (a: RunningAzurite, n: number) => {
  const container = BlobServiceClient.fromConnectionString(a.connectionString).getContainerClient("durability");
  const table = TableClient.fromConnectionString(a.connectionString, "durability", { allowInsecureConnection: true });
  const blobs = await Promise.all(Array.from({ length: n }, async (_, i) => (await container.getBlockBlobClient(`blob-${i}`).downloadToBuffer()).toString()));
  const rows: number[] = [];
  for await (const e of table.listEntities<{ value: number }>()) rows.push(e.value);
  const last = (await container.getBlockBlobClient("last").downloadToBuffer()).toString();
  return { blobs, rows: rows.sort((x, y) => x - y), last };
};

describe("Azurite persisting to a folder", () => {
  it("keeps every write it acknowledged when its process is SIGKILLed at once", async () => {
    const location = mkdtempSync(path.join(tmpdir(), "retrainer-azurite-"));
    const n = 40;
    const first = await startAzurite({ location });
    await writeOneOfEach(first, n);
    process.kill(first.pid, "SIGKILL"); // no shutdown, no autosave: only what was stored before each answer
    await first.stop();

    const second = await startAzurite({ location });
    try {
      expect(await readBack(second, n)).toEqual({
        blobs: Array.from({ length: n }, (_, i) => `content ${i}`),
        rows: Array.from({ length: n }, (_, i) => i),
        last: "the last write",
      });
    } finally {
      await second.stop();
    }
  }, 60_000);

  it("an in-memory Azurite answers as before", async () => {
    const memory = await startAzurite();
    try {
      await writeOneOfEach(memory, 3);
      expect((await readBack(memory, 3)).blobs).toEqual(["content 0", "content 1", "content 2"]);
    } finally {
      await memory.stop();
    }
  });
});
