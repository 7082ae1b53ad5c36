import { rename, writeFile } from "node:fs/promises";
import { ServerResponse } from "node:http";

/** The part of a LokiJS database this file uses. */
interface LokiDb {
  readonly filename: string;
  persistenceMethod: string | null;
  serialize(): string;
  autosaveDirty(): boolean;
  autosaveClearFlags(): void;
  autosaveDisable(): void;
  saveDatabase(callback?: (err?: unknown) => void): void;
}
interface LokiClass {
  prototype: { configureOptions: (this: LokiDb, options: unknown, initialConfig: boolean) => void };
}

/** In Azurite's environment, "1" keeps its own autosave instead (the benchmark's baseline). */
export const AUTOSAVE_ONLY = "RETRAINER_AZURITE_AUTOSAVE_ONLY";

const WRITES = new Set(["PUT", "POST", "DELETE", "PATCH", "MERGE"]);

/**
 * Makes Azurite's acknowledged writes survive SIGKILL, as Azure Storage's do: the answer to every
 * write waits until all of Azurite's databases are on disk (group commit: writes that arrive while
 * a commit is under way share the next one). Azurite's 5-second autosave is turned off and its
 * own saves go through the same commit, so only one writer touches the files.
 *
 * A commit takes every changed database's snapshot in one synchronous step, then writes each to a
 * temporary file and renames it over the old one, extent databases first. Azurite stores a
 * blob's data and its extent record before the blob record that refers to them, so any saved
 * state is consistent: a kill between two renames leaves at most unreferenced extents. Not
 * fsync'd: this guards against a killed process, not a lost machine.
 */
export function makeCommitsDurable(lokiPath: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Loki = require(lokiPath) as LokiClass;
  /**
   * The databases commits write. One joins at its first save, which Azurite asks for once it has
   * loaded it: a database still loading must not be written, or its file would be replaced by
   * its empty start.
   */
  const dbs: LokiDb[] = [];
  const configure = Loki.prototype.configureOptions;
  Loki.prototype.configureOptions = function (options, initialConfig) {
    configure.call(this, options, initialConfig);
    if (this.persistenceMethod !== "fs" || !initialConfig) return;
    this.autosaveDisable();
    this.saveDatabase = (callback) => {
      if (!dbs.includes(this)) {
        dbs.push(this);
        dbs.sort((a, b) => Number(b.filename.includes("extent")) - Number(a.filename.includes("extent")));
      }
      void commit().then(() => callback?.(), callback);
    };
  };

  const written = new WeakSet<LokiDb>();
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  /** Resolves once a commit whose snapshot was taken after this call is on disk. */
  function commit(): Promise<void> {
    if (!running) {
      running = writeAll().finally(() => (running = undefined));
      return running;
    }
    next ??= running.catch(() => undefined).then(() => {
      next = undefined;
      return commit();
    });
    return next;
  }
  async function writeAll(): Promise<void> {
    // The unchanged ones are on disk as they are (what a commit costs grows with the databases).
    const docs = dbs.filter((db) => db.autosaveDirty() || !written.has(db)).map((db) => {
      const text = db.serialize();
      db.autosaveClearFlags();
      written.add(db);
      return { file: db.filename, text };
    });
    for (const d of docs) {
      await writeFile(`${d.file}~`, d.text);
      await rename(`${d.file}~`, d.file);
    }
  }
  /** What an answer must wait for: the running commit if it holds every change, else a new one. */
  const stored = (): Promise<void> | undefined => (dbs.some((db) => db.autosaveDirty()) ? commit() : running);

  // An answer is written with write() and end(); the first call of a write's answer waits for the
  // commit, and the calls after it queue behind, in order. A failed commit drops the connection,
  // so the caller sees a failure and retries rather than a success that was not stored.
  type Call = () => void;
  const queues = new WeakMap<ServerResponse, Call[] | "open">();
  const gate = (res: ServerResponse, call: Call): boolean => {
    const queue = queues.get(res);
    if (queue === "open") return (call(), true);
    if (queue) return (queue.push(call), true);
    const wait = WRITES.has(res.req?.method ?? "") ? stored() : undefined;
    if (!wait) {
      queues.set(res, "open");
      return (call(), true);
    }
    const calls = [call];
    queues.set(res, calls);
    wait.then(
      () => {
        queues.set(res, "open");
        for (const c of calls) c();
      },
      (err: unknown) => res.destroy(err as Error),
    );
    return true;
  };
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the response as `this`
  const { write, end } = ServerResponse.prototype;
  ServerResponse.prototype.write = function (this: ServerResponse, ...args: unknown[]) {
    let result = true;
    gate(this, () => (result = (write as (...a: unknown[]) => boolean).apply(this, args)));
    return result;
  } as typeof write;
  ServerResponse.prototype.end = function (this: ServerResponse, ...args: unknown[]) {
    gate(this, () => (end as (...a: unknown[]) => unknown).apply(this, args));
    return this;
  } as typeof end;
}
