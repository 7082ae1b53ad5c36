import { createHash } from "node:crypto";
import path from "node:path";
import { open as openFile, realpath, type FileHandle } from "node:fs/promises";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { RestError, type BlobServiceClient, type BlockBlobClient, type ContainerClient } from "@azure/storage-blob";
import type { DataSource } from "./data-source";
import { DataSourceError, isInside } from "./data-source";
import { checkedTarget, refusedTarget, type UrlPolicy } from "./url-policy";
import type { LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";

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
  /** Largest source staged: checked before any byte moves where the size is known, and while streaming. */
  readonly maxBytes: number;
  /** Whether URL sources may be on loopback (local runs and tests only). */
  readonly allowLoopback: boolean;
}

/**
 * Tuned with bench/stage.ts against Azurite on disk, which fdatasyncs every block on its 4-thread
 * libuv pool: 3 blocks in flight keep the disk flushing one block while the next arrive and leave a
 * pool thread for writes. 6 MiB blocks (above 4 MiB, so Azure treats them as high-throughput
 * blocks) bound the buffers at 18 MiB: with the SDK (~60 MiB) and, for URL sources, the socket's
 * short-lived 64 KiB chunks (~35 MiB until the next GC) peak RSS stays below 128 MiB.
 */
export const DEFAULT_STAGING_OPTIONS: StagingOptions = { blockSizeInBytes: 6 * 1024 * 1024, concurrency: 3, sourceTimeoutInMs: 30 * 60_000, maxBytes: 10 * 1024 ** 3, allowLoopback: false };

/** A file source as messages name it: relative to the data folder, whose own path callers need not see. */
const shown = (s: { readonly path: string; readonly root: string }) => path.relative(s.root, s.path) || ".";

/** The size checks every source gets, with one wording. */
function checkSize(bytes: number, max: number, what: string): void {
  if (bytes === 0) throw new DataSourceError(`${what} is empty (0 bytes); there is nothing to train on.`);
  if (bytes > max) throw new DataSourceError(`${what} is larger than the limit of ${max} bytes (RETRAIN_DATA_MAX_MEGABYTES).`);
}

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
    private readonly o: StagingOptions = DEFAULT_STAGING_OPTIONS,
  ) {}

  async stage(runId: string, source: DataSource): Promise<StagedData> {
    await this.container.createIfNotExists();
    const blob = runBlobs(runId).input;
    if (source.kind === "blob") return this.copy(source, blob);
    const reader = await this.open(source);
    if (reader.bytesHint !== undefined) {
      try {
        checkSize(reader.bytesHint, this.o.maxBytes, "The data source");
      } catch (e) {
        await reader.close();
        throw e;
      }
    }
    let staged: { bytes: number; sha256: string };
    try {
      staged = await uploadBlocks(this.container.getBlockBlobClient(blob), reader, this.o);
    } finally {
      await reader.close();
    }
    if (reader.bytesHint !== undefined && reader.bytesHint !== staged.bytes) {
      throw new DataSourceError(`Staged ${staged.bytes} bytes but the source announced ${reader.bytesHint}; it changed or was cut short.`);
    }
    return { blob, ...staged, method: "stream" };
  }

  /** Server-side copy between containers of this account (e.g. archiving a model); returns the target's size. */
  async copyWithin(from: { container: string; blob: string }, to: { container: string; blob: string }, metadata?: Record<string, string>): Promise<number> {
    const source = this.service.getContainerClient(from.container).getBlockBlobClient(from.blob);
    const props = await source.getProperties();
    const target = this.service.getContainerClient(to.container);
    await target.createIfNotExists();
    const poller = await target.getBlockBlobClient(to.blob).beginCopyFromURL(source.url, { intervalInMs: 500, ...(metadata ? { metadata } : {}) });
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

  /** The run's probe as written by `writeProbe` (a few KB: read whole). */
  async readProbe(runId: string): Promise<string> {
    return (await this.container.getBlockBlobClient(runBlobs(runId).probe).downloadToBuffer()).toString("utf8");
  }

  /** The staged input as a stream of chunks, for profiling it without holding it (one GET; the SDK resumes a dropped download). */
  async readInput(runId: string): Promise<AsyncIterable<Buffer>> {
    const res = await this.container.getBlockBlobClient(runBlobs(runId).input).download(0, undefined, { maxRetryRequests: 5 });
    return res.readableStreamBody as AsyncIterable<Buffer>;
  }

  private async open(source: Exclude<DataSource, { kind: "blob" }>): Promise<BlockReader> {
    if (source.kind === "file") {
      try {
        // A symlink inside the data folder must not lead out of it.
        if (!isInside(await realpath(source.path), await realpath(source.root))) {
          throw new DataSourceError(`Data source ${shown(source)} resolves to a file outside the data folder.`);
        }
        const fh = await openFile(source.path, "r");
        const s = await fh.stat().catch(async (e: unknown) => {
          await fh.close();
          throw e;
        });
        if (!s.isFile()) {
          await fh.close();
          throw new DataSourceError(`Data source ${shown(source)} is not a file.`);
        }
        return fileReader(fh, s.size);
      } catch (e) {
        if (e instanceof DataSourceError) throw e;
        throw new DataSourceError(`Data source file ${shown(source)} cannot be read: ${(e as NodeJS.ErrnoException).code ?? "error"}.`);
      }
    }
    const res = await get(source.url, AbortSignal.timeout(this.o.sourceTimeoutInMs), { allowLoopback: this.o.allowLoopback });
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) {
      res.destroy();
      throw new DataSourceError(`Data source URL ${source.url.split("?")[0]!} answered ${status}.`);
    }
    const length = Number(res.headers["content-length"] ?? Number.NaN);
    return streamReader(res, Number.isFinite(length) ? length : undefined);
  }

  /**
   * Server-side copy within the account. The source URL carries no SAS: within one account, Copy
   * Blob authorizes the source with the request's own credential (account key or Entra ID), and
   * the service may complete it at once without moving bytes. A SAS would make it a cross-source
   * copy, which Azurite validates by downloading the whole source into one string (a 500 past
   * ~512 MiB).
   */
  private async copy(source: Extract<DataSource, { kind: "blob" }>, blob: string): Promise<StagedData> {
    const from = this.service.getContainerClient(source.container).getBlockBlobClient(source.blob);
    const props = await from.getProperties().catch((e: { statusCode?: number }) => {
      if (e.statusCode === 404) throw new DataSourceError(`Data source blob ${source.container}/${source.blob} does not exist.`);
      throw e;
    });
    checkSize(props.contentLength ?? 0, this.o.maxBytes, `Data source blob ${source.container}/${source.blob}`);
    const poller = await this.container.getBlockBlobClient(blob).beginCopyFromURL(from.url, { intervalInMs: 500 });
    await poller.pollUntilDone();
    return { blob, bytes: props.contentLength ?? 0, method: "server-side-copy" };
  }
}

// ---------------------------------------------------------------------------------------------
// Streaming upload. Each block is read straight into its own buffer, hashed once, and sent as
// that buffer (Put Block), so no byte is copied between read and socket for files, and a failed
// block can be retried by the pipeline (a Buffer body is replayable, a stream is not). Memory is
// `concurrency` blocks, whatever the file's size: the next block is read only when one is free.

/** A source read block by block: `fill` fills `into` from the start and returns how many bytes it put there (0: the end). */
interface BlockReader {
  readonly bytesHint?: number;
  fill(into: Buffer): Promise<number>;
  close(): Promise<void>;
}

function fileReader(fh: FileHandle, size: number): BlockReader {
  let position = 0;
  return {
    bytesHint: size,
    async fill(into) {
      let n = 0;
      while (n < into.length) {
        const { bytesRead } = await fh.read(into, n, into.length - n, position);
        if (bytesRead === 0) break;
        n += bytesRead;
        position += bytesRead;
      }
      return n;
    },
    close: () => fh.close(),
  };
}

function streamReader(stream: IncomingMessage, bytesHint: number | undefined): BlockReader {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let rest: Buffer | undefined; // what the last chunk held beyond the previous block
  let done = false;
  return {
    bytesHint,
    async fill(into) {
      let n = 0;
      while (n < into.length) {
        if (!rest || rest.length === 0) {
          if (done) break;
          const r = await chunks.next();
          if (r.done === true) {
            done = true;
            break;
          }
          rest = r.value;
        }
        const copied = rest.copy(into, n); // as much as fits
        n += copied;
        rest = rest.subarray(copied);
      }
      return n;
    },
    close: () => {
      if (!done) stream.destroy();
      return Promise.resolve();
    },
  };
}

/** Redirects followed from a URL source; each target is checked like the first URL. */
export const MAX_REDIRECTS = 5;

/**
 * GET through node:http(s) rather than fetch: fetch's web stream costs about three times the CPU
 * per byte of a plain IncomingMessage, and staging is CPU-bound. Every hop, redirects included,
 * is checked (scheme, and every address its host resolves to: no loopback unless allowed, no
 * private, link-local or metadata range) and connected to the address that was checked, so a
 * DNS answer that changes in between cannot send it elsewhere. Sends no Accept-Encoding, so the
 * bytes staged are the resource's own.
 */
async function get(url: string, signal: AbortSignal, policy: UrlPolicy, redirects = MAX_REDIRECTS, first = url): Promise<IncomingMessage> {
  const u = new URL(url);
  // A redirect's target is the redirecting server's choice: whatever is wrong with it (refused, a
  // name that does not resolve), the caller hears the one refusal, about the URL they gave.
  const target = await checkedTarget(url, policy).catch((e: unknown) => {
    throw url === first ? e : refusedTarget(first);
  });
  const client = u.protocol === "https:" ? https : http;
  const lookup: LookupFunction = (_host, options, callback) => {
    if (options.all) (callback as (e: null, a: LookupAddress[]) => void)(null, [target]);
    else callback(null, target.address, target.family);
  };
  const res = await new Promise<IncomingMessage>((resolve, reject) => client.get(u, { signal, lookup }, resolve).once("error", reject));
  const location = res.headers.location;
  if ([301, 302, 303, 307, 308].includes(res.statusCode ?? 0) && location !== undefined) {
    res.resume();
    if (redirects === 0) throw new DataSourceError(`Data source URL ${new URL(first).origin} redirected more than ${MAX_REDIRECTS} times.`);
    let next: URL;
    try {
      next = new URL(location, u);
    } catch {
      throw refusedTarget(first);
    }
    return get(next.toString(), signal, policy, redirects - 1, first);
  }
  return res;
}

const blockId = (i: number) => Buffer.from(`block-${String(i).padStart(6, "0")}`).toString("base64");

/** Puts the source as blocks, at most `concurrency` in flight, then commits them in order. */
async function uploadBlocks(target: BlockBlobClient, source: BlockReader, o: StagingOptions): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash("sha256");
  const free: Buffer[] = [];
  const inFlight = new Set<Promise<void>>();
  const ids: string[] = [];
  let failure: { error: unknown } | undefined;
  const rethrow = (f = failure) => { // a function: TypeScript cannot see the callbacks that set `failure`
    if (f) throw f.error;
  };
  let bytes = 0;
  try {
    for (;;) {
      while (inFlight.size >= o.concurrency) await Promise.race(inFlight);
      rethrow();
      const buffer = free.pop() ?? Buffer.allocUnsafeSlow(o.blockSizeInBytes); // at most `concurrency` ever allocated
      const n = await source.fill(buffer);
      if (n === 0) break;
      const block = buffer.subarray(0, n);
      hash.update(block);
      bytes += n;
      // A source that announced no size (or lied about it) is cut off at the limit.
      if (bytes > o.maxBytes) throw new DataSourceError(`The data source is larger than the limit of ${o.maxBytes} bytes (RETRAIN_DATA_MAX_MEGABYTES).`);
      const id = blockId(ids.length);
      ids.push(id);
      const put: Promise<void> = target.stageBlock(id, block, n).then(
        () => void free.push(buffer),
        (error: unknown) => void (failure ??= { error }),
      ).finally(() => inFlight.delete(put));
      inFlight.add(put);
      if (n < buffer.length) break; // a short fill is the end of the source
    }
    await Promise.all(inFlight);
    rethrow();
  } finally {
    await Promise.allSettled(inFlight); // never leave a Put Block running behind an error
  }
  if (bytes === 0) throw new DataSourceError("The data source is empty (0 bytes); there is nothing to train on.");
  await target.commitBlockList(ids, { blobHTTPHeaders: { blobContentType: "text/csv" } });
  return { bytes, sha256: hash.digest("hex") };
}
