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
});
