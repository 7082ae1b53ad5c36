import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { uploadBlob, uploadKeyOpens } from "../../../shared/storage/upload-grant";

describe("customer uploads", () => {
  const key = "4f1c0d5e8a2b4c6d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";
  const hash = createHash("sha256").update(key).digest("hex");

  it("a key opens the endpoint whose hash it has, and no other key does", () => {
    expect(uploadKeyOpens(key, hash)).toBe(true);
    expect(uploadKeyOpens(`${key} `, hash)).toBe(false);
    expect(uploadKeyOpens("", hash)).toBe(false);
    expect(uploadKeyOpens(hash, hash)).toBe(false); // the hash itself is not the key
  });

  it("names stay inside the location: a folder's names get its prefix, nothing climbs out", () => {
    expect(uploadBlob({ container: "c", prefix: "incoming/" }, "2026/x.csv")).toEqual({ blob: "incoming/2026/x.csv" });
    expect(uploadBlob({ container: "c", prefix: "" }, "x.csv")).toEqual({ blob: "x.csv" });
    for (const bad of ["", "../x.csv", "a/../../x", "./x", "a//b", "/x", "x/", "a\\b", "a\u0000b", "a\nb", "x".repeat(201)]) {
      expect(uploadBlob({ container: "c", prefix: "incoming/" }, bad), JSON.stringify(bad)).toHaveProperty("problem");
    }
  });

  it.each([
    ["a lone surrogate", "data-\ud800.csv", "not well-formed Unicode"],
    ["a lone low surrogate", "\udc00x.csv", "not well-formed Unicode"],
    ["a right-to-left override (Trojan Source)", "invoice\u202Evsc.exe", "bidirectional"],
    ["a left-to-right mark", "x\u200E.csv", "bidirectional"],
    ["an isolate", "a\u2066b.csv", "bidirectional"],
    ["a zero-width space", "da\u200Bta.csv", "bidirectional"],
    ["whitespace only", "   ", "whitespace only"],
    ["a whitespace-only folder", "2026/ /x.csv", "whitespace only"],
    ["a trailing dot", "data.csv.", "ends in a dot or a space"],
    ["a folder with a trailing dot", "2026./x.csv", "ends in a dot or a space"],
    ["a trailing space", "data.csv ", "ends in a dot or a space"],
    ["a C1 control", "a\u0085b", "control characters"],
  ])("refuses %s, naming the field", (_what, name, why) => {
    const r = uploadBlob({ container: "c", prefix: "incoming/" }, name);
    expect(r).toEqual({ problem: expect.stringContaining(why) as unknown });
    expect((r as { problem: string }).problem).toMatch(/^"name" /);
  });

  it("normalises to NFC before checking and signing: one name, whichever form the customer's system sent", () => {
    expect(uploadBlob({ container: "c", prefix: "" }, "cafe\u0301.csv")).toEqual({ blob: "caf\u00e9.csv" });
    expect(uploadBlob({ container: "c", prefix: "" }, "caf\u00e9.csv")).toEqual({ blob: "caf\u00e9.csv" });
    expect(uploadBlob({ container: "c", prefix: "" }, "日本/データ.csv")).toEqual({ blob: "日本/データ.csv" });
  });
});
