import { RestError, type ContainerClient } from "@azure/storage-blob";

/** A blob that landed in an endpoint's data location. */
export interface Arrival {
  /** `blob:container/name`: the data source its run trains on. */
  readonly source: string;
  /** Event Grid's id: a redelivered event is counted once. */
  readonly eventId: string;
  readonly eventTime: string;
  readonly bytes?: number;
}

/**
 * What landed for one endpoint and has not been trained on yet. `seq` counts arrivals; a run that
 * took the latest arrival sets `takenSeq` to its `seq`, so `seq > takenSeq` means data waits.
 * `watcher` names the orchestration that owns the waiting data (one at a time).
 */
export interface PendingState {
  readonly seq: number;
  readonly takenSeq: number;
  readonly latest?: Arrival;
  /** Arrivals since the last run took one: a burst makes one run, and this says how many it covered. */
  readonly waiting: number;
  readonly watcher?: string;
  /** Watchers ever made: each gets a new instance id, so a new one never waits for an old one to end. */
  readonly watchers: number;
  readonly recentEventIds: readonly string[];
}

export const EMPTY_PENDING: PendingState = { seq: 0, takenSeq: 0, waiting: 0, watchers: 0, recentEventIds: [] };

/** Event ids remembered per endpoint: Event Grid redelivers a batch it saw fail, not days later. */
const RECENT_EVENT_IDS = 50;
/** Writers of one endpoint's state racing each other retry this often at most, then fail (and are retried by their caller). */
const MAX_WRITE_ATTEMPTS = 20;

/** The state of each endpoint's waiting data: read and written with optimistic concurrency. */
export interface PendingData {
  read(endpoint: string): Promise<PendingState>;
  /** Applies `change` to the current state and stores it unless another writer got there first (then again, on the new state). */
  update<T>(endpoint: string, change: (s: PendingState) => { state?: PendingState; value: T }): Promise<T>;
}

/** An arrival counted into the state; a watcher is named when none owns the waiting data. */
export function arrive(s: PendingState, a: Arrival, watcherIdOf: (n: number) => string): { state?: PendingState; value: { duplicate: boolean; watcher: string; waiting: number } } {
  if (s.recentEventIds.includes(a.eventId)) return { value: { duplicate: true, watcher: s.watcher ?? "", waiting: s.waiting } };
  const watchers = s.watcher ? s.watchers : s.watchers + 1;
  const watcher = s.watcher ?? watcherIdOf(watchers);
  const state: PendingState = {
    // Event Grid delivers in parallel, in no set order: the latest is the blob created last, not the event handled last.
    ...s, seq: s.seq + 1, latest: !s.latest || a.eventTime >= s.latest.eventTime ? a : s.latest, waiting: s.waiting + 1, watcher, watchers,
    recentEventIds: [...s.recentEventIds, a.eventId].slice(-RECENT_EVENT_IDS),
  };
  return { state, value: { duplicate: false, watcher, waiting: state.waiting } };
}

/** One JSON blob per endpoint (`pending/{endpoint}.json` in the run container), written with If-Match. */
export class BlobPendingData implements PendingData {
  private ready: Promise<unknown> | undefined;

  constructor(private readonly container: ContainerClient) {}

  private blob(endpoint: string) {
    return this.container.getBlockBlobClient(`pending/${encodeURIComponent(endpoint.toLowerCase())}.json`);
  }

  private async get(endpoint: string): Promise<{ state: PendingState; etag?: string }> {
    try {
      // The etag of the very bytes read: a write on it fails if anyone wrote since.
      const r = await this.blob(endpoint).download();
      const chunks: Buffer[] = [];
      for await (const c of r.readableStreamBody as AsyncIterable<Buffer>) chunks.push(c);
      return { state: { ...EMPTY_PENDING, ...(JSON.parse(Buffer.concat(chunks).toString("utf8")) as PendingState) }, ...(r.etag ? { etag: r.etag } : {}) };
    } catch (e) {
      if (e instanceof RestError && e.statusCode === 404) return { state: EMPTY_PENDING };
      throw e;
    }
  }

  async read(endpoint: string): Promise<PendingState> {
    return (await this.get(endpoint)).state;
  }

  async update<T>(endpoint: string, change: (s: PendingState) => { state?: PendingState; value: T }): Promise<T> {
    await (this.ready ??= this.container.createIfNotExists().catch((e: unknown) => {
      this.ready = undefined;
      throw e;
    }));
    for (let attempt = 1; ; attempt++) {
      const { state, etag } = await this.get(endpoint);
      const next = change(state);
      if (!next.state) return next.value;
      const text = JSON.stringify(next.state);
      try {
        await this.blob(endpoint).upload(text, Buffer.byteLength(text), {
          conditions: etag ? { ifMatch: etag } : { ifNoneMatch: "*" },
          blobHTTPHeaders: { blobContentType: "application/json" },
        });
        return next.value;
      } catch (e) {
        const lost = e instanceof RestError && (e.statusCode === 412 || e.statusCode === 409);
        if (!lost || attempt >= MAX_WRITE_ATTEMPTS) throw e;
      }
    }
  }
}

/** One process's state, for tests with fakes. */
export class InMemoryPendingData implements PendingData {
  private readonly states = new Map<string, PendingState>();

  read(endpoint: string): Promise<PendingState> {
    return Promise.resolve(this.states.get(endpoint.toLowerCase()) ?? EMPTY_PENDING);
  }

  async update<T>(endpoint: string, change: (s: PendingState) => { state?: PendingState; value: T }): Promise<T> {
    const next = change(await this.read(endpoint));
    if (next.state) this.states.set(endpoint.toLowerCase(), next.state);
    return next.value;
  }
}
