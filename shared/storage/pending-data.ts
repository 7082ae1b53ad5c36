import { createHash } from "node:crypto";
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

/** An arrival as the state keeps it: with its place in the order arrivals were counted. */
export interface CountedArrival extends Arrival {
  /** The state's `seq` this arrival made (absent in states written before it was kept). */
  readonly seq?: number;
}

/**
 * What landed for one endpoint and has not been trained on yet. `seq` counts arrivals; a run that
 * took the latest arrival sets `takenSeq` to its `seq`, so `seq > takenSeq` means data waits.
 * `watcher` names the orchestration that owns the waiting data (one at a time).
 */
export interface PendingState {
  readonly seq: number;
  readonly takenSeq: number;
  /** The blob a run would train on: of the arrivals since the last take, the one created last (by eventTime). */
  readonly latest?: CountedArrival;
  /** The arrival counted last: what waits when `latest` was taken and only older-dated blobs came since. */
  readonly newest?: CountedArrival;
  /** Arrivals since the last run took one: a burst makes one run, and this says how many it covered. */
  readonly waiting: number;
  readonly watcher?: string;
  /** Watchers ever made: each gets a new instance id, so a new one never waits for an old one to end. */
  readonly watchers: number;
  /** Keys (eventKey) of the events counted last, so a redelivered event is counted once. */
  readonly recentEventIds: readonly string[];
}

export const EMPTY_PENDING: PendingState = { seq: 0, takenSeq: 0, waiting: 0, watchers: 0, recentEventIds: [] };

/**
 * Events remembered per endpoint: Event Grid redelivers a whole batch (up to 5,000 events) when a
 * delivery fails, minutes later; two batches' worth. Kept as short hashes (16 characters, 96 bits),
 * so the state stays about 170 KB whatever ids the events carry.
 */
export const RECENT_EVENT_IDS = 10_000;
/** Writers of one endpoint's state in other processes racing this one: this many attempts at most, then fail (and are retried by their caller). */
const MAX_WRITE_ATTEMPTS = 20;
/** Between attempts that lost a race: a random wait up to this, so racing writers spread out. */
const MAX_RETRY_JITTER_IN_MS = 200;
/** Changes applied in one read-modify-write at most: a 5,000-event batch is a few writes, not thousands. */
const MAX_CHANGES_PER_WRITE = 1_000;

/** The state's key for an event id: a hash, so an id of any length costs the same. */
export const eventKey = (eventId: string): string => createHash("sha256").update(eventId, "utf8").digest("base64url").slice(0, 16);

/** The state of each endpoint's waiting data: read and written with optimistic concurrency. */
export interface PendingData {
  read(endpoint: string): Promise<PendingState>;
  /** Applies `change` to the current state and stores it unless another writer got there first (then again, on the new state). */
  update<T>(endpoint: string, change: (s: PendingState) => { state?: PendingState; value: T }): Promise<T>;
}

/** Whether a run took the state's `latest` already (a state from before `seq` was kept: only when nothing waits). */
const latestTaken = (s: PendingState): boolean => !!s.latest && (s.latest.seq !== undefined ? s.latest.seq <= s.takenSeq : s.seq === s.takenSeq);

/** An arrival counted into the state; a watcher is named when none owns the waiting data. */
export function arrive(s: PendingState, a: Arrival, watcherIdOf: (n: number) => string): { state?: PendingState; value: { duplicate: boolean; watcher: string; waiting: number } } {
  const key = eventKey(a.eventId);
  if (s.recentEventIds.includes(key) || s.recentEventIds.includes(a.eventId)) return { value: { duplicate: true, watcher: s.watcher ?? "", waiting: s.waiting } };
  const watchers = s.watcher ? s.watchers : s.watchers + 1;
  const watcher = s.watcher ?? watcherIdOf(watchers);
  const counted: CountedArrival = { ...a, seq: s.seq + 1 };
  const state: PendingState = {
    // Event Grid delivers in parallel, in no set order: the latest is the blob created last, not the
    // event handled last; but what a run took already never outranks what came after it.
    ...s, seq: counted.seq!, latest: !s.latest || latestTaken(s) || a.eventTime >= s.latest.eventTime ? counted : s.latest, newest: counted,
    waiting: s.waiting + 1, watcher, watchers,
    recentEventIds: [...s.recentEventIds, key].slice(-RECENT_EVENT_IDS),
  };
  return { state, value: { duplicate: false, watcher, waiting: state.waiting } };
}

/**
 * A run took the data up to arrival `seq`: what landed after it waits (the follow-up). When only
 * blobs dated earlier than the taken one landed meanwhile, the one counted last waits: a later
 * arrival always wins over what a run took.
 */
export function take(s: PendingState, seq: number): PendingState {
  const takenSeq = Math.max(s.takenSeq, seq);
  const next: PendingState = { ...s, takenSeq, waiting: Math.max(0, s.seq - takenSeq) };
  return s.seq > takenSeq && latestTaken(next) && s.newest ? { ...next, latest: s.newest } : next;
}

/** One JSON blob per endpoint (`pending/{endpoint}.json` in the run container), written with If-Match. */
export class BlobPendingData implements PendingData {
  private ready: Promise<unknown> | undefined;
  private readonly queues = new Map<string, Queue>();

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

  /**
   * Changes to one endpoint's state are queued in this process and applied together, in order,
   * in one read-modify-write: the events of one Event Grid delivery arrive all at once, and as
   * racing writers of one blob all but one would lose every attempt. Writers in other processes
   * still race; a write that loses is read and applied again, after a random wait.
   */
  update<T>(endpoint: string, change: (s: PendingState) => { state?: PendingState; value: T }): Promise<T> {
    const key = endpoint.toLowerCase();
    return new Promise<T>((resolve, reject) => {
      let q = this.queues.get(key);
      if (!q) this.queues.set(key, (q = { waiting: [], draining: false }));
      q.waiting.push({ change, resolve: resolve as (v: unknown) => void, reject });
      if (!q.draining) void this.drain(endpoint, key, q);
    });
  }

  private async drain(endpoint: string, key: string, q: Queue): Promise<void> {
    q.draining = true;
    try {
      while (q.waiting.length > 0) await this.commit(endpoint, q.waiting.splice(0, MAX_CHANGES_PER_WRITE));
    } finally {
      q.draining = false;
      if (q.waiting.length === 0) this.queues.delete(key);
      else void this.drain(endpoint, key, q);
    }
  }

  private async commit(endpoint: string, batch: readonly Queued[]): Promise<void> {
    try {
      await (this.ready ??= this.container.createIfNotExists().catch((e: unknown) => {
        this.ready = undefined;
        throw e;
      }));
      for (let attempt = 1; ; attempt++) {
        const { state, etag } = await this.get(endpoint);
        let s = state;
        let changed = false;
        const outcomes = batch.map((b): { ok: true; value: unknown } | { ok: false; error: unknown } => {
          try {
            const next = b.change(s);
            if (next.state) {
              s = next.state;
              changed = true;
            }
            return { ok: true, value: next.value };
          } catch (error) {
            return { ok: false, error };
          }
        });
        const settle = () => outcomes.forEach((o, i) => (o.ok ? batch[i]!.resolve(o.value) : batch[i]!.reject(o.error)));
        if (!changed) return settle();
        const text = JSON.stringify(s);
        try {
          await this.blob(endpoint).upload(text, Buffer.byteLength(text), {
            conditions: etag ? { ifMatch: etag } : { ifNoneMatch: "*" },
            blobHTTPHeaders: { blobContentType: "application/json" },
          });
          return settle();
        } catch (e) {
          const lost = e instanceof RestError && (e.statusCode === 412 || e.statusCode === 409);
          if (!lost || attempt >= MAX_WRITE_ATTEMPTS) throw e;
          await new Promise((r) => setTimeout(r, Math.random() * MAX_RETRY_JITTER_IN_MS));
        }
      }
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  }
}

interface Queued {
  readonly change: (s: PendingState) => { state?: PendingState; value: unknown };
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
}

interface Queue {
  readonly waiting: Queued[];
  draining: boolean;
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
