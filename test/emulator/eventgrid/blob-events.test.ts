import { describe, expect, it } from "vitest";
import { createdBy } from "../../../emulator/eventgrid/blob-events";

/** The Blob REST call behind a request, as BlobCreated's data.api names it (learn.microsoft.com/azure/event-grid/event-schema-blob-storage). */
describe("createdBy", () => {
  const url = (q = "") => new URL(`http://127.0.0.1/devstoreaccount1/c/b.csv${q}`);
  const source = "http://127.0.0.1:10000/devstoreaccount1/other/secret.csv";

  it.each([
    ["Put Blob", "PUT", "", { "x-ms-blob-type": "BlockBlob" }, "PutBlob"],
    ["Put Block List", "PUT", "?comp=blocklist", {}, "PutBlockList"],
    ["Copy Blob (asynchronous)", "PUT", "", { "x-ms-copy-source": source }, "CopyBlob"],
    ["Copy Blob From URL (synchronous)", "PUT", "", { "x-ms-copy-source": source, "x-ms-requires-sync": "true" }, "CopyBlobFromURL"],
    ["Put Blob From URL: a copy, never called Put Blob", "PUT", "", { "x-ms-copy-source": source, "x-ms-blob-type": "BlockBlob" }, "PutBlobFromURL"],
    ["Put Block (not a blob yet)", "PUT", "?comp=block&blockid=AA", {}, undefined],
    ["a page blob", "PUT", "", { "x-ms-blob-type": "PageBlob" }, undefined],
    ["a read", "GET", "", {}, undefined],
  ])("%s", (_what, method, q, headers, api) => {
    expect(createdBy(method, url(q), headers)).toBe(api);
  });
});
