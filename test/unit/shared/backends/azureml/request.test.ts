import { describe, expect, it } from "vitest";
import type { TokenCredential } from "@azure/identity";
import { TokenCache, withApiVersion } from "../../../../../shared/backends/azureml/request";

describe("TokenCache", () => {
  it("reuses a token until five minutes before it expires, then asks again", async () => {
    let now = 0;
    let issued = 0;
    const credential: TokenCredential = { getToken: () => Promise.resolve({ token: `t${++issued}`, expiresOnTimestamp: now + 60 * 60_000 }) };
    const cache = new TokenCache(credential, "https://management.azure.com/.default", () => now);
    expect(await cache.get()).toBe("t1");
    now = 54 * 60_000;
    expect(await cache.get()).toBe("t1");
    now = 55 * 60_000 + 1;
    expect(await cache.get()).toBe("t2");
  });

  it("fails clearly when the credential has no token", async () => {
    const cache = new TokenCache({ getToken: () => Promise.resolve(null) }, "scope");
    await expect(cache.get()).rejects.toMatchObject({ name: "AzureMlError", code: "InvalidResponse", message: "sign-in returned no token for scope" });
  });
});

describe("withApiVersion", () => {
  it("adds the contract's api-version to any URL", () => {
    expect(withApiVersion("https://x/a")).toBe("https://x/a?api-version=2025-12-01");
    expect(withApiVersion("https://x/a?b=1")).toBe("https://x/a?b=1&api-version=2025-12-01");
  });
});
