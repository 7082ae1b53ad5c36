import type { InstanceState } from "./instance";
import type { StateStore } from "./store";
import { redact } from "../../shared/redact";

/** Backoff between save attempts, in real time: storage outages last real seconds whatever the host's clock. */
export interface SaveRetryPolicy {
  readonly firstDelayInMs: number;
  readonly maxDelayInMs: number;
}
export const SAVE_RETRY: SaveRetryPolicy = { firstDelayInMs: 100, maxDelayInMs: 5_000 };

export class HostStoppedError extends Error {
  override readonly name = "HostStoppedError";
}

interface Slot {
  /** The newest snapshot asked for (serialised): a retry writes it, not the one that failed. */
  latest: string;
  dirty: boolean;
  done?: Promise<void>;
}

/**
 * Saves instance state until storage takes it, as the Durable extension rides out a storage
 * outage: in a live host the in-memory state stays authoritative, each instance has at most one
 * save under way, and whoever waits on it (an episode's dispatch, a delivery) waits until it is
 * stored. One log line when storage goes away and one when it is back, not one per attempt.
 */
export class Persister {
  private readonly slots = new Map<string, Slot>();
  private readonly sleepers = new Set<() => void>();
  private outage: { sinceMs: number; failures: number } | undefined;
  private stopped = false;
  /** Storage calls that failed and were retried, since start. */
  failures = 0;

  constructor(
    private readonly store: StateStore,
    private readonly log: (line: string) => void,
    private readonly policy: SaveRetryPolicy = SAVE_RETRY,
  ) {}

  /**
   * Resolves once the instance's state as it is now, or a newer snapshot of it, is stored. The
   * snapshot is taken at once, as JSON: the state keeps changing while a save is under way, and
   * serialising is all a store would do with it anyway (no separate deep copy).
   */
  save(state: InstanceState): Promise<void> {
    const id = state.instanceId;
    const snapshot = JSON.stringify(state);
    const existing = this.slots.get(id);
    if (existing) {
      existing.latest = snapshot;
      existing.dirty = true;
      return existing.done!;
    }
    const slot: Slot = { latest: snapshot, dirty: true };
    this.slots.set(id, slot);
    slot.done = this.drain(id, slot);
    return slot.done;
  }

  /** Resolves when no save of the instance is under way (failed or not). */
  async settled(instanceId: string): Promise<void> {
    await this.slots.get(instanceId)?.done?.catch(() => undefined);
  }

  /**
   * At start there is no in-memory state to keep, and no point in waiting forever: retry for a
   * bounded time, then fail with an error that says what could not be reached.
   */
  async atStart<T>(what: string, op: () => Promise<T>, timeoutInMs: number): Promise<T> {
    const deadline = Date.now() + timeoutInMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await op();
        this.recovered();
        return result;
      } catch (e) {
        if (this.stopped || Date.now() >= deadline) {
          throw new Error(`Could not ${what} in the storage that holds the Durable state (AzureWebJobsStorage) within ${timeoutInMs / 1000} s: ${describe(e)}`);
        }
        this.failed(e, `retrying for up to ${timeoutInMs / 1000} s before giving up`);
        await this.sleep(Math.min(this.delay(attempt), Math.max(0, deadline - Date.now())));
      }
    }
  }

  /** Ends every save loop: a stopped host keeps nothing, as a killed one would; storage has the last saved state. */
  stop(): void {
    this.stopped = true;
    for (const wake of [...this.sleepers]) wake();
  }

  private async drain(id: string, slot: Slot): Promise<void> {
    try {
      for (let attempt = 0; slot.dirty; ) {
        if (this.stopped) throw new HostStoppedError(`The host stopped before ${id}'s state could be saved.`);
        slot.dirty = false;
        try {
          await this.store.save(id, slot.latest);
          attempt = 0;
          this.recovered();
        } catch (e) {
          slot.dirty = true;
          this.failed(e, `instance state stays in memory and instances wait; retrying with backoff up to ${this.policy.maxDelayInMs / 1000} s`);
          await this.sleep(this.delay(attempt++));
        }
      }
    } finally {
      // Synchronously after the last check of `dirty`: a save asked for later starts a new loop.
      this.slots.delete(id);
    }
  }

  private delay(attempt: number): number {
    return Math.min(this.policy.firstDelayInMs * 2 ** attempt, this.policy.maxDelayInMs);
  }

  private failed(e: unknown, meanwhile: string): void {
    this.failures++;
    if (this.outage) {
      this.outage.failures++;
      return;
    }
    this.outage = { sinceMs: Date.now(), failures: 1 };
    this.log(`storage unavailable (${describe(e)}): ${meanwhile}`);
  }

  private recovered(): void {
    if (!this.outage) return;
    const seconds = ((Date.now() - this.outage.sinceMs) / 1000).toFixed(1);
    this.log(`storage is back after ${seconds} s (${this.outage.failures} failed attempts retried); instances resume`);
    this.outage = undefined;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

/** Status, code and the first line of the message, redacted: no connection string or key reaches the log. */
function describe(e: unknown): string {
  const err = e as { statusCode?: number; code?: string; name?: string; message?: string };
  const kind = [err.statusCode, err.code].filter((x) => x !== undefined && x !== "").join(" ") || err.name || "error";
  const message = redact(String(err.message ?? e).split("\n")[0]!.slice(0, 200));
  return `${kind}: ${message}`;
}
