import type { StateStore } from "./store";
import type { InstanceState } from "./instance";

/**
 * Durable state kept in memory (serialised, as a store would): for tests and benchmarks whose
 * subject is the engine's work per episode, not storage round trips. Nothing survives the process.
 */
export class MemoryStateStore implements StateStore {
  readonly saved = new Map<string, string>();
  writes = 0;
  init(): Promise<void> {
    return Promise.resolve();
  }
  loadAll(): Promise<InstanceState[]> {
    return Promise.resolve([...this.saved.values()].map((t) => JSON.parse(t) as InstanceState));
  }
  save(instanceId: string, document: string): Promise<void> {
    this.writes++;
    this.saved.set(instanceId, document);
    return Promise.resolve();
  }
  delete(instanceId: string): Promise<void> {
    this.saved.delete(instanceId);
    return Promise.resolve();
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
}
