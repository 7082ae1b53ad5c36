import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ContainerClient } from "@azure/storage-blob";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import { syntheticCensusCsv } from "../../emulator/training/synthetic-census";
import { LOCAL_STORAGE_TOPIC } from "../../emulator/eventgrid/blob-events";
import type { RunRecord } from "../../shared/history/run-record";
import type { NewDataStatus } from "../../functions/orchestrators/new-data-orchestrator";

/**
 * New data starts runs: blobs written to Azurite through its Event Grid system topic reach the
 * app's Event Grid trigger over the host's webhook, as in Azure, on whichever engine the suite
 * runs. What a user checks: how many runs the uploads made, what each trained on and why it
 * started, and that nothing outside the data location starts anything.
 */
let p: HostedPipeline;
let drop: ContainerClient;
const RUN = "retrain-retrain";
const DEBOUNCE_SECONDS = 400; // 2 s of real time at 200×, on both engines
const submits = async () => ((await p.emulator.admin("GET", "calls")).body as { submit: number }).submit;
const csv = (seed: number) => syntheticCensusCsv(3_000, seed);
let nextWatcher = 1;

beforeAll(async () => {
  p = await startHostedPipeline({
    speed: 200, newData: {},
    settings: {
      RETRAIN_GATE: "AUC>=0.8",
      RETRAIN_DATA_DEBOUNCE_SECONDS: String(DEBOUNCE_SECONDS),
      RETRAIN_ENDPOINT_SETTINGS: JSON.stringify({ retrain: { dataLocation: "blob:incoming-data/drop" } }),
      RETRAIN_DATA_CONTAINERS: "other-data",
    },
  });
  drop = p.uploads!.getContainerClient("incoming-data");
  await drop.createIfNotExists();
  await p.uploads!.getContainerClient("other-data").createIfNotExists();
});
afterAll(() => p?.stop());

const upload = (c: ContainerClient, name: string, text: string) => c.getBlockBlobClient(name).upload(text, Buffer.byteLength(text));

/** The next watcher's end, and the runs it started (each ended). */
async function watcherRuns(): Promise<{ watcher: string; runs: RunRecord[] }> {
  const watcher = `newdata-retrain-${nextWatcher++}`;
  const ended = await p.engine.waitUntilEnded(watcher, 120_000);
  expect(ended.status).toBe("Completed");
  const out = ended.output as { runs: string[]; gaveUp?: string };
  expect(out.gaveUp).toBeUndefined();
  await p.engine.waitUntilEnded(RUN, 120_000);
  const runs: RunRecord[] = [];
  for (const id of out.runs) {
    await expect.poll(async () => (await p.call("GET", `/api/runs/${id}`)).status, { timeout: 60_000 }).toBe(200);
    runs.push((await p.call("GET", `/api/runs/${id}`)).body as RunRecord);
  }
  return { watcher, runs };
}

describe("new data in the endpoint's data location starts a run", () => {
  it("a burst of uploads makes one run, on the last one", async () => {
    const before = await submits();
    const started = Date.now();
    for (let i = 1; i <= 5; i++) await upload(drop, `drop/2026-12-03/part-${i}.csv`, csv(100 + i));
    const uploadSeconds = (Date.now() - started) / 1000;
    const { runs } = await watcherRuns();
    console.log(`burst: 5 uploads in ${uploadSeconds.toFixed(2)} s → ${runs.length} run(s): ${runs.map((r) => `${r.result} on ${r.dataSource} (${r.trigger.arrivals} arrivals)`).join("; ")}`);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: { kind: "data", arrivals: 5 }, dataSource: "blob incoming-data/drop/2026-12-03/part-5.csv" });
    expect(runs[0]!.result).toMatch(/^(promoted|rejected)$/);
    expect((await submits()) - before).toBe(1);
  });

  it("uploads while a run is active make exactly one follow-up run, once it ends", async () => {
    // A run that waits for a person: active for as long as the test needs.
    const started = await p.call("POST", "/api/retrain", { requireApproval: true });
    expect(started.status).toBe(202);
    const runId = (started.body as { runId: string }).runId;
    await expect.poll(async () => ((await p.engine.instance(RUN))?.customStatus as { stage?: string } | null)?.stage, { timeout: 60_000 }).toBe("awaiting-approval");
    for (let i = 1; i <= 3; i++) await upload(drop, `drop/during-${i}.csv`, csv(200 + i));
    const watcher = `newdata-retrain-${nextWatcher}`;
    await expect.poll(async () => ((await p.engine.instance(watcher))?.customStatus as NewDataStatus | null)?.stage, { timeout: 60_000 }).toBe("waiting-for-run");
    expect(((await p.engine.instance(watcher))!.customStatus as NewDataStatus).waiting).toBe(3);
    expect((await p.call("POST", `/api/retrain/${RUN}/reject`, { runId, comment: "not this one" })).status).toBe(202);
    const { runs } = await watcherRuns();
    console.log(`during a run: 3 uploads → ${runs.length} follow-up run(s): ${runs.map((r) => `${r.result} on ${r.dataSource} (${r.trigger.arrivals} arrivals)`).join("; ")}`);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: { kind: "data", arrivals: 3 }, dataSource: "blob incoming-data/drop/during-3.csv" });
  });

  it("a corrupt upload ends data-rejected and submits nothing", async () => {
    const before = await submits();
    const text = csv(300);
    await upload(drop, "drop/cut.csv", text.slice(0, Math.floor(text.length / 3)));
    const { runs } = await watcherRuns();
    console.log(`corrupt upload: ${runs[0]?.result}: ${runs[0]?.reason}`);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ result: "data-rejected", trigger: { kind: "data", arrivals: 1 } });
    expect(runs[0]!.reason).toMatch(/rows have a different number of fields than the header/);
    expect((await submits()) - before).toBe(0);
  });

  it("blobs outside the data location start nothing", async () => {
    const before = (await p.engine.list()).length;
    await upload(drop, "elsewhere/x.csv", csv(400));
    await upload(drop, "dropped.csv", csv(401)); // "drop" is a folder: "dropped.csv" is not in it
    await upload(p.uploads!.getContainerClient("other-data"), "drop/x.csv", csv(402));
    await upload(drop, "drop/empty.csv", ""); // an empty blob: a placeholder, not data
    await expect.poll(() => p.eventGrid!.deliveries.filter((d) => d.status === 202).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(5 + 3 + 1 + 4);
    await p.eventGrid!.settled();
    expect((await p.engine.list()).length).toBe(before);
    expect(p.logs.join("\n")).toMatch(/Ignored blob incoming-data\/dropped\.csv: it is in no endpoint's data location/);
    expect(p.logs.join("\n")).toMatch(/Ignored the empty blob incoming-data\/drop\/empty\.csv/);
  });
});

describe("the Event Grid webhook, as the Functions host serves it", () => {
  const hook = (query: string) => `/runtime/webhooks/eventgrid${query}`;
  const event = (id: string, subject: string) => ({
    id, topic: LOCAL_STORAGE_TOPIC, subject, eventType: "Microsoft.Storage.BlobCreated", eventTime: new Date().toISOString(),
    data: { api: "PutBlob", contentLength: 10, blobType: "BlockBlob" }, dataVersion: "", metadataVersion: "1",
  });

  it("answers the validation handshake, and refuses callers without the key, unknown functions and bad bodies", async () => {
    const fn = "?functionName=retrainOnNewData";
    const validate = { "aeg-event-type": "SubscriptionValidation" };
    const ok = await p.call("POST", hook(fn), [{ id: "v", data: { validationCode: "abc-123" } }], p.eventGridKey, validate);
    expect(ok).toMatchObject({ status: 200, body: { validationResponse: "abc-123" } });
    expect((await p.call("POST", hook(fn), [], null, validate)).status).toBe(401);
    expect((await p.call("POST", hook(fn), [], "test-function-key", validate)).status).toBe(401); // the function key is not the system key
    expect(await p.call("POST", hook("?functionName=nope"), [], p.eventGridKey, validate)).toMatchObject({ status: 404, body: "cannot find function: 'nope'" });
    expect((await p.call("POST", hook(fn), "not json", p.eventGridKey, { "aeg-event-type": "Notification" })).status).toBe(400);
    expect((await p.call("POST", hook(fn), [1, 2], p.eventGridKey, { "aeg-event-type": "Notification" })).status).toBe(400);
    expect((await p.call("POST", hook(fn), [], p.eventGridKey, { "aeg-event-type": "Something" })).status).toBe(400);
    expect((await p.call("POST", hook(fn), [], p.eventGridKey, { "aeg-event-type": "Unsubscribe" })).status).toBe(202);
  });

  it("counts an event delivered twice once, and acknowledges events it cannot use without starting anything", async () => {
    const before = (await p.engine.list()).length;
    const notify = { "aeg-event-type": "Notification" };
    const fn = "?functionName=retrainOnNewData";
    const malformed = [{ id: 7 }, { ...event("x", "/not/a/blob"), eventType: "Microsoft.Storage.BlobDeleted" }, event("y", "/blobServices/default/containers/incoming-data/blobs/drop/../../etc")];
    expect((await p.call("POST", hook(fn), malformed, p.eventGridKey, notify)).status).toBe(202);
    expect((await p.engine.list()).length).toBe(before);
    // The same event twice (Event Grid delivers at least once): one arrival, one run.
    await upload(drop, "drop/twice.csv", csv(500));
    const twice = event("the-same-id", "/blobServices/default/containers/incoming-data/blobs/drop/twice.csv");
    expect((await p.call("POST", hook(fn), [twice], p.eventGridKey, notify)).status).toBe(202);
    expect((await p.call("POST", hook(fn), [twice], p.eventGridKey, notify)).status).toBe(202);
    const { runs } = await watcherRuns();
    expect(runs).toHaveLength(1);
    expect(runs[0]!.trigger).toMatchObject({ kind: "data", arrivals: 2 }); // the upload's own event and the hand-made one
  });
});
