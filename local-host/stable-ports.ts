import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Azurite's standard ports, the ones `UseDevelopmentStorage=true` stands for. */
export const DEVELOPMENT_STORAGE_PORTS = { blob: 10000, queue: 10001, table: 10002 } as const;

/** `npm run serve`: Azurite's blob service behind its Event Grid topic, next to Azurite's own ports. */
export const BLOB_EVENTS_PORT = 10003;

export interface AzuritePorts {
  readonly blob: number;
  readonly queue: number;
  readonly table: number;
}

/** `--azurite-ports=10000,10001,10002`: blob, queue and table. */
export function parseAzuritePorts(text: string): AzuritePorts {
  const ports = text.split(",").map((p) => p.trim());
  const valid = ports.length === 3 && ports.every((p) => /^\d{1,5}$/.test(p) && Number(p) >= 1 && Number(p) <= 65_535) && new Set(ports).size === 3;
  if (!valid) throw new Error(`--azurite-ports must be three different ports (blob,queue,table) from 1 to 65535, e.g. 10000,10001,10002; got "${text}".`);
  const [blob, queue, table] = ports.map(Number) as [number, number, number];
  return { blob, queue, table };
}

/** The port a loopback service setting names; a stable start needs one written out. */
export function portOf(setting: string, url: string): number {
  const port = new URL(url).port;
  if (!port) throw new Error(`${setting} (${url}) names no port; the local ML service needs one, e.g. http://127.0.0.1:7081.`);
  return Number(port);
}

const FILE = "ports.json";

/**
 * The ports a state folder was used with, by name (azuriteBlob, azuriteQueue, azuriteTable,
 * mlServices, mlManagement); none for a new folder. A start that names no ports uses these:
 * the folder's stored locations carry them.
 */
export function recordedPorts(stateDir: string): Readonly<Record<string, number>> {
  const file = path.join(stateDir, FILE);
  if (!existsSync(file)) return {};
  const v = JSON.parse(readFileSync(file, "utf8")) as unknown;
  if (typeof v !== "object" || v === null) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, number] => Number.isInteger(e[1]) && e[1] > 0 && e[1] <= 65_535));
}

/** Azurite's ports as a state folder recorded them, if it did. */
export function recordedAzuritePorts(recorded: Readonly<Record<string, number>>): AzuritePorts | undefined {
  const { azuriteBlob: blob, azuriteQueue: queue, azuriteTable: table } = recorded;
  return blob && queue && table ? { blob, queue, table } : undefined;
}

/**
 * The ports a state folder was used with. What it stores carries them (model locations, the
 * endpoint's resources, Durable inputs hold blob URLs with Azurite's port), so a start with
 * other ports would find every stored location dead. It is refused instead, with the way out.
 * Returns what records the ports, to call once the start has succeeded (a port found busy must
 * not be pinned).
 */
export function checkStatePorts(stateDir: string, ports: Readonly<Record<string, number>>): () => void {
  const file = path.join(stateDir, FILE);
  const before = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, number>) : {};
  const changed = Object.entries(ports).filter(([name, port]) => before[name] !== undefined && before[name] !== port);
  if (changed.length > 0) {
    const what = changed.map(([name, port]) => `${name} ${before[name]} → ${port}`).join(", ");
    throw new Error(
      `${stateDir} was used with other ports (${what}). Its stored model locations and runs carry the old ones: ` +
      `start with the same ports (see ${FILE} there), or use a new --state-dir.`,
    );
  }
  return () => {
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify({ ...before, ...ports }, null, 2)}\n`);
  };
}
