import { createHash } from "node:crypto";
import type { ContainerClient } from "@azure/storage-blob";

/**
 * The workspace's own storage: its state document and the models its endpoints serve. Models
 * are copied here on Update Resource, so an endpoint keeps serving after the caller's SAS expires.
 */
export class WorkspaceStore {
  private pending: Promise<void> = Promise.resolve();

  constructor(readonly container: ContainerClient) {}

  async init(): Promise<void> {
    await this.container.createIfNotExists();
  }

  async loadState<T>(): Promise<T | undefined> {
    const blob = this.container.getBlockBlobClient("state.json");
    if (!(await blob.exists())) return undefined;
    return JSON.parse((await blob.downloadToBuffer()).toString("utf8")) as T;
  }

  /** Writes are serialised so an older snapshot never overwrites a newer one. */
  saveState(state: unknown): Promise<void> {
    const text = JSON.stringify(state);
    const write = this.pending.then(async () => {
      await this.container.getBlockBlobClient("state.json").upload(text, Buffer.byteLength(text), {
        blobHTTPHeaders: { blobContentType: "application/json" },
      });
    });
    this.pending = write.catch(() => undefined);
    return write;
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
