import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { HUB_NAME_SETTING } from "../../local-host/host";

const root = path.resolve(__dirname, "../..");
const main = path.join(root, "dist/local-host/main.js");

interface Served {
  child: ChildProcess;
  output: () => string;
  hostUrl: string;
  managementUrl: string;
}

/** `npm run serve`'s program as a child process, on free ports, over the suite's Azurite. */
async function serve(settingsFile: string, stateDir: string): Promise<Served> {
  const child = spawn(process.execPath, [main, `--settings=${settingsFile}`, `--state-dir=${stateDir}`, "--port=0"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  await expect.poll(() => out, { timeout: 30_000 }).toMatch(/Functions host listening on http:\/\/127\.0\.0\.1:\d+/);
  return {
    child,
    output: () => out,
    hostUrl: /Functions host listening on (\S+)/.exec(out)![1]!,
    managementUrl: /management (http:\/\/\S+)/.exec(out)![1]!,
  };
}

describe("a host killed mid-run", () => {
  it("resumes after a restart: the run completes and the job was submitted exactly once", async () => {
    const sample = JSON.parse(readFileSync(path.join(root, "local.settings.sample.json"), "utf8")) as { Values: Record<string, string>; Host: { FunctionKey: string } };
    const storage = inject("azuriteConnectionString");
    const dir = mkdtempSync(path.join(tmpdir(), "retrainer-kill-"));
    const settingsFile = path.join(dir, "local.settings.json");
    writeFileSync(settingsFile, JSON.stringify({
      ...sample,
      Values: {
        ...sample.Values,
        AzureWebJobsStorage: storage,
        STAGING_STORAGE_CONNECTION_STRING: storage,
        STAGING_CONTAINER: `kill-${Date.now()}`,
        AML_WORKSPACE_ID: `kill${Date.now()}`,
        // A hub of its own: a host resumes every unfinished instance of its hub in this shared Azurite.
        [HUB_NAME_SETTING]: `kill${Date.now()}`,
        POLL_FIRST_INTERVAL_SECONDS: "4",
        VERIFY_DELAY_SECONDS: "3",
      },
    }));
    const key = sample.Host.FunctionKey;
    const token = sample.Values.AML_MANAGEMENT_API_KEY!;

    const first = await serve(settingsFile, dir);
    let second: Served | undefined;
    try {
      const start = await fetch(`${first.hostUrl}/api/retrain`, { method: "POST", headers: { "x-functions-key": key }, body: "{}" });
      expect(start.status).toBe(202);
      const status = async (url: string) => (await (await fetch(`${url}/api/retrain/retrain-retrain`, { headers: { "x-functions-key": key } })).json()) as Record<string, unknown>;
      await expect.poll(async () => (await status(first.hostUrl)).stage, { timeout: 30_000, interval: 50 }).toBe("training");
      first.child.kill("SIGKILL");
      await new Promise((r) => first.child.once("exit", r));

      second = await serve(settingsFile, dir);
      expect(second.output()).toMatch(/resuming retrain-retrain \(retrainOrchestrator\)/);
      const end = second;
      await expect.poll(async () => (await status(end.hostUrl)).runtimeStatus, { timeout: 60_000, interval: 200 }).toBe("Completed");
      expect(await status(end.hostUrl)).toMatchObject({ result: "promoted" });
      const jobs = (await (await fetch(`${end.managementUrl}/_admin/jobs`, { headers: { Authorization: `Bearer ${token}` } })).json()) as unknown[];
      expect(jobs).toHaveLength(1);
    } finally {
      first.child.kill("SIGKILL");
      second?.child.kill("SIGTERM");
    }
  });
});
