import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import type { InstanceState } from "./instance";

/** Where the engine keeps instance state; an interface so tests can hand in a store that fails. */
export interface StateStore {
  init(): Promise<void>;
  loadAll(): Promise<InstanceState[]>;
  /** Stores one instance's state, already serialised (JSON of an InstanceState). */
  save(instanceId: string, document: string): Promise<void>;
  delete(instanceId: string): Promise<void>;
  flush(): Promise<void>;
}

/** A hung request must end in an error the engine can retry, not hold an instance forever. */
const REQUEST_TIMEOUT_IN_MS = 30_000;

/**
 * Instance state and history in blob storage (Azurite locally), one JSON document per instance,
 * so a host that is killed and started again finds every unfinished instance where it stopped.
 */
export class InstanceStore implements StateStore {
  private readonly writes = new Map<string, Promise<void>>();

  constructor(private readonly container: ContainerClient) {}

  /**
   * The task hub's container. The SDK's own retries are off (one try each): the engine retries
   * saves itself, without limit and with a short backoff, and logs the outage. Retrying in two
   * layers would only delay noticing that storage is back (the SDK waits 4 s, 12 s, 28 s).
   */
  static forHub(connectionString: string, hubName: string): InstanceStore {
    const service = BlobServiceClient.fromConnectionString(connectionString, { retryOptions: { maxTries: 1 } });
    return new InstanceStore(service.getContainerClient(`${hubName.toLowerCase()}-durable`));
  }

  async init(): Promise<void> {
    await this.container.createIfNotExists({ abortSignal: AbortSignal.timeout(REQUEST_TIMEOUT_IN_MS) });
  }

  async loadAll(): Promise<InstanceState[]> {
    const out: InstanceState[] = [];
    for await (const b of this.container.listBlobsFlat({ prefix: "instances/", abortSignal: AbortSignal.timeout(REQUEST_TIMEOUT_IN_MS) })) {
      const buf = await this.container.getBlockBlobClient(b.name).downloadToBuffer(undefined, undefined, { abortSignal: AbortSignal.timeout(REQUEST_TIMEOUT_IN_MS) });
      out.push(JSON.parse(buf.toString("utf8")) as InstanceState);
    }
    return out;
  }

  /** Writes one instance; writes of the same instance are serialised so the last one wins. */
  save(instanceId: string, text: string): Promise<void> {
    const name = blobName(instanceId);
    const previous = this.writes.get(instanceId) ?? Promise.resolve();
    const upload = () => this.container.getBlockBlobClient(name).upload(text, Buffer.byteLength(text), { abortSignal: AbortSignal.timeout(REQUEST_TIMEOUT_IN_MS) });
    const write = previous.then(upload).then(() => undefined);
    this.writes.set(instanceId, write.catch(() => undefined));
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
