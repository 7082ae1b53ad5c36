import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CONNECTION_FILE_NAME, parseServeConnection, processAlive, type ServeConnection } from "../cli/connection";

/**
 * One program at a time on a state folder: `npm start` and `npm run serve` each start an Azurite
 * on `<stateDir>/azurite`, and two Azurites on one folder overwrite each other's files. Each
 * holds `<stateDir>/lock` (its pid, created exclusively) from before Azurite starts until it
 * stops; a lock whose process is gone (killed) is taken over.
 */
const LOCK_FILE = "lock";

export interface StateLock {
  release(): void;
}

interface LockRecord {
  readonly pid: number;
  /** "npm start" or "npm run serve". */
  readonly program: string;
}

/** The state folder is held by another live program; the message says which and what to do. */
export class StateDirBusy extends Error {
  override readonly name = "StateDirBusy";
  constructor(
    message: string,
    readonly holder: LockRecord & { readonly url?: string },
  ) {
    super(message);
  }
}

function readLock(file: string): LockRecord | undefined {
  try {
    const v = JSON.parse(readFileSync(file, "utf8")) as Partial<LockRecord>;
    return Number.isInteger(v.pid) && typeof v.program === "string" ? { pid: v.pid!, program: v.program } : undefined;
  } catch {
    return undefined;
  }
}

/** The running serve's connection, when it has written one. */
export function readConnection(stateDir: string): ServeConnection | undefined {
  try {
    return parseServeConnection(readFileSync(path.join(stateDir, CONNECTION_FILE_NAME), "utf8"));
  } catch {
    return undefined;
  }
}

/**
 * Takes the state folder for `program`, or throws StateDirBusy naming the program holding it.
 * Released on `release()` and, whatever happens, when this process exits.
 */
export function lockStateDir(stateDir: string, program: string, isAlive: (pid: number) => boolean = processAlive): StateLock {
  mkdirSync(stateDir, { recursive: true });
  const file = path.join(stateDir, LOCK_FILE);
  const mine: LockRecord = { pid: process.pid, program };
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, `${JSON.stringify(mine)}\n`, { flag: "wx" });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw e;
      const holder = readLock(file);
      if (holder && holder.pid !== process.pid && isAlive(holder.pid)) {
        const connection = readConnection(stateDir);
        const url = connection?.pid === holder.pid ? connection.url : undefined;
        throw new StateDirBusy(busyMessage(stateDir, holder, url), { ...holder, ...(url ? { url } : {}) });
      }
      // Its process is gone (killed, or a crash): the folder is free.
      rmSync(file, { force: true });
    }
  }
  const release = () => {
    if (readLock(file)?.pid === process.pid) rmSync(file, { force: true });
    process.off("exit", release);
  };
  process.on("exit", release);
  return { release };
}

function busyMessage(stateDir: string, holder: LockRecord, url: string | undefined): string {
  const who = `${holder.program} (pid ${holder.pid})${url ? ` on ${url}` : ""}`;
  return [
    `${stateDir} is in use by ${who}: two programs on one state folder would each start an Azurite on its files and corrupt them.`,
    holder.program === "npm run serve"
      ? "Start a run in the running serve instead (npx retrainer runs start retrain --follow), stop it first (Ctrl+C), or use another folder (--state-dir=DIR)."
      : "Wait for it to end, or use another folder (--state-dir=DIR).",
  ].join("\n");
}

/**
 * `<stateDir>/connection.json` for the CLI while serve listens: its URL, function key and pid,
 * readable by this user only (it holds the key). Written whole (a temporary file renamed) so a
 * reader never sees half of it; the returned function removes it.
 */
export function writeConnectionFile(stateDir: string, c: ServeConnection): () => void {
  const file = path.join(stateDir, CONNECTION_FILE_NAME);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(c)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600); // the umask cannot widen it, and a leftover temporary file is re-permissioned
  renameSync(temporary, file);
  const remove = () => {
    if (readConnection(stateDir)?.pid === c.pid) rmSync(file, { force: true });
    process.off("exit", remove);
  };
  process.on("exit", remove);
  return remove;
}
