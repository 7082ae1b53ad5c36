import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { RestError, type BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import type { DataSource } from "./data-source";
import { DataSourceError, isInside } from "./data-source";
import type { SasSigner } from "./sas";

/** Run-scoped blob names: runs never overwrite each other's inputs or outputs. */
export const runBlobs = (runId: string) => ({
  input: `${runId}/input.csv`,
  model: `${runId}/model.ilearner`,
  evaluation: `${runId}/evaluation.csv`,
  /** A few input rows the new model scores at training time: the canary's expected answers. */
  probe: `${runId}/probe.csv`,
  probeScored: `${runId}/probe-scored.csv`,
});

/** How much of the input the probe is cut from, and how many rows it keeps. */
const PROBE_SOURCE_BYTES = 256 * 1024;
export const PROBE_ROWS = 20;

export interface StagingOptions {
  /** Block size of parallel uploads; memory in flight is about blockSize × concurrency. */
  readonly blockSizeInBytes: number;
  readonly concurrency: number;
  readonly sourceTimeoutInMs: number;
}

export const DEFAULT_STAGING_OPTIONS: StagingOptions = { blockSizeInBytes: 8 * 1024 * 1024, concurrency: 4, sourceTimeoutInMs: 30 * 60_000 };

export interface StagedData {
  readonly blob: string;
  readonly bytes: number;
  /** sha256 of the bytes, when they passed through the process; absent for a server-side copy. */
  readonly sha256?: string;
  readonly method: "stream" | "server-side-copy";
}

/**
 * Stages training data into `{runId}/input.csv` of the run container. Files and URLs are streamed
 * in parallel blocks (memory bounded by block size × concurrency, not file size); a blob source
 * is copied by the storage service itself, so no bytes pass through the function.
 */
export class StagingClient {
  constructor(
    readonly service: BlobServiceClient,
    readonly container: ContainerClient,
    private readonly signer: SasSigner,
    private readonly o: StagingOptions = DEFAULT_STAGING_OPTIONS,
    private readonly now: () => number = Date.now,
  ) {}

  async stage(runId: string, source: DataSource): Promise<StagedData> {
    await this.container.createIfNotExists();
    const blob = runBlobs(runId).input;
    const target = this.container.getBlockBlobClient(blob);
    if (source.kind === "blob") return this.copy(source, blob);
    const { stream, bytesHint } = await this.open(source);
    const hash = createHash("sha256");
    let bytes = 0;
    const counting = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    stream.on("error", (e) => counting.destroy(e));
    await target.uploadStream(stream.pipe(counting), this.o.blockSizeInBytes, this.o.concurrency, {
      blobHTTPHeaders: { blobContentType: "text/csv" },
    });
    if (bytesHint !== undefined && bytesHint !== bytes) throw new DataSourceError(`Staged ${bytes} bytes but the source announced ${bytesHint}; it changed or was cut short.`);
    return { blob, bytes, sha256: hash.digest("hex"), method: "stream" };
  }

  /** Server-side copy between containers of this account (e.g. archiving a model); returns the target's size. */
  async copyWithin(from: { container: string; blob: string }, to: { container: string; blob: string }, metadata?: Record<string, string>): Promise<number> {
    const source = this.service.getContainerClient(from.container).getBlockBlobClient(from.blob);
    const props = await source.getProperties();
    const target = this.service.getContainerClient(to.container);
    await target.createIfNotExists();
    const token = await this.signer.sign(from.container, from.blob, "r", new Date(this.now() + 60 * 60_000));
    const poller = await target.getBlockBlobClient(to.blob).beginCopyFromURL(`${source.url}${token}`, { intervalInMs: 500, ...(metadata ? { metadata } : {}) });
    await poller.pollUntilDone();
    return props.contentLength ?? 0;
  }

  /** A blob's metadata, or undefined when the blob does not exist. */
  async metadataOf(at: { container: string; blob: string }): Promise<Record<string, string> | undefined> {
    try {
      return (await this.service.getContainerClient(at.container).getBlockBlobClient(at.blob).getProperties()).metadata ?? {};
    } catch (e) {
      if (e instanceof RestError && e.statusCode === 404) return undefined;
      throw e;
    }
  }

  /**
   * Writes the run's probe: the header and the first complete rows of the staged input, read
   * with one ranged GET whatever the input's size. Returns the number of probe rows (0: none).
   */
  async writeProbe(runId: string, rows = PROBE_ROWS): Promise<number> {
    const names = runBlobs(runId);
    const res = await this.container.getBlockBlobClient(names.input).download(0, PROBE_SOURCE_BYTES);
    const chunks: Buffer[] = [];
    for await (const c of res.readableStreamBody as AsyncIterable<Buffer>) chunks.push(c);
    const head = Buffer.concat(chunks).toString("utf8");
    const lines = head.split(/\r?\n/);
    if (head.length >= PROBE_SOURCE_BYTES) lines.pop(); // the last line may be cut off by the range
    const [header, ...data] = lines.filter((l) => l.trim() !== "");
    const kept = data.slice(0, rows);
    if (!header || kept.length === 0) return 0;
    const text = [header, ...kept].join("\n") + "\n";
    await this.container.getBlockBlobClient(names.probe).upload(text, Buffer.byteLength(text), { blobHTTPHeaders: { blobContentType: "text/csv" } });
    return kept.length;
  }

  private async open(source: Exclude<DataSource, { kind: "blob" }>): Promise<{ stream: Readable; bytesHint?: number }> {
    if (source.kind === "file") {
      let size: number;
      try {
        // A symlink inside the data folder must not lead out of it.
        if (!isInside(await realpath(source.path), await realpath(source.root))) {
          throw new DataSourceError(`Data source ${source.path} resolves to a file outside the data folder ${source.root}.`);
        }
        const s = await stat(source.path);
        if (!s.isFile()) throw new DataSourceError(`Data source ${source.path} is not a file.`);
        size = s.size;
      } catch (e) {
        if (e instanceof DataSourceError) throw e;
        throw new DataSourceError(`Data source file ${source.path} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
      }
      return { stream: createReadStream(source.path, { highWaterMark: 1024 * 1024 }), bytesHint: size };
    }
    const res = await fetch(source.url, { signal: AbortSignal.timeout(this.o.sourceTimeoutInMs) });
    if (!res.ok || !res.body) {
      throw new DataSourceError(`Data source URL ${source.url.split("?")[0]!} answered ${res.status}.`);
    }
    const length = Number(res.headers.get("content-length") ?? Number.NaN);
    return { stream: Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), bytesHint: Number.isFinite(length) ? length : undefined };
  }

  /** Server-side copy within the account; the source is read through a short-lived SAS. */
  private async copy(source: Extract<DataSource, { kind: "blob" }>, blob: string): Promise<StagedData> {
    const from = this.service.getContainerClient(source.container).getBlockBlobClient(source.blob);
    const props = await from.getProperties().catch((e: { statusCode?: number }) => {
      if (e.statusCode === 404) throw new DataSourceError(`Data source blob ${source.container}/${source.blob} does not exist.`);
      throw e;
    });
    const token = await this.signer.sign(source.container, source.blob, "r", new Date(this.now() + 60 * 60_000));
    const poller = await this.container.getBlockBlobClient(blob).beginCopyFromURL(`${from.url}${token}`, { intervalInMs: 500 });
    await poller.pollUntilDone();
    return { blob, bytes: props.contentLength ?? 0, method: "server-side-copy" };
  }
}
