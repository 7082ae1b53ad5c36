import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { HUB_NAME_SETTING } from "../../local-host/host";
import { freePorts, serve } from "../support/serve";

const root = path.resolve(__dirname, "../..");

describe("a host killed mid-run", () => {
  it("resumes after a restart: the run completes and the job was submitted exactly once", async () => {
    const sample = JSON.parse(readFileSync(path.join(root, "local.settings.sample.json"), "utf8")) as { Values: Record<string, string>; Host: { FunctionKey: string } };
    const storage = inject("azuriteConnectionString");
    const dir = mkdtempSync(path.join(tmpdir(), "retrainer-kill-"));
    // The ML service comes back on the same ports, as `npm run serve` does with the sample's.
    const [services, management] = await freePorts(2);
    const managementUrl = `http://127.0.0.1:${management}`;
    const settingsFile = path.join(dir, "local.settings.json");
    writeFileSync(settingsFile, JSON.stringify({
      ...sample,
      Values: {
        ...sample.Values,
        AzureWebJobsStorage: storage,
        STAGING_STORAGE_CONNECTION_STRING: storage,
        STAGING_CONTAINER: `kill-${Date.now()}`,
        AML_SERVICES_URL: `http://127.0.0.1:${services}`,
        AML_MANAGEMENT_URL: managementUrl,
        AML_WORKSPACE_ID: `kill${Date.now()}`,
        // A hub of its own: a host resumes every unfinished instance of its hub in this shared Azurite.
        [HUB_NAME_SETTING]: `kill${Date.now()}`,
        POLL_FIRST_INTERVAL_SECONDS: "4",
        VERIFY_DELAY_SECONDS: "3",
      },
    }));
    const key = sample.Host.FunctionKey;
    const token = sample.Values.AML_MANAGEMENT_API_KEY!;

    const args = [`--settings=${settingsFile}`, `--state-dir=${dir}`, "--port=0"];
    const first = await serve(args);
    let second: Awaited<ReturnType<typeof serve>> | undefined;
    try {
      const start = await fetch(`${first.url}/api/retrain`, { method: "POST", headers: { "x-functions-key": key }, body: "{}" });
      expect(start.status).toBe(202);
      const status = async (url: string) => (await (await fetch(`${url}/api/retrain/retrain-retrain`, { headers: { "x-functions-key": key } })).json()) as Record<string, unknown>;
      await expect.poll(async () => (await status(first.url)).stage, { timeout: 30_000, interval: 50 }).toBe("training");
      await first.kill();

      second = await serve(args);
      expect(second.output()).toMatch(/resuming retrain-retrain \(retrainOrchestrator\)/);
      const end = second;
      await expect.poll(async () => (await status(end.url)).runtimeStatus, { timeout: 60_000, interval: 200 }).toBe("Completed");
      expect(await status(end.url)).toMatchObject({ result: "promoted" });
      const jobs = (await (await fetch(`${managementUrl}/_admin/jobs`, { headers: { Authorization: `Bearer ${token}` } })).json()) as unknown[];
      expect(jobs).toHaveLength(1);
    } finally {
      await first.killAll();
      await second?.killAll();
    }
  });
});
