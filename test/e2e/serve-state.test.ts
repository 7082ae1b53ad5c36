import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { withoutColourSettings } from "../support/colour";
import { serve, tempStateDir } from "../support/serve";
import type { RunRecord } from "../../shared/history/run-record";

const dist = path.resolve(__dirname, "../../dist");
const KEY = (JSON.parse(readFileSync(path.resolve(__dirname, "../../local.settings.sample.json"), "utf8")) as { Host: { FunctionKey: string } }).Host.FunctionKey;

/** A built program's exit code, its output (stdout and stderr as a terminal shows them) and its stdout alone. */
function run(file: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(dist, file), ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...withoutColourSettings(process.env), ...env } });
    let out = "";
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.once("exit", (code) => resolve({ code, out, stdout }));
  });
}

describe("npm start keeps its run for npm run serve", () => {
  it("the demo's run, in a state folder, is listed by a serve started there afterwards; serve's connection file lives while it listens; a second program on the folder is refused", async () => {
    const stateDir = await tempStateDir("retrainer-start-serve-");
    const demo = await run("local-host/demo.js", ["--rows=3000", `--state-dir=${stateDir}`]);
    expect(demo.code, demo.out).toBe(0);
    const runId = /\n\s+history\s+run (\S+) recorded\n/.exec(demo.out)?.[1];
    expect(runId, demo.out).toBeDefined();
    // The summary points at what outlives the demo, not at its host, which is gone.
    const after = demo.out.slice(demo.out.indexOf("Look at it again"));
    expect(after).toContain(`npm run serve -- --state-dir=${stateDir}`);
    expect(after).toContain(`npx retrainer runs show ${runId}`);
    expect(after).toMatch(/sign in with the function key serve prints\):\n\s+http:\/\/127\.0\.0\.1:7071\/api\/console\n/);
    expect(demo.out).not.toMatch(/GET \/api\/runs\//);
    expect(existsSync(path.join(stateDir, "lock"))).toBe(false);

    const s = await serve([`--state-dir=${stateDir}`, "--port=0"]);
    try {
      const runs = (await (await fetch(`${s.url}/api/runs`, { headers: { "x-functions-key": KEY } })).json()) as { runs: RunRecord[] };
      expect(runs.runs.map((r) => r.runId)).toEqual([runId]);
      expect(runs.runs[0]).toMatchObject({ endpoint: "retrain", result: "promoted" });

      // For the CLI: where serve listens, its key and pid, readable by this user alone.
      const file = path.join(stateDir, "connection.json");
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ url: s.url, functionKey: KEY, pid: s.child.pid });
      const cli = await run("cli/main.js", ["runs", "list", "-o", "json"], { RETRAINER_STATE_DIR: stateDir, RETRAINER_URL: "", RETRAINER_KEY: "" });
      expect(cli.code, cli.out).toBe(0);
      expect((JSON.parse(cli.stdout) as { runId: string }[]).map((r) => r.runId)).toEqual([runId]);

      // Two Azurites on one folder would corrupt it: neither program starts a second.
      const second = await run("local-host/demo.js", ["--rows=3000", `--state-dir=${stateDir}`]);
      expect(second.out).toContain(`npm start: ${stateDir} is in use by npm run serve (pid ${s.child.pid}) on ${s.url}`);
      expect(second.out).toContain("npx retrainer runs start retrain --follow");
      expect(second.out).not.toMatch(/starting Azurite|ready: Functions host/);
      expect(second.code).toBe(1);
      const another = await run("local-host/main.js", [`--state-dir=${stateDir}`, "--port=0"]);
      expect(another.out).toContain(`npm run serve: ${stateDir} is in use by npm run serve (pid ${s.child.pid})`);
      expect(another.out).not.toMatch(/Settings from|Functions host listening/);
      expect(another.code).toBe(1);
    } finally {
      await s.stop();
    }
    expect(existsSync(path.join(stateDir, "connection.json"))).toBe(false);
    expect(existsSync(path.join(stateDir, "lock"))).toBe(false);
  }, 180_000);
});
