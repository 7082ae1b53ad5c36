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
    else if (req.url === "/chunked.csv") res.writeHead(200).end(csv); // no Content-Length: only streaming can tell its size
    else if (req.url === "/empty.csv") res.writeHead(200, { "Content-Length": 0 }).end();
    else if (req.url === "/to-metadata") res.writeHead(302, { Location: "http://169.254.169.254/latest/meta-data/" }).end();
    else if (req.url === "/to-private") res.writeHead(307, { Location: "https://10.0.0.5/data.csv" }).end();
    else if (req.url === "/to-data") res.writeHead(301, { Location: "/data.csv" }).end();
    else if (req.url?.startsWith("/loop/")) res.writeHead(302, { Location: `/loop/${Number(req.url.slice(6)) + 1}` }).end();
    else res.writeHead(404).end();
  }).listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
  const container = service.getContainerClient(`stage-${Date.now()}`);
  // small blocks so even this file goes up as several parallel blocks
  staging = new StagingClient(service, container, {
    blockSizeInBytes: 256 * 1024, concurrency: 4, sourceTimeoutInMs: 30_000, maxBytes: 1024 ** 3, allowLoopback: true,
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

describe("URL sources: every redirect is checked like the first URL", () => {
  const refused = /was refused: it, or a redirect from it, leads to an address this app does not fetch data from\./;

  it("follows a redirect to an allowed target", async () => {
    const r = await staging.stage("run-redirect", parseDataSource(`${url}/to-data`, root));
    expect(r).toMatchObject({ bytes: Buffer.byteLength(csv), sha256: sha });
  });

  it("refuses redirects to the metadata service and to private networks, without connecting there", async () => {
    await expect(staging.stage("run-to-metadata", parseDataSource(`${url}/to-metadata`, root))).rejects.toThrow(refused);
    await expect(staging.stage("run-to-private", parseDataSource(`${url}/to-private`, root))).rejects.toThrow(refused);
  });

  it("stops after 5 redirects", async () => {
    await expect(staging.stage("run-loop", parseDataSource(`${url}/loop/0`, root))).rejects.toThrow(/redirected more than 5 times/);
  });

  it("without the local-only setting, refuses loopback at once: an open port and a closed one get the same answer", async () => {
    const strict = new StagingClient(service, staging.container, { blockSizeInBytes: 256 * 1024, concurrency: 4, sourceTimeoutInMs: 30_000, maxBytes: 1024 ** 3, allowLoopback: false });
    const open = await strict.stage("run-open", parseDataSource(`${url}/data.csv`, root)).then(() => "staged", (e: Error) => e.message);
    const closed = await strict.stage("run-closed", parseDataSource("http://127.0.0.1:1/data.csv", root)).then(() => "staged", (e: Error) => e.message);
    expect(open).toMatch(refused);
    expect(closed.replace(/:1\b/, "")).toBe(open.replace(/:\d+\b/, ""));
  });
});

describe("size limits and empty sources", () => {
  const limited = () => new StagingClient(service, staging.container, { blockSizeInBytes: 256 * 1024, concurrency: 4, sourceTimeoutInMs: 30_000, maxBytes: Buffer.byteLength(csv) - 1, allowLoopback: true });

  it("refuses a file, a URL and a blob over the limit before staging, and a URL without a length while streaming", async () => {
    const s = limited();
    const over = /is larger than the limit of \d+ bytes \(RETRAIN_DATA_MAX_MEGABYTES\)/;
    await expect(s.stage("run-big-file", parseDataSource("data.csv", root))).rejects.toThrow(over);
    await expect(s.stage("run-big-url", parseDataSource(`${url}/data.csv`, root))).rejects.toThrow(over);
    await expect(s.stage("run-big-chunked", parseDataSource(`${url}/chunked.csv`, root))).rejects.toThrow(over);
    const source = service.getContainerClient(`big-${Date.now()}`);
    await source.create();
    await source.getBlockBlobClient("x.csv").upload(csv, Buffer.byteLength(csv));
    await expect(s.stage("run-big-blob", parseDataSource(`blob:${source.containerName}/x.csv`, root))).rejects.toThrow(over);
    for (const run of ["run-big-file", "run-big-url", "run-big-chunked", "run-big-blob"]) expect(await s.container.getBlockBlobClient(`${run}/input.csv`).exists(), run).toBe(false);
  });

  it("refuses a 2 GiB sparse file on its size, without putting a block", async () => {
    const { truncateSync } = await import("node:fs");
    writeFileSync(path.join(root, "sparse.csv"), "");
    truncateSync(path.join(root, "sparse.csv"), 2 * 1024 ** 3);
    await expect(limited().stage("run-sparse", parseDataSource("sparse.csv", root))).rejects.toThrow(/is larger than the limit/);
    // Not one block was put: the blob does not exist even uncommitted.
    await expect(staging.container.getBlockBlobClient("run-sparse/input.csv").getBlockList("all")).rejects.toMatchObject({ statusCode: 404 });
  });

  it("refuses an empty file, URL or blob by name instead of failing later (416 InvalidRange)", async () => {
    writeFileSync(path.join(root, "empty.csv"), "");
    const empty = /is empty \(0 bytes\); there is nothing to train on/;
    await expect(staging.stage("run-empty-file", parseDataSource("empty.csv", root))).rejects.toThrow(empty);
    await expect(staging.stage("run-empty-url", parseDataSource(`${url}/empty.csv`, root))).rejects.toThrow(empty);
    const source = service.getContainerClient(`empty-${Date.now()}`);
    await source.create();
    await source.getBlockBlobClient("x.csv").upload("", 0);
    await expect(staging.stage("run-empty-blob", parseDataSource(`blob:${source.containerName}/x.csv`, root))).rejects.toThrow(empty);
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
