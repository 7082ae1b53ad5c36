import type { InstanceState } from "../../local-host/durable/instance";
import type { StateStore } from "../../local-host/durable/store";

/** What a storage call fails with when nothing listens: a RestError with the socket's code. */
function refused(): Error {
  return Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:10000"), { name: "RestError", code: "ECONNREFUSED" });
}

/**
 * A store in front of a real one that fails on demand, as storage does in an outage: while
 * `down`, every call fails; `downAfterSaves(n)` lets n more saves through first; with
 * `failEachSave(n)`, every save that gets through has first failed `n` times.
 */
export class FlakyStore implements StateStore {
  down = false;
  /** Calls that failed, of any kind. */
  failures = 0;
  private failEach = 0;
  private streak = 0;
  private savesBeforeDown: number | undefined;

  constructor(readonly inner: StateStore) {}

  downAfterSaves(n: number): void {
    this.savesBeforeDown = n;
  }

  failEachSave(n: number): void {
    this.failEach = n;
    this.streak = 0;
  }

  init(): Promise<void> {
    return this.down ? this.fail() : this.inner.init();
  }

  loadAll(): Promise<InstanceState[]> {
    return this.down ? this.fail() : this.inner.loadAll();
  }

  save(instanceId: string, document: string): Promise<void> {
    if (this.savesBeforeDown !== undefined && this.savesBeforeDown-- <= 0) {
      this.down = true;
      this.savesBeforeDown = undefined;
    }
    if (this.down || this.streak < this.failEach) {
      this.streak++;
      return this.fail();
    }
    this.streak = 0;
    return this.inner.save(instanceId, document);
  }

  delete(instanceId: string): Promise<void> {
    return this.down ? this.fail() : this.inner.delete(instanceId);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  private fail<T>(): Promise<T> {
    this.failures++;
    return Promise.reject(refused());
  }
}
