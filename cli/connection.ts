import { readFileSync } from "node:fs";
import path from "node:path";
import { CliError, EXIT } from "./exit-codes";

/**
 * What a running `npm run serve` leaves in `<stateDir>/connection.json` (mode 0600, removed on
 * exit) so the CLI finds it without flags. local-host imports this type; the CLI imports nothing
 * from local-host.
 */
export interface ServeConnection {
  readonly url: string;
  readonly functionKey: string;
  /** The serve process: a file whose process is gone is stale (serve was killed). */
  readonly pid: number;
}

export const CONNECTION_FILE_NAME = "connection.json";
export const DEFAULT_URL = "http://127.0.0.1:7071";
/** serve's default state folder, relative to where it runs. */
export const DEFAULT_STATE_DIR = ".local";

/** Where serve writes its connection file: `RETRAINER_STATE_DIR` (else `.local`) under `cwd`. */
export function connectionFilePath(env: NodeJS.ProcessEnv, cwd: string): string {
  return path.resolve(cwd, env.RETRAINER_STATE_DIR || DEFAULT_STATE_DIR, CONNECTION_FILE_NAME);
}

/** The file's content when it is one (a half-written or foreign file is no connection). */
export function parseServeConnection(text: string): ServeConnection | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== "object" || v === null) return undefined;
  const { url, functionKey, pid } = v as Record<string, unknown>;
  if (typeof url !== "string" || typeof functionKey !== "string" || !Number.isInteger(pid) || (pid as number) <= 0) return undefined;
  return { url, functionKey, pid: pid as number };
}

/** Whether a process with this id exists (EPERM: it does, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface Connection {
  readonly url: string;
  /** Sent as `x-functions-key`. */
  readonly functionKey?: string;
  /** Sent as `Authorization: Bearer` (App Service authentication in Azure). */
  readonly token?: string;
  /** Where the URL came from, for messages. */
  readonly source: "--url" | "RETRAINER_URL" | "connection.json" | "default";
}

export interface ResolveOptions {
  readonly flagUrl?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly readFile?: (file: string) => string;
  readonly isAlive?: (pid: number) => boolean;
}

function checkedUrl(text: string, source: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new CliError(`${source} must be an http(s) URL such as ${DEFAULT_URL}; got "${text.slice(0, 100)}"`, EXIT.usage);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new CliError(`${source} must be an http(s) URL such as ${DEFAULT_URL}; got a ${u.protocol} URL`, EXIT.usage);
  if (u.username || u.password || u.search) throw new CliError(`${source} must not carry a user, password or query: put the key in RETRAINER_KEY`, EXIT.usage);
  return u.href.replace(/\/+$/, "");
}

/**
 * The app to talk to: `--url` > `RETRAINER_URL` > a live serve's connection.json > the local
 * default. The file's key is used only with the file's URL (it is the key of that host, not of
 * one named by a flag); `RETRAINER_KEY` wins over it when set.
 */
export function resolveConnection(o: ResolveOptions): Connection {
  const key = o.env.RETRAINER_KEY || undefined;
  const auth = { ...(key ? { functionKey: key } : {}), ...(o.env.RETRAINER_TOKEN ? { token: o.env.RETRAINER_TOKEN } : {}) };
  if (o.flagUrl !== undefined) return { url: checkedUrl(o.flagUrl, "--url"), ...auth, source: "--url" };
  if (o.env.RETRAINER_URL) return { url: checkedUrl(o.env.RETRAINER_URL, "RETRAINER_URL"), ...auth, source: "RETRAINER_URL" };
  const file = connectionFilePath(o.env, o.cwd);
  let found: ServeConnection | undefined;
  try {
    found = parseServeConnection((o.readFile ?? ((f) => readFileSync(f, "utf8")))(file));
  } catch {
    found = undefined;
  }
  if (found && (o.isAlive ?? processAlive)(found.pid)) {
    try {
      return { url: checkedUrl(found.url, file), functionKey: key ?? found.functionKey, ...(auth.token ? { token: auth.token } : {}), source: "connection.json" };
    } catch {
      // A file that names no usable URL is ignored like a stale one.
    }
  }
  return { url: DEFAULT_URL, ...auth, source: "default" };
}
