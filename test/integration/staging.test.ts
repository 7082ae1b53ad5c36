import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BlobServiceClient } from "@azure/storage-blob";
import { StagingClient } from "../../shared/storage/staging";
import { parseDataSource } from "../../shared/storage/data-source";
import { syntheticCensusCsv } from "../../emulator/training/synthetic-census";

const csv = syntheticCensusCsv(20_000, 11); // ~2 MB: several 256 KiB blocks
const sha = createHash("sha256").update(csv).digest("hex");
let root: string;
let server: Server;
let url: string;
let staging: StagingClient;
let service: BlobServiceClient;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "retrainer-stage-"));
  writeFileSync(path.join(root, "data.csv"), csv);
  server = createServer((req, res) => {
    if (req.url === "/data.csv") res.writeHead(200, { "Content-Length": Buffer.byteLength(csv) }).end(csv);
    else res.writeHead(404).end();
  }).listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
  const container = service.getContainerClient(`stage-${Date.now()}`);
  // small blocks so even this file goes up as several parallel blocks
  staging = new StagingClient(service, container, {
    blockSizeInBytes: 256 * 1024, concurrency: 4, sourceTimeoutInMs: 30_000,
  });
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function stagedText(blob: string): Promise<string> {
  return (await staging.container.getBlockBlobClient(blob).downloadToBuffer()).toString("utf8");
}

describe("staging training data into the run's input blob", () => {
  it("streams a local file in blocks, with its size and sha256", async () => {
    const r = await staging.stage("run-file", parseDataSource("data.csv", root));
    expect(r).toEqual({ blob: "run-file/input.csv", bytes: Buffer.byteLength(csv), sha256: sha, method: "stream" });
    const blocks = await staging.container.getBlockBlobClient(r.blob).getBlockList("committed");
    expect(blocks.committedBlocks!.length).toBeGreaterThan(1);
    expect(await stagedText(r.blob)).toBe(csv);
  });

  it("streams a URL source", async () => {
    const r = await staging.stage("run-url", parseDataSource(`${url}/data.csv`, root));
    expect(r).toMatchObject({ bytes: Buffer.byteLength(csv), sha256: sha, method: "stream" });
    expect(await stagedText(r.blob)).toBe(csv);
  });

  it("copies a blob source server-side", async () => {
    const source = service.getContainerClient(`src-${Date.now()}`);
    await source.create();
    await source.getBlockBlobClient("in/census.csv").upload(csv, Buffer.byteLength(csv));
    const r = await staging.stage("run-blob", parseDataSource(`blob:${source.containerName}/in/census.csv`, root));
    expect(r).toEqual({ blob: "run-blob/input.csv", bytes: Buffer.byteLength(csv), method: "server-side-copy" });
    expect(await stagedText(r.blob)).toBe(csv);
  });

  it("names a missing file, URL or blob clearly and stages nothing", async () => {
    await expect(staging.stage("run-missing", parseDataSource("nope.csv", root))).rejects.toThrow(/nope\.csv cannot be read: ENOENT/);
    await expect(staging.stage("run-missing", parseDataSource(`${url}/nope.csv`, root))).rejects.toThrow(/answered 404/);
    await expect(staging.stage("run-missing", parseDataSource("blob:nocontainer/x.csv", root))).rejects.toThrow(/does not exist/);
    expect(await staging.container.getBlockBlobClient("run-missing/input.csv").exists()).toBe(false);
  });
});

describe("file sources stay inside the data folder", () => {
  it("refuses a symlink inside the folder that leads out of it", async () => {
    const { symlinkSync } = await import("node:fs");
    const outside = mkdtempSync(path.join(tmpdir(), "retrainer-outside-"));
    writeFileSync(path.join(outside, "secret.csv"), "a,class\n1,x\n");
    symlinkSync(path.join(outside, "secret.csv"), path.join(root, "link.csv"));
    await expect(staging.stage("run-link", parseDataSource("link.csv", root))).rejects.toThrow(/outside the data folder/);
    expect(await staging.container.getBlockBlobClient("run-link/input.csv").exists()).toBe(false);
  });

  it("accepts files when the data folder is the filesystem root", () => {
    expect(parseDataSource("tmp/x.csv", "/")).toEqual({ kind: "file", path: "/tmp/x.csv", root: "/" });
  });
});
