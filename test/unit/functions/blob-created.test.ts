import { describe, expect, it } from "vitest";
import { readBlobCreated } from "../../../functions/triggers/blob-created";

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
    expect(readBlobCreated(event())).toEqual({ blob: { eventId: "831e1650-001e-001b-66ab-eeb76e069631", eventTime: "2026-12-03T09:00:00.1234567Z", container: "incoming", blob: "drop/2026 12 03.csv", bytes: 524288 } });
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
  ])("ignores, saying why: %#", (e, why) => {
    const r = readBlobCreated(e);
    expect("ignored" in r && r.ignored).toContain(why);
  });
});
