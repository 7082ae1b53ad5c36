import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createHash, randomBytes } from "node:crypto";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { HUB_NAME_SETTING } from "../../local-host/host";
import { AZURITE_ACCOUNT, AZURITE_KEY } from "../../emulator/azurite";
import { syntheticCensusCsv } from "../../emulator/training/synthetic-census";
import { freePorts, serve } from "../support/serve";
import type { RunRecord } from "../../shared/history/run-record";

const root = path.resolve(__dirname, "../..");

describe("npm run serve: new data", () => {
  it("says where blobs make events, and a file written there starts a run of the endpoint whose data location holds it", async () => {
    const sample = JSON.parse(readFileSync(path.join(root, "local.settings.sample.json"), "utf8")) as { Values: Record<string, string>; Host: { FunctionKey: string } };
    const storage = inject("azuriteConnectionString");
    const [services, management] = await freePorts(2);
    const dir = mkdtempSync(path.join(tmpdir(), "retrainer-serve-data-"));
    const container = `serve-drop-${Date.now()}`;
    const settingsFile = path.join(dir, "local.settings.json");
    writeFileSync(settingsFile, JSON.stringify({
      ...sample,
      Values: {
        ...sample.Values,
        AzureWebJobsStorage: storage, STAGING_STORAGE_CONNECTION_STRING: storage, STAGING_CONTAINER: `serve-data-${Date.now()}`,
        [HUB_NAME_SETTING]: `servedata${Date.now()}`,
        AML_SERVICES_URL: `http://127.0.0.1:${services}`, AML_MANAGEMENT_URL: `http://127.0.0.1:${management}`,
        // serve's ML service takes 5 s to serve a new model: the live check waits longer than that
        POLL_FIRST_INTERVAL_SECONDS: "1", VERIFY_DELAY_SECONDS: "6", RETRAIN_DATA_DEBOUNCE_SECONDS: "1",
        RETRAIN_ENDPOINT_SETTINGS: JSON.stringify({ retrain: { dataLocation: `blob:${container}/in` } }),
      },
    }));
    const key = sample.Host.FunctionKey;
    const s = await serve([`--settings=${settingsFile}`, `--state-dir=${dir}`, "--port=0", "--blob-events-port=0"]);
    try {
      const printed = /new data: blobs written through (http:\/\/127\.0\.0\.1:\d+\/\S+) \(Azurite behind its Event Grid topic\)/.exec(s.output());
      expect(printed, s.output()).not.toBeNull();
      const account = new BlobServiceClient(printed![1]!, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
      await account.getContainerClient(container).createIfNotExists();
      const text = syntheticCensusCsv(3_000, 11);
      await account.getContainerClient(container).getBlockBlobClient("in/export.csv").upload(text, Buffer.byteLength(text));
      const runs = async () => ((await (await fetch(`${s.url}/api/runs?endpoint=retrain`, { headers: { "x-functions-key": key } })).json()) as { runs: RunRecord[] }).runs;
      await expect.poll(async () => (await runs()).length, { timeout: 90_000, interval: 250 }).toBe(1);
      const [run] = await runs();
      expect(run).toMatchObject({ trigger: { kind: "data", arrivals: 1 }, dataSource: `blob ${container}/in/export.csv` });
      expect(run!.result, run!.reason).toMatch(/^(promoted|rejected)$/);
    } finally {
      await s.killAll();
    }
  });

  it("a customer's upload through the URL the uploads route hands out starts their run, on that blob (the data location's container made at start)", async () => {
    const sample = JSON.parse(readFileSync(path.join(root, "local.settings.sample.json"), "utf8")) as { Values: Record<string, string>; Host: { FunctionKey: string } };
    const storage = inject("azuriteConnectionString");
    const [services, management] = await freePorts(2);
    const dir = mkdtempSync(path.join(tmpdir(), "retrainer-serve-upload-"));
    const container = `serve-upload-${Date.now()}`;
    const uploadKey = randomBytes(32).toString("hex");
    const settingsFile = path.join(dir, "local.settings.json");
    writeFileSync(settingsFile, JSON.stringify({
      ...sample,
      Values: {
        ...sample.Values,
        AzureWebJobsStorage: storage, STAGING_STORAGE_CONNECTION_STRING: storage, STAGING_CONTAINER: `serve-up-${Date.now()}`, HISTORY_TABLE: `ServeUp${Date.now()}`, // its own run history: the other test's run is "retrain"'s too
        [HUB_NAME_SETTING]: `serveup${Date.now()}`,
        AML_SERVICES_URL: `http://127.0.0.1:${services}`, AML_MANAGEMENT_URL: `http://127.0.0.1:${management}`,
        POLL_FIRST_INTERVAL_SECONDS: "1", VERIFY_DELAY_SECONDS: "6", RETRAIN_DATA_DEBOUNCE_SECONDS: "1",
        RETRAIN_ENDPOINT_SETTINGS: JSON.stringify({ retrain: { dataLocation: `blob:${container}/customer`, uploadKeySha256: createHash("sha256").update(uploadKey).digest("hex") } }),
      },
    }));
    const key = sample.Host.FunctionKey;
    // The container does not exist before serve starts: serve makes it, as Bicep does in Azure.
    const direct = BlobServiceClient.fromConnectionString(storage);
    expect(await direct.getContainerClient(container).exists()).toBe(false);
    const s = await serve([`--settings=${settingsFile}`, `--state-dir=${dir}`, "--port=0", "--blob-events-port=0"]);
    try {
      const grant = await fetch(`${s.url}/api/endpoints/retrain/uploads`, {
        method: "POST", headers: { "x-functions-key": key, "x-retrainer-upload-key": uploadKey, "content-type": "application/json" }, body: JSON.stringify({ name: "2026-12/data.csv" }),
      });
      expect(grant.status, s.output()).toBe(200);
      const g = (await grant.json()) as { url: string; headers: Record<string, string>; blob: string };
      const events = /new data: blobs written through (http:\/\/127\.0\.0\.1:\d+\/\S+) \(Azurite behind its Event Grid topic\)/.exec(s.output())![1]!;
      expect(g.url.startsWith(`${events}/${container}/customer/2026-12/data.csv?`), g.url).toBe(true);
      const text = syntheticCensusCsv(3_000, 12);
      const put = await fetch(g.url, { method: "PUT", headers: { ...g.headers, "content-type": "text/csv" }, body: text });
      expect(put.status, await put.text()).toBe(201);
      const runs = async () => ((await (await fetch(`${s.url}/api/runs?endpoint=retrain`, { headers: { "x-functions-key": key } })).json()) as { runs: RunRecord[] }).runs;
      await expect.poll(async () => (await runs()).length, { timeout: 90_000, interval: 250 }).toBe(1);
      const [run] = await runs();
      expect(run).toMatchObject({ trigger: { kind: "data", arrivals: 1 }, dataSource: `blob ${container}/customer/2026-12/data.csv` });
      expect(run!.result, run!.reason).toMatch(/^(promoted|rejected)$/);
    } finally {
      await s.killAll();
    }
  });
});
