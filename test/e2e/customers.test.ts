import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { BlockBlobClient, ContainerClient } from "@azure/storage-blob";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import { syntheticCensusCsv } from "../../emulator/training/synthetic-census";
import type { RunRecord } from "../../shared/history/run-record";

/**
 * Customers retrain their own endpoint: each has an upload key that gets a SAS for one blob in
 * their own data location, and their upload starts their endpoint's run, on whichever engine the
 * suite runs. What must not happen: customer A's key or SAS starting, reading or touching
 * anything of customer B's.
 */
const KEY_A = randomBytes(32).toString("hex");
const KEY_B = randomBytes(32).toString("hex");
const sha256 = (k: string) => createHash("sha256").update(k).digest("hex");
let p: HostedPipeline;

interface Grant { readonly url: string; readonly container: string; readonly blob: string; readonly expiresOn: string; readonly permissions: string[] }

beforeAll(async () => {
  p = await startHostedPipeline({
    speed: 200, newData: {}, endpoints: ["customer-a", "customer-b"],
    settings: {
      RETRAIN_ENDPOINTS: "customer-a,customer-b",
      RETRAIN_GATE: "AUC>=0.8",
      RETRAIN_DATA_DEBOUNCE_SECONDS: "400", // 2 s at 200×
      RETRAIN_ENDPOINT_SETTINGS: JSON.stringify({
        "customer-a": { dataLocation: "blob:customer-a-data", uploadKeySha256: sha256(KEY_A) },
        // B shares no container with A here; a shared one with separate folders is just as closed (the SAS names one blob).
        "customer-b": { dataLocation: "blob:customer-b-data/incoming", uploadKeySha256: sha256(KEY_B) },
      }),
    },
  });
  for (const c of ["customer-a-data", "customer-b-data"]) await p.uploads!.getContainerClient(c).createIfNotExists();
});
afterAll(() => p?.stop());

const grant = (endpoint: string, key: string | undefined, body: unknown) =>
  p.call("POST", `/api/endpoints/${endpoint}/uploads`, body, undefined, key === undefined ? {} : { "X-Retrainer-Upload-Key": key });
/** The SAS as a customer uses it, through the local storage account's front that publishes its blob events (as the account itself does in Azure). */
const viaAccount = (url: string) => {
  const u = new URL(url);
  const front = new URL(p.uploads!.url);
  return `${front.origin}${u.pathname}${u.search}`;
};
const runsOf = async (endpoint: string) => ((await p.call("GET", `/api/runs?endpoint=${endpoint}`)).body as { runs: RunRecord[] }).runs;

describe("customers retrain their own endpoint", () => {
  it("A's key gets a create/write SAS for one blob in A's location; A's upload starts A's run and nothing of B's", async () => {
    const r = await grant("customer-a", KEY_A, { name: "2026-12/a.csv" });
    expect(r.status).toBe(200);
    const g = r.body as Grant;
    expect(g).toMatchObject({ container: "customer-a-data", blob: "2026-12/a.csv", permissions: ["create", "write"] });
    const sas = new URL(g.url).searchParams;
    expect(sas.get("sp")).toBe("cw");
    expect(sas.get("sr")).toBe("b");
    expect(Date.parse(g.expiresOn) - Date.now()).toBeLessThanOrEqual(60 * 60_000);
    expect(p.logs.join("\n")).not.toContain(sas.get("sig")!);

    const text = syntheticCensusCsv(3_000, 7);
    expect((await new BlockBlobClient(viaAccount(g.url)).upload(text, Buffer.byteLength(text))).errorCode).toBeUndefined();
    const ended = await p.engine.waitUntilEnded("newdata-customer-a-1", 120_000);
    expect(ended.status).toBe("Completed");
    await p.engine.waitUntilEnded("retrain-customer-a", 120_000);
    const a = await runsOf("customer-a");
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ endpoint: "customer-a", trigger: { kind: "data", arrivals: 1 }, dataSource: "blob customer-a-data/2026-12/a.csv" });
    expect(a[0]!.result).toMatch(/^(promoted|rejected)$/);
    expect(await runsOf("customer-b")).toEqual([]);
    expect(await p.engine.instance("retrain-customer-b")).toBeUndefined();
    console.log(`customer A: SAS sp=${sas.get("sp")} sr=${sas.get("sr")} for ${g.container}/${g.blob}; upload → run ${a[0]!.runId} ${a[0]!.result}; customer B: ${(await runsOf("customer-b")).length} runs`);
  });

  it("A's key opens nothing of B's, and says no more about B than about an endpoint that does not exist", async () => {
    const toB = await grant("customer-b", KEY_A, { name: "x.csv" });
    const toNone = await grant("customer-z", KEY_A, { name: "x.csv" });
    expect(toB.status).toBe(403);
    expect(toNone).toMatchObject({ status: 403, body: toB.body });
    expect((await grant("customer-b", undefined, { name: "x.csv" })).status).toBe(401);
    expect((await grant("customer-b", "", { name: "x.csv" })).status).toBe(401);
    expect((await grant("customer-b", KEY_B.replace(/.$/, (c) => (c === "0" ? "1" : "0")), { name: "x.csv" })).status).toBe(403);
    // the function key alone is not an upload key
    expect((await grant("customer-a", undefined, { name: "x.csv" })).status).toBe(401);
    expect(JSON.stringify(toB.body)).not.toContain(KEY_A);
  });

  it("A's SAS cannot write into B's location, read A's own blob, list or delete; nothing of B's changes", async () => {
    const g = (await grant("customer-a", KEY_A, { name: "probe.csv" })).body as Grant;
    const token = new URL(g.url).search;
    const front = p.uploads!.url.replace(/\/$/, ""); // the account's own URL (Azurite's has the account in its path)
    const intoB = new BlockBlobClient(`${front}/customer-b-data/incoming/from-a.csv${token}`);
    await expect(intoB.upload("a,b\n1,2\n", 8)).rejects.toMatchObject({ statusCode: 403 });
    const own = new BlockBlobClient(viaAccount(g.url));
    await own.upload("a,b\n1,2\n", 8);
    await expect(own.download()).rejects.toMatchObject({ statusCode: 403 });
    await expect(own.delete()).rejects.toMatchObject({ statusCode: 403 });
    const listing = new ContainerClient(`${front}/customer-a-data${token}`).listBlobsFlat().next();
    await expect(listing).rejects.toMatchObject({ statusCode: 403 });
    expect(await p.uploads!.getContainerClient("customer-b-data").getBlockBlobClient("incoming/from-a.csv").exists()).toBe(false);
    expect(await p.engine.instance("newdata-customer-b-1")).toBeUndefined();
    expect(await runsOf("customer-b")).toEqual([]);
  });

  it.each([
    [{ name: "../customer-b-data/incoming/x.csv" }, /without empty, "\." or "\.\." segments/],
    [{ name: "/abs.csv" }, /without empty/],
    [{ name: "a\\b.csv" }, /backslash/],
    [{ name: "x".repeat(201) }, /1 to 200 characters/],
    [{}, /"name" is required/],
    [{ name: "x.csv", container: "customer-b-data" }, /container/],
  ])("a name that could leave the location is refused, naming why: %j", async (body, message) => {
    const r = await grant("customer-a", KEY_A, body);
    expect(r.status).toBe(400);
    expect((r.body as { error: string }).error).toMatch(message);
  });
});
