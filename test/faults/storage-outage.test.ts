import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import { proxyStorage, type StorageProxy } from "../support/tcp-proxy";
import { AZURITE_KEY } from "../../emulator/azurite";

// The host's clock runs SPEED× real time. Storage is gone for two virtual minutes of polling
// (3 real seconds): longer than the first four retry intervals of RETRY.amlCall (2+4+8+16 s),
// well inside its 10-minute budget.
const SPEED = 40;
const OUTAGE_IN_MS = 2 * 60_000;
// The job keeps running through the outage (and a little after), so the run is mid-training throughout.
const HOLD_RUNNING_IN_MS = OUTAGE_IN_MS / SPEED + 2_000;
const ID = "retrain-retrain";

let storage: StorageProxy;
let p: HostedPipeline;

beforeAll(async () => {
  storage = await proxyStorage(inject("azuriteConnectionString"));
  // Only the host's storage (AzureWebJobsStorage: the Durable state) goes through the proxy. The
  // run storage stays direct: the ML service recognises the account it can mint result tokens
  // for by its URL (emulator/classic/blob-refs.ts resultLocation), so behind a proxy address it hands
  // back the write-only output token and evaluation fails with 403 — a limit of the local
  // service, not of the run. Nothing uses the run storage while the job trains anyway.
  p = await startHostedPipeline({ speed: SPEED, settings: { AzureWebJobsStorage: storage.connectionString } });
});
afterAll(async () => {
  await p?.stop();
  await storage?.close();
});

const status = async () => (await p.call("GET", `/api/retrain/${ID}`)).body as Record<string, unknown>;
const calls = async () => (await p.emulator.admin("GET", "calls")).body as Record<string, number>;

describe("storage (Azurite) unavailable for a while in the middle of a run", () => {
  it("the run waits while storage is gone, then completes by itself: promoted, one job, one PATCH", async () => {
    const began = Date.now();
    await p.emulator.admin("POST", "faults", { holdRunningMs: HOLD_RUNNING_IN_MS });
    expect((await p.call("POST", "/api/retrain", { endpoint: "retrain" })).status).toBe(202);
    await expect.poll(async () => (await status()).stage, { timeout: 30_000, interval: 20 }).toBe("training");

    storage.down();
    const outageStart = { virtual: p.clock.now(), real: Date.now() };
    const checksAtDown = (await calls()).status!;
    await expect.poll(() => p.logs.find((l) => l.startsWith("storage unavailable")), { timeout: 10_000 }).toBeDefined();
    await expect.poll(() => p.clock.now() - outageStart.virtual, { timeout: 30_000, interval: 50 }).toBeGreaterThanOrEqual(OUTAGE_IN_MS);
    // The run waited: still training, and no status check beyond one that may have been under way.
    const checksDuringOutage = (await calls()).status! - checksAtDown;
    expect(checksDuringOutage).toBeLessThanOrEqual(1);
    expect(await status()).toMatchObject({ runtimeStatus: "Running", stage: "training" });
    storage.up();
    const outage = { virtualInMs: p.clock.now() - outageStart.virtual, realInMs: Date.now() - outageStart.real };

    await expect.poll(async () => (await status()).runtimeStatus, { timeout: 45_000, interval: 100 }).toBe("Completed");
    expect(await status()).toMatchObject({ stage: "done", result: "promoted" });
    expect(await calls()).toMatchObject({ submit: 1, patch: 1 });
    expect(storage.refused).toBeGreaterThan(0);
    const back = p.logs.find((l) => l.startsWith("storage is back"));
    expect(back).toMatch(/^storage is back after [\d.]+ s \(\d+ failed attempts retried\); instances resume$/);
    expect(p.logs.filter((l) => l.startsWith("storage unavailable"))).toHaveLength(1);
    expect(p.logs.some((l) => l.startsWith("host error"))).toBe(false);
    expect(p.logs.join("\n")).not.toContain(AZURITE_KEY);

    console.log(
      `storage outage: ${(outage.virtualInMs / 60_000).toFixed(1)} virtual min = ${(outage.realInMs / 1000).toFixed(1)} s real; ` +
      `${storage.refused} connections refused, ${storage.cut} cut; ${p.local!.engine.storageFailures} failed storage calls retried; ` +
      `${checksDuringOutage} status checks during the outage; run took ${((Date.now() - began) / 1000).toFixed(1)} s real. ${back}`,
    );
  });
});
