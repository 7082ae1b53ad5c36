import { createHash } from "node:crypto";
import type { ContainerClient } from "@azure/storage-blob";

/** Blob calls in flight at once when reading or writing many records. */
const RECORD_CONCURRENCY = 16;

async function inBatches<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += RECORD_CONCURRENCY) out.push(...(await Promise.all(items.slice(i, i + RECORD_CONCURRENCY).map(fn))));
  return out;
}

/** The workspace's records, one document each: `endpoints/{name}.json`, `jobs/{id}.json`. */
export type RecordKind = "endpoints" | "jobs";

/**
 * The workspace's own storage: one document per endpoint and per job, and the models its
 * endpoints serve. Models are copied here on Update Resource, so an endpoint keeps serving after
 * the caller's SAS expires. A change writes only the record it touched: one document holding
 * every job would be rewritten on every change, at a cost growing with the number of jobs.
 */
export class WorkspaceStore {
  /** Per record: the newest version asked to be saved, and the write under way. */
  private readonly slots = new Map<string, { latest: unknown; dirty: boolean; writing: Promise<void> }>();

  constructor(readonly container: ContainerClient) {}

  async init(): Promise<void> {
    await this.container.createIfNotExists();
  }

  async loadRecords<T>(kind: RecordKind): Promise<T[]> {
    const names: string[] = [];
    for await (const b of this.container.listBlobsFlat({ prefix: `${kind}/` })) names.push(b.name);
    return inBatches(names, async (n) => JSON.parse((await this.container.getBlockBlobClient(n).downloadToBuffer()).toString("utf8")) as T);
  }

  /** Saves many records, a batch at a time. */
  async saveRecords(kind: RecordKind, records: readonly (readonly [key: string, record: unknown])[]): Promise<void> {
    await inBatches(records, ([key, record]) => this.saveRecord(kind, key, record));
  }

  /**
   * Resolves once the record as it is at the call, or newer, is stored. Writes of one record are
   * serialised, and calls made during a write share the next one (serialised when it starts).
   */
  saveRecord(kind: RecordKind, key: string, record: unknown): Promise<void> {
    const name = `${kind}/${encodeURIComponent(key)}.json`;
    const slot = this.slots.get(name);
    if (slot) {
      slot.latest = record;
      slot.dirty = true;
      return slot.writing;
    }
    const fresh = { latest: record, dirty: true, writing: Promise.resolve() };
    this.slots.set(name, fresh);
    fresh.writing = this.drain(name, fresh);
    return fresh.writing;
  }

  async deleteRecord(kind: RecordKind, key: string): Promise<void> {
    const name = `${kind}/${encodeURIComponent(key)}.json`;
    await this.slots.get(name)?.writing.catch(() => undefined);
    await this.container.getBlockBlobClient(name).deleteIfExists();
  }

  private async drain(name: string, slot: { latest: unknown; dirty: boolean }): Promise<void> {
    try {
      while (slot.dirty) {
        slot.dirty = false;
        const text = JSON.stringify(slot.latest);
        await this.container.getBlockBlobClient(name).upload(text, Buffer.byteLength(text), { blobHTTPHeaders: { blobContentType: "application/json" } });
      }
    } finally {
      this.slots.delete(name); // synchronously after the last check: a later call starts a new write
    }
  }

  /** Stores a model by content hash; returns its blob name and hash. */
  async putModel(text: string): Promise<{ blob: string; sha256: string }> {
    const sha256 = createHash("sha256").update(text).digest("hex");
    const blob = `models/${sha256}.ilearner`;
    const client = this.container.getBlockBlobClient(blob);
    if (!(await client.exists())) await client.upload(text, Buffer.byteLength(text));
    return { blob, sha256 };
  }

  async getModel(blob: string): Promise<string> {
    return (await this.container.getBlockBlobClient(blob).downloadToBuffer()).toString("utf8");
  }
}
