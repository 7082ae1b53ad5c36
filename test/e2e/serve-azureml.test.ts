import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { HUB_NAME_SETTING } from "../../local-host/host";
import { serve } from "../support/serve";

const root = path.resolve(__dirname, "../..");

describe("npm run serve -- --backend=azureml", () => {
  it("starts the local v2 service beside the host, says where it is, and a run on the v2 endpoint is promoted", async () => {
    const sample = JSON.parse(readFileSync(path.join(root, "local.settings.sample.json"), "utf8")) as { Values: Record<string, string>; Host: { FunctionKey: string } };
    const storage = inject("azuriteConnectionString");
    const dir = mkdtempSync(path.join(tmpdir(), "retrainer-serve-v2-"));
    const settingsFile = path.join(dir, "local.settings.json");
    writeFileSync(settingsFile, JSON.stringify({
      ...sample,
      Values: {
        ...sample.Values,
        AzureWebJobsStorage: storage, STAGING_STORAGE_CONNECTION_STRING: storage, STAGING_CONTAINER: `serve-v2-${Date.now()}`,
        [HUB_NAME_SETTING]: `servev2${Date.now()}`,
        POLL_FIRST_INTERVAL_SECONDS: "1", AZUREML_STEP_WAIT_SECONDS: "1",
      },
    }));
    const key = sample.Host.FunctionKey;
    const s = await serve([`--settings=${settingsFile}`, `--state-dir=${dir}`, "--port=0", "--no-ml-service", "--backend=azureml"]);
    try {
      expect(s.output()).toMatch(/Azure ML \(v2\): endpoint "census-v2" on the local v2 service http:\/\/127\.0\.0\.1:\d+/);
      const start = await fetch(`${s.url}/api/retrain`, { method: "POST", headers: { "x-functions-key": key }, body: JSON.stringify({ endpoint: "census-v2" }) });
      expect(start.status).toBe(202);
      const status = async () => (await (await fetch(`${s.url}/api/retrain/retrain-census-v2`, { headers: { "x-functions-key": key } })).json()) as Record<string, unknown>;
      await expect.poll(async () => (await status()).runtimeStatus, { timeout: 90_000, interval: 200 }).toBe("Completed");
      expect(await status()).toMatchObject({ result: "promoted", decision: { passed: true, comparedWithChampion: true } });
    } finally {
      await s.killAll();
    }
  });
});
