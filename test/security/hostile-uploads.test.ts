import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { BlobServiceClient } from "@azure/storage-blob";
import { startHostedPipeline, type HostedPipeline } from "../support/host";

/**
 * Issue 26, item 4, as a customer holding a valid upload key replays it: names that are not
 * text (a lone surrogate, which JSON carries and a URL cannot), names that display as another
 * (bidi overrides, invisible characters) and names storage would store as another (a trailing dot
 * or space). Each is a 400 that names "name", with nothing signed, logged as issued or written;
 * never a 500, a stack or a URIError.
 */
const KEY = randomBytes(32).toString("hex");
let p: HostedPipeline;

beforeAll(async () => {
  p = await startHostedPipeline({
    speed: 200,
    settings: { RETRAIN_ENDPOINT_SETTINGS: JSON.stringify({ retrain: { dataLocation: "blob:upload-data/in", uploadKeySha256: createHash("sha256").update(KEY).digest("hex") } }) },
  });
}, 120_000);
afterAll(() => p?.stop());

/** The body as the attacker's bytes: JSON text, sent as it is. */
const ask = (rawJson: string) => p.call("POST", "/api/endpoints/retrain/uploads", rawJson, undefined, { "X-Retrainer-Upload-Key": KEY, "Content-Type": "application/json" });
const issued = () => p.logs.filter((l) => l.includes("Upload SAS issued")).length;
const blobs = async () => {
  const c = BlobServiceClient.fromConnectionString(p.values.STAGING_STORAGE_CONNECTION_STRING!).getContainerClient("upload-data");
  const names: string[] = [];
  if (await c.exists()) for await (const b of c.listBlobsFlat()) names.push(b.name);
  return names;
};

describe("upload names that are not what they look like", () => {
  it.each([
    ["a lone high surrogate (was a 500: URIError after the SAS was signed)", String.raw`{"name":"data-\ud800.csv"}`, /not well-formed Unicode/],
    ["a lone low surrogate", String.raw`{"name":"\udc00/data.csv"}`, /not well-formed Unicode/],
    ["a surrogate pair reversed", String.raw`{"name":"data-\udc00\ud800.csv"}`, /not well-formed Unicode/],
    ["a right-to-left override (invoice‮vsc.exe shows as invoiceexe.csv)", JSON.stringify({ name: "invoice\u202Evsc.exe" }), /bidirectional/],
    ["a left-to-right mark", JSON.stringify({ name: "data\u200E.csv" }), /bidirectional/],
    ["a right-to-left mark", JSON.stringify({ name: "data\u200F.csv" }), /bidirectional/],
    ["a left-to-right embedding", JSON.stringify({ name: "\u202Adata.csv" }), /bidirectional/],
    ["a first-strong isolate and its pop", JSON.stringify({ name: "a\u2068b\u2069.csv" }), /bidirectional/],
    ["a zero-width space", JSON.stringify({ name: "da\u200Bta.csv" }), /bidirectional/],
    ["whitespace only", JSON.stringify({ name: "   " }), /whitespace only/],
    ["an ideographic space only", JSON.stringify({ name: "\u3000" }), /whitespace only/],
    ["a trailing dot (storage would store data.csv)", JSON.stringify({ name: "data.csv." }), /ends in a dot or a space/],
    ["a folder with a trailing dot", JSON.stringify({ name: "2026./data.csv" }), /ends in a dot or a space/],
    ["a trailing space", JSON.stringify({ name: "data.csv " }), /ends in a dot or a space/],
    ["a folder with a trailing space", JSON.stringify({ name: "2026 /data.csv" }), /ends in a dot or a space/],
  ])("%s: 400 naming \"name\", nothing issued", async (_what, body, why) => {
    const before = issued();
    const r = await ask(body);
    expect(r.status).toBe(400);
    const error = (r.body as { error: string }).error;
    expect(error).toMatch(/^"name" /);
    expect(error).toMatch(why);
    expect(error).toContain("nothing was issued");
    expect(JSON.stringify(r.body)).not.toMatch(/URIError|sig=|\bat .+\.(js|ts):\d+/);
    expect(issued()).toBe(before);
    expect(await blobs()).toEqual([]);
  });

  it("a decomposed name is issued in NFC: the blob signed is the one the customer sees", async () => {
    const r = await ask(JSON.stringify({ name: "2026-12/cafe\u0301.csv" }));
    expect(r.status).toBe(200);
    const g = r.body as { blob: string; url: string };
    expect(g.blob).toBe("in/2026-12/caf\u00e9.csv");
    expect(new URL(g.url).pathname).toMatch(/\/upload-data\/in\/2026-12\/caf%C3%A9\.csv$/);
    expect(p.logs.join("\n")).not.toContain(new URL(g.url).searchParams.get("sig")!);
  });
});

describe("the same class elsewhere: outside text acted on before it is checked as text", () => {
  it("a run's dataSource holding a lone surrogate is a 400 naming it, and no run starts (it was a 202, then a URIError in staging)", async () => {
    const before = (await p.engine.list()).length;
    const r = await p.call("POST", "/api/retrain", String.raw`{"dataSource":"blob:upload-data/in/x-\ud800.csv"}`, undefined, { "Content-Type": "application/json" });
    expect(r.status).toBe(400);
    expect((r.body as { error: string }).error).toMatch(/not well-formed Unicode/);
    expect((await p.engine.list()).length).toBe(before);
  });
});
