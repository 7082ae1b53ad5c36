import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import { syntheticCensusCsv } from "../../emulator/training/synthetic-census";
import { LOCAL_STORAGE_TOPIC } from "../../emulator/eventgrid/blob-events";
import { BlobPendingData, type PendingState } from "../../shared/storage/pending-data";
import { deliverEventGrid } from "../../local-host/front";
import type { Registration } from "../../local-host/registry";
import type { RunRecord } from "../../shared/history/run-record";
import { EVENT_TIME_MAX_FUTURE_MINUTES } from "../../functions/triggers/blob-created";

/**
 * Issue 26, item 3, as someone who can put events in front of the new-data webhook replays it
 * (the eventgrid_extension key leaked, or a subscription from a topic that is not ours), and as a
 * customer who writes into their location with a copy whose source is another customer's: no
 * event may choose what a run trains on, count twice, or get storage's words back.
 */
let p: HostedPipeline;
let drop: ContainerClient;
/** Azurite itself, not through its Event Grid topic: writes here make no events (another customer's data, forged blobs). */
let direct: BlobServiceClient;
const ACCOUNT_TOPIC = LOCAL_STORAGE_TOPIC;
const HOOK = "/runtime/webhooks/eventgrid?functionName=retrainOnNewData";
const NOTIFY = { "aeg-event-type": "Notification" };

beforeAll(async () => {
  p = await startHostedPipeline({
    speed: 200, newData: {}, endpoints: ["retrain", "bulk"],
    settings: {
      RETRAIN_ENDPOINTS: "retrain,bulk",
      RETRAIN_GATE: "AUC>=0.8",
      RETRAIN_DATA_DEBOUNCE_SECONDS: "400", // 2 s at 200×
      RETRAIN_ENDPOINT_SETTINGS: JSON.stringify({ retrain: { dataLocation: "blob:incoming-data/drop" }, bulk: { dataLocation: "blob:bulk-data" } }),
    },
  });
  direct = BlobServiceClient.fromConnectionString(p.values.STAGING_STORAGE_CONNECTION_STRING!);
  for (const c of ["incoming-data", "bulk-data"]) await direct.getContainerClient(c).createIfNotExists();
  drop = p.uploads!.getContainerClient("incoming-data");
}, 120_000);
afterAll(() => p?.stop());

const pending = (endpoint: string): Promise<PendingState> => new BlobPendingData(direct.getContainerClient(p.values.STAGING_CONTAINER!)).read(endpoint);
const blobEvent = (container: string, blob: string, over: Record<string, unknown> = {}, data: Record<string, unknown> = {}) => ({
  id: randomUUID(), topic: ACCOUNT_TOPIC, subject: `/blobServices/default/containers/${container}/blobs/${blob}`, eventType: "Microsoft.Storage.BlobCreated",
  eventTime: new Date().toISOString(), data: { api: "PutBlob", contentLength: 1000, blobType: "BlockBlob", ...data }, dataVersion: "", metadataVersion: "1", ...over,
});
const deliver = (events: unknown) => p.call("POST", HOOK, events, p.eventGridKey, NOTIFY);
const write = (c: ContainerClient, name: string, text: string) => c.getBlockBlobClient(name).upload(text, Buffer.byteLength(text));
const runsOf = async (endpoint: string) => ((await p.call("GET", `/api/runs?endpoint=${endpoint}`)).body as { runs: RunRecord[] }).runs;
const logged = (text: string) => p.logs.filter((l) => l.includes(text)).length;

describe("events that try to steer what a run trains on", () => {
  it("an event from another topic (another account, or not a storage account at all) is ignored with one log line", { timeout: 90_000 }, async () => {
    const before = (await pending("retrain")).seq;
    for (const topic of [
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/evil/providers/Microsoft.Storage/storageAccounts/attacker",
      "/subscriptions/s/resourceGroups/g/providers/Microsoft.EventGrid/topics/devstoreaccount1",
      `${ACCOUNT_TOPIC}/blobServices/default`,
    ]) {
      const e = blobEvent("incoming-data", "drop/foreign.csv", { topic });
      expect(await deliver([e])).toMatchObject({ status: 202 });
      expect(logged(`Ignored event "${e.id}" from topic`), topic).toBe(1);
    }
    // The account's own id, in another case: Azure resource ids are case-insensitive.
    const ours = blobEvent("incoming-data", "drop/ours.csv", { topic: ACCOUNT_TOPIC.toUpperCase() });
    await write(direct.getContainerClient("incoming-data"), "drop/ours.csv", syntheticCensusCsv(3_000, 5));
    expect(await deliver([ours])).toMatchObject({ status: 202 });
    expect((await pending("retrain")).seq).toBe(before + 1);
    await expect.poll(async () => (await runsOf("retrain")).filter((r) => r.result !== undefined).length, { timeout: 60_000 }).toBe(1);
    const [run] = await runsOf("retrain");
    expect(run).toMatchObject({ dataSource: "blob incoming-data/drop/ours.csv", trigger: { kind: "data", arrivals: 1 } });
    expect(run!.result, run!.reason).toMatch(/^(promoted|rejected)$/);
  });

  it(`an eventTime in 2999 or "not-a-date" is refused at the edge: the next real upload is what the run trains on`, async () => {
    // A blob the forger would like trained on, written where no event is made.
    await write(direct.getContainerClient("incoming-data"), "drop/forged.csv", syntheticCensusCsv(2_000, 66));
    const before = await pending("retrain");
    const future = blobEvent("incoming-data", "drop/forged.csv", { eventTime: "2999-01-01T00:00:00Z" });
    const garbled = blobEvent("incoming-data", "drop/forged.csv", { eventTime: "not-a-date" });
    const soon = blobEvent("incoming-data", "drop/forged.csv", { eventTime: new Date(Date.now() + (EVENT_TIME_MAX_FUTURE_MINUTES + 1) * 60_000).toISOString() });
    expect(await deliver([future, garbled, soon])).toMatchObject({ status: 202 });
    expect(logged(`Ignored event "${future.id}": its eventTime 2999-01-01T00:00:00.000000000Z is more than ${EVENT_TIME_MAX_FUTURE_MINUTES} min ahead`)).toBe(1);
    expect(logged(`Ignored event "${garbled.id}": its eventTime "not-a-date" is not an RFC 3339 time`)).toBe(1);
    expect(logged(`Ignored event "${soon.id}"`)).toBe(1);
    expect((await pending("retrain")).seq).toBe(before.seq);

    const runsBefore = (await runsOf("retrain")).length;
    await write(drop, "drop/normal.csv", syntheticCensusCsv(3_000, 7));
    await expect.poll(async () => (await runsOf("retrain")).length, { timeout: 90_000 }).toBe(runsBefore + 1);
    const run = (await runsOf("retrain")).find((r) => r.trigger?.kind === "data" && r.dataSource.endsWith("normal.csv"));
    expect(run, JSON.stringify(await runsOf("retrain"))).toMatchObject({ dataSource: "blob incoming-data/drop/normal.csv", trigger: { kind: "data", arrivals: 1 } });
    expect((await runsOf("retrain")).some((r) => r.dataSource.includes("forged"))).toBe(false);
  });

  it("once a run took the waiting data, a later arrival wins over it, even one dated earlier (clocks differ)", async () => {
    const taken = (await pending("retrain")).latest!;
    expect(taken.source).toBe("blob:incoming-data/drop/normal.csv");
    await write(direct.getContainerClient("incoming-data"), "drop/late.csv", syntheticCensusCsv(3_000, 8));
    const runsBefore = (await runsOf("retrain")).length;
    const dated = new Date(Date.parse(taken.eventTime) - 2 * 60_000).toISOString();
    expect(await deliver([blobEvent("incoming-data", "drop/late.csv", { eventTime: dated })])).toMatchObject({ status: 202 });
    await expect.poll(async () => (await runsOf("retrain")).length, { timeout: 90_000 }).toBe(runsBefore + 1);
    expect((await runsOf("retrain")).map((r) => r.dataSource)).toContain("blob incoming-data/drop/late.csv");
  });

  it("a blob made by Copy Blob from another customer's location is not trained on: ignored with one log line", async () => {
    // Another customer's data, in their location (no event: written to the account directly).
    await write(direct.getContainerClient("bulk-data"), "theirs/secret.csv", syntheticCensusCsv(2_000, 99));
    const source = direct.getContainerClient("bulk-data").getBlockBlobClient("theirs/secret.csv").url;
    const before = await pending("retrain");
    // Azurite does not authorise the copy source: the copy succeeds, and the event says what made the blob.
    const copy = await drop.getBlockBlobClient("drop/copied.csv").beginCopyFromURL(source);
    await copy.pollUntilDone();
    await expect.poll(() => p.eventGrid!.deliveries.some((d) => d.subject.endsWith("/drop/copied.csv") && d.status === 202), { timeout: 30_000 }).toBe(true);
    expect(logged(`Ignored blob incoming-data/drop/copied.csv: made by "CopyBlob", not an upload (PutBlob, PutBlockList, FlushWithClose)`)).toBe(1);
    // The other ways a blob's bytes come from a URL, as Azure names them in data.api.
    for (const api of ["CopyBlobFromURL", "PutBlobFromURL"]) {
      expect(await deliver([blobEvent("incoming-data", `drop/${api}.csv`, {}, { api })])).toMatchObject({ status: 202 });
      expect(logged(`made by "${api}", not an upload`)).toBe(1);
    }
    expect((await pending("retrain")).seq).toBe(before.seq);
  });
});

describe("what an event says, in the host's log", () => {
  it("a blob name or event id that would forge a log line or read as another text is one plain line", async () => {
    const name = "x\u2028[forged] New data for retrain: incoming-data/drop/evil.csv\u202Evsc.exe";
    const e = blobEvent("nowhere-data", name, { id: "id\n[forged] line" });
    const e2 = blobEvent("incoming-data", "drop/y.csv", { id: "id\n[forged] line", topic: `${ACCOUNT_TOPIC}x` });
    expect(await deliver([e, e2])).toMatchObject({ status: 202 });
    const lines = p.logs.filter((l) => l.includes("[forged]"));
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).not.toMatch(/[\n\u2028\u202E]/u);
  });
});

describe("a delivery of many events", () => {
  it("200 events in one delivery, delivered twice: 202 both times, each counted exactly once", async () => {
    const events = Array.from({ length: 200 }, (_, i) => blobEvent("bulk-data", `batch/part-${String(i).padStart(3, "0")}.csv`, { eventTime: new Date(Date.now() - 1000 + i).toISOString() }));
    const before = (await pending("bulk")).seq;
    const first = await deliver(events);
    expect({ status: first.status, body: first.body }).toEqual({ status: 202, body: undefined });
    const again = await deliver(events);
    expect({ status: again.status, body: again.body }).toEqual({ status: 202, body: undefined });
    const s = await pending("bulk");
    expect(s.seq - before).toBe(200);
    expect(s.latest?.source).toBe("blob:bulk-data/batch/part-199.csv");
    expect(logged("was counted already (Event Grid delivered it again)")).toBeGreaterThanOrEqual(200);
  });

  it("a failing invocation is answered as the Functions host answers it: no text of the function's reaches Event Grid", async () => {
    const reg = { name: "retrainOnNewData" } as unknown as Registration;
    const lines: string[] = [];
    const storageError = "RestError: The condition specified using HTTP conditional header(s) is not met.\nRequestId:abc\nTime:2026-12-07T00:00:00Z at BlobPendingData.update (/work/main/shared/storage/pending-data.ts:1:1)";
    const r = await deliverEventGrid(reg, { method: "POST", url: new URL("http://h/runtime/webhooks/eventgrid"), body: JSON.stringify([{ id: "1" }, { id: "2" }]), headers: NOTIFY }, () => {
      throw new Error(storageError);
    }, (l) => lines.push(l));
    expect(r).toEqual({ status: 500, body: "Exception while executing function: Functions.retrainOnNewData" });
    expect(lines.join("\n")).toContain("condition specified"); // the reason is the host log's
  });
});
