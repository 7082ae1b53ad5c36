import { describe, expect, it } from "vitest";
import { EVENT_TIME_MAX_FUTURE_MINUTES, parseEventTime, readBlobCreated } from "../../../functions/triggers/blob-created";

/** The watched account and the host\'s clock, an hour after the sample event. */
const at = { account: "acct", nowInMs: Date.parse("2026-12-03T10:00:00Z") };

/** A BlobCreated event as Azure Storage publishes it (learn.microsoft.com/azure/event-grid/event-schema-blob-storage). */
const event = (over: Record<string, unknown> = {}, data: Record<string, unknown> = {}) => ({
  topic: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/acct",
  subject: "/blobServices/default/containers/incoming/blobs/drop/2026 12 03.csv",
  eventType: "Microsoft.Storage.BlobCreated", id: "831e1650-001e-001b-66ab-eeb76e069631", eventTime: "2026-12-03T09:00:00.1234567Z",
  data: { api: "PutBlockList", clientRequestId: "c", requestId: "r", eTag: "0x8D4BCC2E4835CD0", contentType: "text/csv", contentLength: 524288, blobType: "BlockBlob", url: "https://acct.blob.core.windows.net/incoming/drop/2026%2012%2003.csv", sequencer: "00000000000004420000000000028963", storageDiagnostics: { batchId: "b" }, ...data },
  dataVersion: "", metadataVersion: "1", ...over,
});

describe("readBlobCreated", () => {
  it("reads the container and the blob's name from the subject, as Azure writes it", () => {
    expect(readBlobCreated(event(), at)).toEqual({ blob: { eventId: "831e1650-001e-001b-66ab-eeb76e069631", eventTime: "2026-12-03T09:00:00.123456700Z", container: "incoming", blob: "drop/2026 12 03.csv", bytes: 524288 } });
  });

  it.each([
    [event({ eventType: "Microsoft.Storage.BlobDeleted" }), "an event of type Microsoft.Storage.BlobDeleted"],
    [event({}, { contentLength: 0 }), "the empty blob incoming/drop/2026 12 03.csv"],
    [event({}, { blobType: "AppendBlob" }), "a AppendBlob (training data is a block blob)"],
    [event({ subject: "/blobServices/default/containers/incoming/blobs/../x" }), "not a blob's"],
    [event({ subject: "/blobServices/default/containers/Bad_Container/blobs/x" }), "not a blob's"],
    [event({ id: 42 }), "a malformed event (id:"],
    [event({}, { contentLength: -1 }), "a malformed event (data.contentLength:"],
    ["not an object", "a malformed event"],
    [null, "a malformed event"],
    [event({ topic: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/other" }), "not the storage account this app watches (acct)"],
    [event({ topic: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/acct/x" }), "not the storage account"],
    [event({ topic: undefined }), "not the storage account"],
    [event({ eventTime: "not-a-date" }), 'its eventTime "not-a-date" is not an RFC 3339 time'],
    [event({ eventTime: "2026-02-30T09:00:00Z" }), "is not an RFC 3339 time"],
    [event({ eventTime: "2999-01-01T00:00:00Z" }), `is more than ${EVENT_TIME_MAX_FUTURE_MINUTES} min ahead`],
    [event({ eventTime: "2026-12-03T10:05:01Z" }), "min ahead"],
    [event({}, { api: "CopyBlob" }), 'made by "CopyBlob", not an upload (PutBlob, PutBlockList, FlushWithClose)'],
    [event({}, { api: "CopyBlobFromURL" }), "not an upload"],
    [event({}, { api: "PutBlobFromURL" }), "not an upload"],
    [event({}, { api: undefined }), "an unnamed operation"],
    [event({ subject: "/blobServices/default/containers/incoming/blobs/a\ud800.csv" }), "not a blob's"],
  ])("ignores, saying why: %#", (e, why) => {
    const r = readBlobCreated(e, at);
    expect("ignored" in r && r.ignored).toContain(why);
  });

  it("takes the watched account's topic in any case, and the times Azure writes", () => {
    expect(readBlobCreated(event({ topic: "/SUBSCRIPTIONS/s/resourcegroups/g/providers/microsoft.storage/storageaccounts/ACCT" }), at)).toHaveProperty("blob");
    expect(readBlobCreated(event({ eventTime: "2026-12-03T10:04:59Z" }), at)).toHaveProperty("blob");
    for (const api of ["PutBlob", "PutBlockList", "FlushWithClose"]) expect(readBlobCreated(event({}, { api }), at)).toHaveProperty("blob");
    expect(readBlobCreated(event(), { ...at, account: undefined })).toHaveProperty("ignored");
  });

  it("orders times as text once normalised: offsets, 0 to 9 fraction digits", () => {
    expect(parseEventTime("2026-12-03T10:00:00.5+01:00")).toEqual({ utc: "2026-12-03T09:00:00.500000000Z", ms: Date.parse("2026-12-03T09:00:00.5Z") });
    expect(parseEventTime("2026-12-03T09:00:00Z")!.utc < parseEventTime("2026-12-03T09:00:00.0000001Z")!.utc).toBe(true);
    for (const bad of ["2026-12-03", "2026-12-03T09:00:00", "2026-13-01T00:00:00Z", "2026-12-03T24:00:00Z", "2026-12-03T09:00:00+25:00", "1969-12-31T23:59:59Z"]) expect(parseEventTime(bad), bad).toBeUndefined();
  });
});
