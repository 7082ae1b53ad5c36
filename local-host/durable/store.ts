import type { ContainerClient } from "@azure/storage-blob";
import type { InstanceState } from "./instance";

/**
 * Instance state and history in blob storage (Azurite locally), one JSON document per instance,
 * so a host that is killed and started again finds every unfinished instance where it stopped.
 */
export class InstanceStore {
  private readonly writes = new Map<string, Promise<void>>();

  constructor(private readonly container: ContainerClient) {}

  async init(): Promise<void> {
    await this.container.createIfNotExists();
  }

  async loadAll(): Promise<InstanceState[]> {
    const out: InstanceState[] = [];
    for await (const b of this.container.listBlobsFlat({ prefix: "instances/" })) {
      const buf = await this.container.getBlockBlobClient(b.name).downloadToBuffer();
      out.push(JSON.parse(buf.toString("utf8")) as InstanceState);
    }
    return out;
  }

  /** Writes one instance; writes of the same instance are serialised so the last one wins. */
  save(state: InstanceState): Promise<void> {
    const text = JSON.stringify(state);
    const name = blobName(state.instanceId);
    const previous = this.writes.get(state.instanceId) ?? Promise.resolve();
    const write = previous.then(() => this.container.getBlockBlobClient(name).upload(text, Buffer.byteLength(text)).then(() => undefined));
    this.writes.set(state.instanceId, write.catch(() => undefined));
    return write;
  }

  async delete(instanceId: string): Promise<void> {
    await (this.writes.get(instanceId) ?? Promise.resolve());
    await this.container.getBlockBlobClient(blobName(instanceId)).deleteIfExists();
  }

  async flush(): Promise<void> {
    await Promise.all(this.writes.values());
  }
}

const blobName = (instanceId: string) => `instances/${encodeURIComponent(instanceId)}.json`;
