import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "../local-host/host";

/** The built .NET host (`npm run build:engine`). */
export const ENGINE_DLL = path.join(projectRoot(), "engine-host", "bin", "EngineHost.dll");

/** Why dotnet cannot run the engine host here, or undefined when it can. */
export function dotnetMissing(): string | undefined {
  const dotnet = spawnSync("dotnet", ["--list-runtimes"], { encoding: "utf8" });
  if (dotnet.error || dotnet.status !== 0) return "the .NET SDK (dotnet) is not installed: the real Durable Task extension runs on .NET";
  if (!/Microsoft\.NETCore\.App (\d+)/.test(dotnet.stdout)) return "dotnet has no .NET runtime to run the engine host";
  return undefined;
}

/** Why the real-engine suites cannot run here, or undefined when they can. */
export function engineUnavailable(): string | undefined {
  const missing = dotnetMissing();
  if (missing) return missing;
  if (!existsSync(ENGINE_DLL)) return `the engine host is not built (${path.relative(process.cwd(), ENGINE_DLL)}): run npm run build:engine`;
  return undefined;
}

export interface DotnetHostOptions {
  readonly env: Readonly<Record<string, string>>;
  readonly log: (line: string) => void;
  readonly startTimeoutInMs?: number;
}

export interface ReadyLine {
  readonly webhookListenerUrl: string;
  /** The JSON text a `[DurableClient] string` parameter receives. */
  readonly client: string;
}

export interface DotnetHost {
  readonly child: ChildProcess;
  readonly ready: ReadyLine;
  /** Ends the process as a crash would (SIGKILL), and waits until it has. */
  kill(): Promise<void>;
  /** Ends it gracefully: the extension stops its listeners and releases its partition leases. */
  stop(): Promise<void>;
}

const READY = /^ENGINE-READY (.+)$/;
/** The extension's structured event lines (its Linux telemetry format), one JSON record each: not for people. */
const STRUCTURED_EVENTS = "MS_DURABLE_FUNCTION_EVENTS_LOGS";

/** Starts the .NET host and resolves with its ENGINE-READY line. */
/**
 * The extension's local RPC listener takes 127.0.0.1:17071 when it looks free, else a random port;
 * two hosts starting at the same moment can both see it free, and the loser dies with "address
 * already in use" (one host per machine in Azure, several at once in the test suite). Such a
 * start is tried again, a few times.
 */
const RPC_PORT_RACE = /Failed to bind to address http:\/\/127\.0\.0\.1:17071|Address already in use/;
const START_ATTEMPTS = 3;

export async function startDotnetHost(o: DotnetHostOptions): Promise<DotnetHost> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(o);
    } catch (e) {
      if (attempt >= START_ATTEMPTS || !RPC_PORT_RACE.test((e as Error).message)) throw e;
      o.log(`[engine] lost the race for the RPC port with another host starting; starting again (attempt ${attempt + 1} of ${START_ATTEMPTS})`);
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 800));
    }
  }
}

async function startOnce(o: DotnetHostOptions): Promise<DotnetHost> {
  const child = spawn("dotnet", [ENGINE_DLL], {
    env: { ...process.env, ...o.env, ENGINE_PARENT_PID: String(process.pid), DOTNET_NOLOGO: "1", DOTNET_CLI_TELEMETRY_OPTOUT: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let buffered = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ready = await new Promise<ReadyLine>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The engine host did not start within ${o.startTimeoutInMs ?? 60_000} ms:\n${buffered}`)), o.startTimeoutInMs ?? 60_000);
    let partial = "";
    const onData = (chunk: Buffer) => {
      partial += chunk.toString();
      const lines = partial.split("\n");
      partial = lines.pop()!;
      for (const line of lines) {
        const m = READY.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(JSON.parse(m[1]!) as ReadyLine);
        } else if (line.trim() && !line.startsWith(STRUCTURED_EVENTS)) {
          if (buffered.length < 64 * 1024) buffered += `${line}\n`;
          o.log(`[engine] ${line}`);
        }
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`The engine host exited (${code ?? signal}) before it was ready:\n${buffered}`));
    });
  }).catch((e: unknown) => {
    child.kill("SIGKILL");
    throw e;
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited;
  };
  return { child, ready, kill: () => end("SIGKILL"), stop: () => end("SIGTERM") };
}
