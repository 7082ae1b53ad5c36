// The azd hooks azure.yaml declares, run as azd would run them, with a stand-in `azd` on PATH that
// records what it was asked (azd itself is not installed here).
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, read } from "./infra-text";

function runHook(script: string, azdExit: number, env: Record<string, string> = {}, tool = "azd") {
  const bin = mkdtempSync(join(tmpdir(), "azd-"));
  const calls = join(bin, "calls");
  writeFileSync(join(bin, tool), `#!/bin/sh\necho "$@" >> "${calls}"\nexit ${azdExit}\n`);
  chmodSync(join(bin, tool), 0o755);
  const r = spawnSync(process.execPath, [script], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env, PATH: `${bin}:${process.env.PATH}` } });
  let recorded = "";
  try {
    recorded = readFileSync(calls, "utf8");
  } catch {
    // azd never called
  }
  return { status: r.status, out: `${r.stdout}${r.stderr}`, calls: recorded.trim().split("\n").filter(Boolean) };
}

describe("azd hooks", () => {
  const yaml = read("azure.yaml");

  it("after azd down, gives the next Key Vault a new name: the deleted one keeps its own while soft-deleted", () => {
    expect(yaml).toMatch(/^hooks:\n(?:\s+#.*\n)*\s+postdown:\n\s+run: node infra\/hooks\/new-vault-suffix\.mjs$/m);
    const first = runHook("infra/hooks/new-vault-suffix.mjs", 0, { AZURE_ENV_NAME: "retrainer-prod" });
    expect(first.status).toBe(0);
    expect(first.calls).toEqual([expect.stringMatching(/^env set AZURE_KEY_VAULT_SUFFIX [0-9a-f]{6} -e retrainer-prod$/)]);
    const second = runHook("infra/hooks/new-vault-suffix.mjs", 0, { AZURE_ENV_NAME: "retrainer-prod" });
    expect(second.calls[0]).not.toBe(first.calls[0]);
    // main.bicep appends it: 'kv-' + 13 (uniqueString) + 6 stays within Key Vault's 24 characters
    expect(read("infra/main.bicep")).toContain("name: 'kv-${resourceToken}${toLower(keyVaultSuffix)}'");
    expect(read("infra/main.parameters.json")).toContain('"keyVaultSuffix": { "value": "${AZURE_KEY_VAULT_SUFFIX=}" }');
  });

  it("says what to run by hand when azd cannot set the value, and fails", () => {
    const r = runHook("infra/hooks/new-vault-suffix.mjs", 3);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/before the next azd up, run: azd env set AZURE_KEY_VAULT_SUFFIX [0-9a-f]{6}/);
  });

  it("after azd deploy, subscribes the app to each endpoint's data location, with main.bicep's outputs", () => {
    expect(yaml).toMatch(/^\s+postdeploy:\n\s+run: node infra\/hooks\/subscribe-new-data\.mjs$/m);
    const locations = JSON.stringify([{ endpoint: "customer1", container: "c1", folder: "incoming" }]);
    const env = { AZURE_RESOURCE_GROUP: "rg-x", AZURE_FUNCTION_APP_NAME: "func-x", RETRAIN_NEW_DATA_TOPIC: "stx-data", RETRAIN_DATA_LOCATIONS: locations };
    const r = runHook("infra/hooks/subscribe-new-data.mjs", 0, env, "az");
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([`deployment group create --resource-group rg-x --name new-data --template-file infra/new-data.bicep --parameters functionAppName=func-x systemTopicName=stx-data dataLocations=${locations} --only-show-errors --output none`]);
    expect(r.out).toContain("New data in c1/incoming/ (customer1) now starts runs.");
    // main.bicep's outputs are what the hook reads
    for (const name of ["AZURE_RESOURCE_GROUP", "AZURE_FUNCTION_APP_NAME", "RETRAIN_NEW_DATA_TOPIC", "RETRAIN_DATA_LOCATIONS"]) expect(read("infra/main.bicep")).toMatch(new RegExp(`^output ${name} string`, "m"));
  });

  it("makes no subscription without data locations, and fails saying what to run when az fails", () => {
    const none = runHook("infra/hooks/subscribe-new-data.mjs", 0, { RETRAIN_DATA_LOCATIONS: "[]" }, "az");
    expect(none).toMatchObject({ status: 0, calls: [] });
    const env = { AZURE_RESOURCE_GROUP: "rg-x", AZURE_FUNCTION_APP_NAME: "func-x", RETRAIN_NEW_DATA_TOPIC: "stx-data", RETRAIN_DATA_LOCATIONS: '[{"endpoint":"e","container":"c","folder":""}]' };
    const failed = runHook("infra/hooks/subscribe-new-data.mjs", 2, env, "az");
    expect(failed.status).toBe(1);
    expect(failed.out).toMatch(/Once the app runs, run: az deployment group create --resource-group rg-x/);
  });
});
