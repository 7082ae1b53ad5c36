import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "vitest";

const main = path.resolve(__dirname, "../../dist/local-host/main.js");

/** `npm run serve`'s program, running as a child process. */
export interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  /** SIGKILL of the host process alone: what it started notices and shuts down. */
  kill(): Promise<void>;
  /** SIGKILL of every process it runs (host and Azurite) at once, as `kill -9` of the process group. */
  killAll(): Promise<void>;
  /** Ctrl+C. */
  stop(): Promise<void>;
}

/** Starts `node dist/local-host/main.js …args` in a process group of its own and waits until it listens. */
export async function serve(args: readonly string[]): Promise<Served> {
  const child = spawn(process.execPath, [main, ...args], { stdio: ["ignore", "pipe", "pipe"], detached: true });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const LISTENING = /Functions host listening on http:\/\/127\.0\.0\.1:\d+/;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening after 60 s:\n${out}`)), 60_000);
    const check = () => {
      if (LISTENING.test(out)) resolve();
      else if (!alive()) reject(new Error(`exited before listening:\n${out}`));
      else return;
      clearTimeout(timer);
      child.stdout.off("data", check);
    };
    child.stdout.on("data", check);
    void exited.then(check);
  });
  const group = child.pid!;
  const groupGone = () => {
    try {
      process.kill(-group, 0);
      return false;
    } catch {
      return true;
    }
  };
  return {
    child,
    url: /Functions host listening on (\S+)/.exec(out)![1]!,
    output: () => out,
    kill: async () => {
      if (alive()) child.kill("SIGKILL");
      await exited;
    },
    killAll: async () => {
      if (!groupGone()) process.kill(-group, "SIGKILL");
      await exited;
      await expect.poll(groupGone, { timeout: 10_000, interval: 20 }).toBe(true);
    },
    stop: async () => {
      if (alive()) child.kill("SIGINT");
      await exited;
      await expect.poll(groupGone, { timeout: 15_000, interval: 50 }).toBe(true);
    },
  };
}

/** Ports free now, for a service that must come back on the same ones after a restart. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const s = createServer();
      s.once("error", reject);
      s.listen(0, "127.0.0.1", () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/**
 * A new state folder in the temp folder that remembers free ports for Azurite and the ML
 * service, as one `npm run serve` or `npm start` used would: both programs then start on those
 * ports (instead of the standard ones another program may hold) and never touch the repo's .local.
 */
export async function tempStateDir(prefix = "retrainer-state-"): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const [azuriteBlob, azuriteQueue, azuriteTable, mlServices, mlManagement] = await freePorts(5);
  writeFileSync(path.join(dir, "ports.json"), JSON.stringify({ azuriteBlob, azuriteQueue, azuriteTable, mlServices, mlManagement }));
  return dir;
}
