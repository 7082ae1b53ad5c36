import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadSettings, SETTING_NAMES } from "../../../shared/config/settings";

const sample = JSON.parse(readFileSync(path.resolve(__dirname, "../../../local.settings.sample.json"), "utf8")) as { Values: Record<string, string> };
const reference = readFileSync(path.resolve(__dirname, "../../../docs/settings.md"), "utf8");

describe("local.settings.sample.json", () => {
  it("lists every setting the schema knows, and only those (plus the Functions runtime's own)", () => {
    const runtime = ["FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsStorage"];
    expect(Object.keys(sample.Values).filter((k) => !runtime.includes(k)).sort()).toEqual([...SETTING_NAMES].filter((n) => n !== "STAGING_STORAGE_ACCOUNT_URL" && n !== "WEBSITE_AUTH_ENABLED").sort());
  });

  it("holds working local values", () => {
    expect(() => loadSettings(sample.Values)).not.toThrow();
  });

  it("every setting is explained in the settings reference", () => {
    for (const name of SETTING_NAMES) expect(reference, name).toContain(`\`${name}\``);
  });
});

describe("an unresolved Key Vault reference", () => {
  const reference = "@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/aml-training-key/)";

  it("is refused by name, with the fix, without repeating the reference", () => {
    let message = "";
    try {
      loadSettings({ ...sample.Values, AML_TRAINING_API_KEY: reference, AML_MANAGEMENT_API_KEY: ` ${reference.toLowerCase()}` });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^Invalid app settings:\n- AML_TRAINING_API_KEY is a Key Vault reference the platform could not resolve: give the app's identity the "Key Vault Secrets User" role on the vault, and check that the secret the reference names exists and is enabled/);
    expect(message).toMatch(/- AML_MANAGEMENT_API_KEY is a Key Vault reference the platform could not resolve/);
    expect(message).not.toContain("aml-training-key");
  });

  it("in a setting the app does not read is none of its business", () => {
    expect(() => loadSettings({ ...sample.Values, SOME_OTHER_APP_SETTING: reference })).not.toThrow();
  });
});
