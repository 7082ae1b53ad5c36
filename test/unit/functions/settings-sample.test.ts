import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadSettings, SETTING_NAMES } from "../../../shared/config/settings";

const sample = JSON.parse(readFileSync(path.resolve(__dirname, "../../../local.settings.sample.json"), "utf8")) as { Values: Record<string, string> };
const readme = readFileSync(path.resolve(__dirname, "../../../README.md"), "utf8");

describe("local.settings.sample.json", () => {
  it("lists every setting the schema knows, and only those (plus the Functions runtime's own)", () => {
    const runtime = ["FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsStorage"];
    expect(Object.keys(sample.Values).filter((k) => !runtime.includes(k)).sort()).toEqual([...SETTING_NAMES].filter((n) => n !== "STAGING_STORAGE_ACCOUNT_URL" && n !== "WEBSITE_AUTH_ENABLED").sort());
  });

  it("holds working local values", () => {
    expect(() => loadSettings(sample.Values)).not.toThrow();
  });

  it("every setting is explained in the README", () => {
    for (const name of SETTING_NAMES) expect(readme, name).toContain(`\`${name}\``);
  });
});
