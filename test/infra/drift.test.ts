// Drift checks between the code and what deploys it: app settings (schema ↔ Bicep ↔ local
// sample), the alert thresholds' `let` lines, and runtime versions (host.json ↔ Bicep ↔
// package.json), read as text. The telemetry the queries read is checked against a real run's
// export in telemetry-drift.test.ts; the compiled template in bicep.test.ts.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SETTING_NAMES } from "../../shared/config/settings";
import { ROOT, appSettingNames, read } from "./infra-text";

/** Schema settings that never go to Azure: a local connection string and local data files. */
const LOCAL_ONLY = ["STAGING_STORAGE_CONNECTION_STRING", "RETRAIN_DATA_ROOT", "RETRAIN_ALLOW_LOOPBACK_SOURCES", "AZUREML_ACCESS_TOKEN", "RETRAIN_UPLOAD_BLOB_ENDPOINT"];
/** Schema settings that only exist in Azure (the identity-based staging account). */
const AZURE_ONLY = ["STAGING_STORAGE_ACCOUNT_URL"];
/** Schema settings the platform sets itself (App Service authentication's switch): never by hand. */
const PLATFORM_SET = ["WEBSITE_AUTH_ENABLED"];
/** Settings the platform reads, not the product's schema. */
const isPlatformSetting = (name: string) =>
  name.startsWith("AzureWebJobsStorage__") || name.startsWith("FUNCTIONS_") || name === "APPLICATIONINSIGHTS_AUTHENTICATION_STRING" || name === "AZURE_CLIENT_ID";
const isLocalPlatformSetting = (name: string) => name === "AzureWebJobsStorage" || name.startsWith("AzureWebJobsStorage__") || name.startsWith("FUNCTIONS_");

const missingFrom = (from: readonly string[], inside: readonly string[]) => from.filter((n) => !inside.includes(n)).sort();

const apiBicep = read("infra/app/api.bicep");
const bicepSettings = appSettingNames(apiBicep);

describe("app settings: shared/config/settings.ts ↔ infra/app/api.bicep", () => {
  it("sets every schema setting in Azure (except local-only ones)", () => {
    const expected = SETTING_NAMES.filter((n) => !LOCAL_ONLY.includes(n) && !PLATFORM_SET.includes(n));
    expect(missingFrom(expected, bicepSettings), "in SETTING_NAMES but missing from api.bicep appSettings").toEqual([]);
  });

  it("sets nothing the schema does not know (besides platform settings)", () => {
    const product = bicepSettings.filter((n) => !isPlatformSetting(n));
    expect(missingFrom(product, SETTING_NAMES), "in api.bicep appSettings but not in SETTING_NAMES").toEqual([]);
  });

  it("never sets a local-only setting, and names each setting once", () => {
    expect(bicepSettings.filter((n) => LOCAL_ONLY.includes(n) || PLATFORM_SET.includes(n))).toEqual([]);
    expect(bicepSettings.filter((n, i) => bicepSettings.indexOf(n) !== i), "duplicate names in appSettings").toEqual([]);
  });

  it("uses identity-based connections, with the API keys as Key Vault references", () => {
    expect(bicepSettings).toEqual(expect.arrayContaining([
      "AzureWebJobsStorage__accountName", "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId",
      "AZURE_CLIENT_ID", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING", "STAGING_STORAGE_ACCOUNT_URL",
    ]));
    expect(bicepSettings, "a key-based AzureWebJobsStorage connection string").not.toContain("AzureWebJobsStorage");
    expect(apiBicep).toMatch(/^\s*AzureWebJobsStorage__credential: 'managedidentity'$/m);
    expect(apiBicep).toMatch(/^\s*APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=\$\{identityClientId\}'$/m);
    expect(apiBicep).toMatch(/^\s*AML_TRAINING_API_KEY: trainingKeyReference$/m);
    expect(apiBicep).toMatch(/^\s*AML_MANAGEMENT_API_KEY: managementKeyReference$/m);
    expect(apiBicep).toContain("@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/aml-training-api-key/)");
    expect(apiBicep).toContain("@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/aml-management-api-key/)");
    // Flex Consumption refuses these as app settings: the runtime is in functionAppConfig.
    expect(bicepSettings.filter((n) => n === "FUNCTIONS_WORKER_RUNTIME" || n === "FUNCTIONS_EXTENSION_VERSION")).toEqual([]);
  });
});

describe("app settings: local.settings.sample.json ↔ the schema", () => {
  const sample = JSON.parse(read("local.settings.sample.json")) as { Values: Record<string, string> };
  const sampleSettings = Object.keys(sample.Values).filter((n) => !isLocalPlatformSetting(n));
  const expected = SETTING_NAMES.filter((n) => !AZURE_ONLY.includes(n) && !PLATFORM_SET.includes(n));

  it("covers every schema setting (except Azure-only ones)", () => {
    expect(missingFrom(expected, sampleSettings), "in SETTING_NAMES but missing from local.settings.sample.json").toEqual([]);
  });

  it("holds nothing the schema does not know (besides platform settings)", () => {
    expect(missingFrom(sampleSettings, expected), "in local.settings.sample.json but not in SETTING_NAMES").toEqual([]);
  });
});

describe("alert thresholds: infra/app/alerts.bicep ↔ infra/monitoring/alerts/*.kql", () => {
  it("keeps the `let` lines that alerts.bicep substitutes its parameters into", () => {
    const alertsBicep = read("infra/app/alerts.bicep");
    const substituted = [...alertsBicep.matchAll(/replace\(loadTextContent\('\.\.\/monitoring\/alerts\/([^']+)'\), '([^']+)'/g)];
    expect(substituted.map((m) => m[1]).sort()).toEqual(["no-successful-run.kql", "rejected-in-a-row.kql"]);
    for (const m of substituted) {
      expect(read(join("infra/monitoring/alerts", m[1]!)), `alerts/${m[1]} must contain "${m[2]}"`).toContain(m[2]);
    }
  });

  it("deploys every query file in infra/monitoring/alerts as a rule", () => {
    const loaded = [...read("infra/app/alerts.bicep").matchAll(/loadTextContent\('\.\.\/monitoring\/alerts\/([^']+)'\)/g)].map((m) => m[1]).sort();
    expect(loaded).toEqual(readdirSync(join(ROOT, "infra/monitoring/alerts")).filter((f) => f.endsWith(".kql")).sort());
  });
});

describe("runtime: host.json ↔ infra/app/api.bicep ↔ package.json", () => {
  it("uses the v4 extension bundle (Durable Functions for Node v3 programming model)", () => {
    const host = JSON.parse(read("host.json")) as { extensionBundle?: { id?: string; version?: string } };
    expect(host.extensionBundle).toEqual({ id: "Microsoft.Azure.Functions.ExtensionBundle", version: "[4.*, 5.0.0)" });
  });

  it("deploys a Node major that package.json's engines allow", () => {
    const runtime = /runtime:\s*\{\s*name:\s*'node'\s*version:\s*'(\d+)'\s*\}/.exec(apiBicep);
    expect(runtime, "api.bicep functionAppConfig.runtime { name: 'node' version: '..' }").not.toBeNull();
    const deployed = Number(runtime![1]);
    expect(deployed).toBe(22);
    const engines = (JSON.parse(read("package.json")) as { engines?: { node?: string } }).engines?.node ?? "";
    const floor = /^>=\s*(\d+)/.exec(engines);
    expect(floor, `package.json engines.node "${engines}" must be a ">=N" floor`).not.toBeNull();
    expect(deployed).toBeGreaterThanOrEqual(Number(floor![1]));
  });
});

describe("infra layout", () => {
  const mainBicep = read("infra/main.bicep");

  it("has every module and loaded file that main.bicep and the modules name", () => {
    for (const m of mainBicep.matchAll(/^module \w+ '([^']+)'/gm)) expect(existsSync(join(ROOT, "infra", m[1]!)), m[1]).toBe(true);
    for (const f of ["app/workbook.bicep", "app/alerts.bicep"]) {
      for (const m of read(join("infra", f)).matchAll(/loadTextContent\('([^']+)'\)/g)) {
        expect(existsSync(join(ROOT, "infra/app", m[1]!)), m[1]).toBe(true);
      }
    }
  });

  it("maps every main.bicep parameter without a default in main.parameters.json, and nothing else", () => {
    const declared = [...mainBicep.matchAll(/^param (\w+) \w+( =)?/gm)];
    const required = declared.filter((m) => !m[2]).map((m) => m[1]!);
    const mapped = Object.keys((JSON.parse(read("infra/main.parameters.json")) as { parameters: Record<string, unknown> }).parameters);
    expect(missingFrom(required, mapped), "required parameters not mapped").toEqual([]);
    expect(missingFrom(mapped, declared.map((m) => m[1]!)), "mapped parameters main.bicep does not declare").toEqual([]);
  });

  it("keeps storage keyless and Application Insights without local auth", () => {
    expect(read("infra/app/storage.bicep")).toMatch(/allowSharedKeyAccess: false/);
    expect(read("infra/app/monitoring.bicep")).toMatch(/DisableLocalAuth: true/);
    expect(read("infra/app/keyvault.bicep")).toMatch(/enableRbacAuthorization: true/);
  });

  it("names every role assignment with a guid(), so a second azd up updates rather than duplicates", () => {
    const assignments = [...read("infra/app/rbac.bicep").matchAll(/roleAssignments@[\d-]+' = (?:if \(.*\) )?\{\s*name: (.*)$/gm)].map((m) => m[1]!);
    expect(assignments.length).toBeGreaterThan(0);
    for (const name of assignments) expect(name).toMatch(/^guid\(/);
  });
});
