import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { BlobServiceClient, ContainerClient } from "@azure/storage-blob";
import type { DataSource } from "./data-source";
import { DataSourceError, isInside } from "./data-source";
import type { SasSigner } from "./sas";

/** Run-scoped blob names: runs never overwrite each other's inputs or outputs. */
export const runBlobs = (runId: string) => ({
  input: `${runId}/input.csv`,
  model: `${runId}/model.ilearner`,
  evaluation: `${runId}/evaluation.csv`,
});

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
