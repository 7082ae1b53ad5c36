import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import path from "node:path";
import { AUTOSAVE_ONLY } from "./durable-commits";

/** Azurite's published development account; its key is public and only works against Azurite. */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface AzuriteOptions {
  /** Folder for persisted data; in memory when omitted. */
  readonly location?: string;
  /** 0 picks a free port. */
  readonly blobPort?: number;
  readonly queuePort?: number;
  readonly tablePort?: number;
  readonly startTimeoutInMs?: number;
  /**
   * With a location: every write is on disk before it is answered (default true). false leaves
   * Azurite's own 5-second autosave, which loses acknowledged writes on SIGKILL: only the
   * benchmark's baseline uses it.
   */
  readonly durableCommits?: boolean;
}

export interface RunningAzurite {
  readonly connectionString: string;
  readonly blobEndpoint: string;
  readonly queueEndpoint: string;
  readonly tableEndpoint: string;
  /** Azurite's process, for tests that kill it. */
  readonly pid: number;
  stop(): Promise<void>;
}

/** The compiled child entry point (azurite-child.ts); from the sources (tests), the built one. */
function childEntry(): string {
  const found = [path.join(__dirname, "azurite-child.js"), path.join(__dirname, "..", "dist", "emulator", "azurite-child.js")].find((f) => existsSync(f));
  if (!found) throw new Error("dist/emulator/azurite-child.js is missing: run `npm run build` first.");
  return found;
}

const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at (http:\/\/\S+)/;

/**
 * Starts Azurite from node_modules as a child process (its package cannot be required as a
 * library) and resolves once all three services print their listening address.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const bin = path.join(path.dirname(require.resolve("azurite/package.json")), "dist", "src", "azurite.js");
  const args = [
    bin,
    "--skipApiVersionCheck",
    "--disableTelemetry",
    "--silent", // no access log: one line per request, which nobody reads here
    "--blobHost", "127.0.0.1", "--blobPort", String(options.blobPort ?? 0),
    "--queueHost", "127.0.0.1", "--queuePort", String(options.queuePort ?? 0),
    "--tableHost", "127.0.0.1", "--tablePort", String(options.tablePort ?? 0),
    ...(options.location ? ["--location", options.location] : ["--inMemoryPersistence"]),
  ];
  // Azurite runs behind a watchdog on an IPC channel, and with durable commits when it persists
  // (azurite-child.ts).
  const env = { ...process.env, [AUTOSAVE_ONLY]: options.durableCommits === false ? "1" : "" };
  const child = spawn(process.execPath, [childEntry(), ...args], { stdio: ["ignore", "pipe", "pipe", "ipc"], env });
  child.channel?.unref();
  const endpoints: Partial<Record<"Blob" | "Queue" | "Table", string>> = {};
  let output = "";
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of output.split("\n")) {
        const m = LISTENING.exec(line);
        if (m) endpoints[m[1] as "Blob"] = m[2]!;
      }
      if (endpoints.Blob && endpoints.Queue && endpoints.Table) resolve();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      const busy = /EADDRINUSE\D*(\d+)/.exec(output);
      reject(new Error(busy
        ? `Azurite could not listen on port ${busy[1]}: it is in use (another Azurite or \`npm run serve\`?). Stop what holds it or choose other ports.`
        : `Azurite exited with code ${code} before it was ready:\n${output}`));
    });
  });
  const timeoutInMs = options.startTimeoutInMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Azurite did not start within ${timeoutInMs} ms:\n${output}`)), timeoutInMs);
  });
  try {
    await Promise.race([ready, timeout]);
    // From here on its output is only drained, not kept: scanning a growing log is quadratic.
    child.stdout!.removeAllListeners("data").resume();
    child.stderr!.removeAllListeners("data").resume();
  } catch (e) {
    child.kill("SIGKILL");
    throw e;
  } finally {
    clearTimeout(timer);
  }
  const blob = `${endpoints.Blob!}/${AZURITE_ACCOUNT}`;
  const queue = `${endpoints.Queue!}/${AZURITE_ACCOUNT}`;
  const table = `${endpoints.Table!}/${AZURITE_ACCOUNT}`;
  return {
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
      `BlobEndpoint=${blob};QueueEndpoint=${queue};TableEndpoint=${table};`,
    blobEndpoint: blob,
    queueEndpoint: queue,
    tableEndpoint: table,
    pid: child.pid!,
    stop: () => stopChild(child),
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}
