import { RestError, type ContainerClient } from "@azure/storage-blob";

export type Held<T> = { readonly held: true; readonly value: T } | { readonly held: false };

/** Keeps two starts of one instance id from overlapping, across every host of the app. */
export interface StartLock {
  /** Runs `fn` holding the lock for `name`; `{ held: false }` when another start holds it. */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<Held<T>>;
}

/** A holder that dies keeps the lock this long at most; a start (settling included) takes far less. */
export const START_LOCK_SECONDS = 60;

/**
 * The lock as a blob lease (`locks/{name}` in the run container): Azure Storage grants a lease
 * to one caller at a time, whichever instance of the app it runs on. Needed because the Durable
 * extension does not: two `startNew` calls for the same new instance id, a few milliseconds
 * apart, are both accepted (202 each), and only one of the two runs ever happens — the other
 * caller was told its run had started (seen on the real engine: test/security/hostile-runs).
 */
export class BlobLeaseStartLock implements StartLock {
  private ready: Promise<unknown> | undefined;

  constructor(private readonly container: ContainerClient) {}

  async exclusive<T>(name: string, fn: () => Promise<T>): Promise<Held<T>> {
    const blob = this.container.getBlockBlobClient(`locks/${encodeURIComponent(name)}`);
    await (this.ready ??= this.container.createIfNotExists().catch((e: unknown) => {
      this.ready = undefined;
      throw e;
    }));
    await blob.upload("", 0, { conditions: { ifNoneMatch: "*" } }).catch((e: unknown) => {
      if (!(e instanceof RestError && (e.statusCode === 409 || e.statusCode === 412))) throw e; // there already, leased or not
    });
    const lease = blob.getBlobLeaseClient();
    try {
      await lease.acquireLease(START_LOCK_SECONDS);
    } catch (e) {
      if (e instanceof RestError && e.statusCode === 409) return { held: false };
      throw e;
    }
    try {
      return { held: true, value: await fn() };
    } finally {
      await lease.releaseLease().catch(() => undefined); // it lapses by itself otherwise
    }
  }
}

/** One process's lock, for tests with fakes. */
export class InProcessStartLock implements StartLock {
  private readonly names = new Set<string>();

  async exclusive<T>(name: string, fn: () => Promise<T>): Promise<Held<T>> {
    if (this.names.has(name)) return { held: false };
    this.names.add(name);
    try {
      return { held: true, value: await fn() };
    } finally {
      this.names.delete(name);
    }
  }
}
