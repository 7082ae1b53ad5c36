import { randomUUID } from "node:crypto";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { describe, expect, inject, it } from "vitest";
import { sasExpiresWithin, sasExpiry, SharedKeySasSigner } from "../../../shared/storage/sas";

const NOW = Date.parse("2030-01-01T00:00:00Z");
const SE = "se=2030-01-01T01%3A00%3A00Z";
// Azurite's well-known development account: public, not a secret.
const ACCOUNT = "devstoreaccount1";
const DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const signer = new SharedKeySasSigner(new StorageSharedKeyCredential(ACCOUNT, DEV_KEY));

describe("sasExpiry", () => {
  it.each([`?sv=2024&${SE}&sig=x`, `sv=2024&${SE}&sig=x`, SE])("reads se= from %s", (token) => {
    expect(sasExpiry(token)?.toISOString()).toBe("2030-01-01T01:00:00.000Z");
  });

  it.each(["?sv=2024&sig=x", "?se=&sig=x", "?se=tomorrow", ""])("has no expiry for %j", (token) => {
    expect(sasExpiry(token)).toBeUndefined();
  });
});

describe("sasExpiresWithin", () => {
  it.each<[string, string, number, boolean]>([
    ["expires in an hour, margin 5 min", `?${SE}`, 5 * 60_000, false],
    ["expires in an hour, margin 2 h", `?${SE}`, 2 * 3600_000, true],
    ["expired a minute ago", "?se=2029-12-31T23%3A59%3A00Z", 0, true],
    ["has no se=", "?sv=2024&sig=x", 0, true],
  ])("a token that %s: %s", (_, token, margin, expected) => {
    expect(sasExpiresWithin(token, NOW, margin)).toBe(expected);
  });
});

describe("SharedKeySasSigner", () => {
  const expiresOn = new Date("2030-06-30T12:00:00Z");

  it.each([["r", "r"], ["cw", "cw"], ["wc", "cw"], ["racw", "racw"]])("signs a blob-scoped token for permissions %s (sp=%s)", async (permissions, sp) => {
    const token = await signer.sign("runs", "r1/model.ilearner", permissions, expiresOn);
    expect(token.startsWith("?")).toBe(true);
    const q = new URLSearchParams(token.slice(1));
    expect({ sp: q.get("sp"), sr: q.get("sr"), se: q.get("se") }).toEqual({ sp, sr: "b", se: "2030-06-30T12:00:00Z" });
    expect(q.get("sig")).toMatch(/.{20,}/);
    expect(sasExpiry(token)).toEqual(expiresOn);
  });

  it("signs different blobs differently", async () => {
    const a = await signer.sign("runs", "a.csv", "r", expiresOn);
    const b = await signer.sign("runs", "b.csv", "r", expiresOn);
    expect(new URLSearchParams(a).get("sig")).not.toBe(new URLSearchParams(b).get("sig"));
  });

  it("yields a token storage accepts for exactly the permissions asked for", async () => {
    const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
    const container = service.getContainerClient(`sas-unit-${randomUUID()}`);
    await container.create();
    try {
      const blob = container.getBlockBlobClient("data/x.csv");
      await blob.upload("a,b\n1,2", 7);
      const token = await signer.sign(container.containerName, "data/x.csv", "r", new Date(Date.now() + 3600_000));
      const read = await fetch(`${blob.url}${token}`);
      expect([read.status, await read.text()]).toEqual([200, "a,b\n1,2"]);
      const write = await fetch(`${blob.url}${token}`, { method: "PUT", headers: { "x-ms-blob-type": "BlockBlob" }, body: "overwrite" });
      expect(write.status).toBe(403);
    } finally {
      await container.delete();
    }
  });
});
