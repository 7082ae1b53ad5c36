import { randomUUID } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { BlobServiceClient } from "@azure/storage-blob";
import { BlobPendingData, arrive } from "../../shared/storage/pending-data";

/** An endpoint's waiting data in Azurite, written by racing triggers (as Event Grid delivers events in parallel). */
const store = (container: string) => new BlobPendingData(BlobServiceClient.fromConnectionString(inject("azuriteConnectionString")).getContainerClient(container));
const arrival = (n: number) => ({ source: `blob:incoming/part-${n}.csv`, eventId: `event-${n}`, eventTime: new Date().toISOString() });

describe("BlobPendingData", () => {
  it("counts every one of 20 racing arrivals once, from separate clients, and names one watcher for all of them", async () => {
    const container = `pending-${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store(container).update("Retrain", (s) => arrive(s, arrival(i + 1), (n) => `newdata-retrain-${n}`))));
    const s = await store(container).read("retrain");
    expect(s).toMatchObject({ seq: 20, takenSeq: 0, waiting: 20, watcher: "newdata-retrain-1", watchers: 1 });
    expect(new Set(results.map((r) => r.watcher))).toEqual(new Set(["newdata-retrain-1"]));
    expect(results.map((r) => r.waiting).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("counts an event delivered again once, and reads an endpoint with nothing waiting as empty", async () => {
    const s = store(`pending-${randomUUID()}`);
    expect(await s.read("retrain")).toMatchObject({ seq: 0, takenSeq: 0, waiting: 0 });
    await s.update("retrain", (x) => arrive(x, arrival(1), () => "w-1"));
    const again = await s.update("retrain", (x) => arrive(x, arrival(1), () => "w-2"));
    expect(again).toEqual({ duplicate: true, watcher: "w-1", waiting: 1 });
    expect(await s.read("retrain")).toMatchObject({ seq: 1, waiting: 1 });
  });

  it("takes a 1,000-event delivery handled all at once in one process (was: 1 of 50 and 111 of 200 racing writes exhausted their retries; a batch of 200 delivered again counted 400), and the same batch again, counting each event once", async () => {
    const s = store(`pending-${randomUUID()}`);
    const batch = () => Promise.all(Array.from({ length: 1_000 }, (_, i) => s.update("retrain", (x) => arrive(x, arrival(i + 1), (n) => `w-${n}`))));
    const first = await batch();
    expect(first.filter((r) => !r.duplicate)).toHaveLength(1_000);
    const again = await batch();
    expect(again.filter((r) => !r.duplicate)).toHaveLength(0);
    expect(await s.read("retrain")).toMatchObject({ seq: 1_000, waiting: 1_000, watchers: 1 });
  });
});
