import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, loadConfig } from "../../emulator/classic/config";
import { redact, redactValues } from "../../shared/redact";

describe("emulator config", () => {
  it("takes environment variables and lets flags win", () => {
    const c = loadConfig({ AML_EMULATOR_SERVICES_PORT: "9000", AML_EMULATOR_ADDED_ENDPOINTS: "a, b" }, ["--servicesPort=9100", "--trainingApiKey=k"]);
    expect(c).toMatchObject({ servicesPort: 9100, addedEndpoints: ["a", "b"], trainingApiKey: "k", managementPort: DEFAULT_CONFIG.managementPort });
  });

  it("names what is wrong", () => {
    expect(() => loadConfig({}, ["--servicePort=1"])).toThrow(/Unknown argument "--servicePort=1"/);
    // names every object answers to are not settings (`in` took them before)
    for (const flag of ["--constructor=1", "--toString=x", "--hasOwnProperty=x"]) expect(() => loadConfig({}, [flag])).toThrow(/Unknown argument/);
    expect(() => loadConfig({ AML_EMULATOR_SAS_LIFETIME_SECONDS: "-5" }, [])).toThrow(/sasLifetimeInSeconds \(AML_EMULATOR_SAS_LIFETIME_SECONDS\)/);
    expect(() => loadConfig({}, ["--maxConcurrentJobs=0"])).toThrow(/at least 1/);
  });
});

describe("redact", () => {
  it("removes account keys, SAS signatures and bearer tokens, keeping the rest readable", () => {
    const text = 'AccountName=a;AccountKey=abc123+/==;BlobEndpoint=x https://a.blob/c/b?sv=2024&se=2026&sig=AbC%2Bd%3D&sp=r "Authorization: Bearer sekrit"';
    const out = redact(text);
    expect(out).toBe('AccountName=a;AccountKey=[REDACTED];BlobEndpoint=x https://a.blob/c/b?sv=2024&se=2026&sig=[REDACTED]&sp=r "Authorization: Bearer [REDACTED]"');
  });

  it("removes sig= wherever it stands, URL-encoded too, and leaves words containing 'sig' alone", () => {
    expect(redact("sig=abc&x=1")).toBe("sig=[REDACTED]&x=1");
    expect(redact("u=https%3A%2F%2Fa%3Fsv%3D1%26sig%3DXYZ%252B%26sp%3Dr")).toBe("u=https%3A%2F%2Fa%3Fsv%3D1%26sig%3D[REDACTED]%26sp%3Dr");
    expect(redact("design=x; signature")).toBe("design=x; signature");
  });

  it("removes known secret values wherever they appear", () => {
    expect(redactValues("key is 0123456789abcdef here", ["0123456789abcdef"])).toBe("key is [REDACTED] here");
  });
});
