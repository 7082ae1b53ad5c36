// infra/ through the real Bicep compiler (restored from NuGet by `npm run build:bicep`, which
// .ci/run runs; never downloaded here): every file lints clean under infra/bicepconfig.json, and
// the compiled ARM template holds what Azure requires of it.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, appSettingNames, read } from "./infra-text";

const PACKAGE = "azure.bicep.commandline.linux-x64";
const VERSION = /Include="Azure\.Bicep\.CommandLine\.linux-x64" Version="\[([^\]]+)\]"/.exec(read("infra/bicep/BicepCli.csproj"))![1]!;
const BICEP = join(process.env.NUGET_PACKAGES ?? join(homedir(), ".nuget", "packages"), PACKAGE, VERSION, "tools", "bicep");
const restored = existsSync(BICEP);
const MISSING = `the Bicep compiler ${VERSION} is not restored (${BICEP}): run \`npm run build:bicep\` (needs the .NET SDK)`;

const bicep = (...args: string[]) => {
  const r = spawnSync(BICEP, args, { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
};
const files = ["infra/main.bicep", "infra/new-data.bicep", ...readdirSync(join(ROOT, "infra/app")).filter((f) => f.endsWith(".bicep")).map((f) => `infra/app/${f}`)];

interface ArmResource {
  type: string; name: string; scope?: string; condition?: string; existing?: boolean;
  properties?: Record<string, unknown> & { template?: ArmTemplate; parameters?: Record<string, { value: unknown }> };
}
interface ArmTemplate { resources: ArmResource[] | Record<string, ArmResource>; variables?: Record<string, unknown> }
let compiled: { text: string; template: ArmTemplate } | undefined;
/** main.bicep through the compiler, once per file. */
function compiledMain(): { text: string; template: ArmTemplate } {
  if (compiled) return compiled;
  const r = spawnSync(BICEP, ["build", "infra/main.bicep", "--stdout"], { cwd: ROOT, encoding: "utf8", timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
  expect(r.status, r.stderr).toBe(0);
  return (compiled = { text: r.stdout, template: JSON.parse(r.stdout) as ArmTemplate });
}

/**
 * Azure's built-in roles by name (learn.microsoft.com/azure/role-based-access-control/built-in-roles):
 * what the requirements below are stated in, so the test does not restate rbac.bicep's own list.
 */
const BUILT_IN_ROLES: Record<string, string> = {
  "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
  "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
  "974c5e8b-45b9-4653-ba55-5f855dd0fb88": "Storage Queue Data Contributor",
  "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3": "Storage Table Data Contributor",
  "4633458b-17de-408a-b874-0445c86b69e6": "Key Vault Secrets User",
  "b86a8fe4-44ce-4948-aee5-eccb2c155cd7": "Key Vault Secrets Officer",
  "3913510d-42f4-4e42-8a64-420c390055eb": "Monitoring Metrics Publisher",
  "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
  "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
};
/** `reference(... 'Microsoft.Resources/deployments', 'storage') ...).outputs.name.value` → "storage.name". */
const moduleOutput = (expr: unknown) => {
  const m = /'Microsoft\.Resources\/deployments', '(\w+)'\), '[^']+'\)\.outputs\.(\w+)\.value\]$/.exec(String(expr));
  return m ? `${m[1]}.${m[2]}` : `(not a module output: ${String(expr)})`;
};
/**
 * The app settings of the site config in a compiled template, each `[variables('x')]` read as x
 * (the settings object itself may be such a variable).
 */
function compiledAppSettings(t: ArmTemplate): Record<string, string> {
  const config = resourcesOf(t).find((x) => x.r.type === "Microsoft.Web/sites/config" && /appsettings/.test(x.r.name))!;
  const variable = (v: unknown) => /^\[variables\('(\w+)'\)\]$/.exec(String(v))?.[1];
  const ref = typeof config.r.properties === "string" ? variable(config.r.properties) : undefined;
  const raw = (ref ? config.in.variables?.[ref] : config.r.properties) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => {
    const inner = variable(v);
    return [k, inner ? String(config.in.variables?.[inner]) : String(v)];
  }));
}
/** Every resource of a compiled template, nested modules' included, with the template that holds it. */
function resourcesOf(t: ArmTemplate): { r: ArmResource; in: ArmTemplate }[] {
  const list = Array.isArray(t.resources) ? t.resources : Object.values(t.resources);
  // A reference to an existing resource (`existing`) deploys nothing: only what is deployed counts.
  return list.flatMap((r) => [...(r.existing ? [] : [{ r, in: t }]), ...(r.properties?.template ? resourcesOf(r.properties.template) : [])]);
}

describe("infra/ with the real Bicep compiler", () => {
  it("is restored from NuGet by the build (skipped with the reason off CI; a failure under CI=true)", ({ skip }) => {
    if (!restored && process.env.CI !== "true") skip(MISSING);
    expect(restored, MISSING).toBe(true);
    expect(bicep("--version").out).toContain(`Bicep CLI version ${VERSION}`);
  });

  it.skipIf(!restored).each(files)("%s lints with no error and no warning", (file) => {
    const r = bicep("lint", file);
    expect(r.out.replaceAll(`${ROOT}/`, ""), file).toBe("");
    expect(r.status).toBe(0);
  });

  it.skipIf(!restored)("compiles to an ARM template that Flex Consumption and identity-only storage accept, with every app setting", () => {
    const { text, template } = compiledMain();
    const all = resourcesOf(template);
    const ofType = (type: string) => all.filter((x) => x.r.type === type);

    // Flex Consumption rejects siteConfig.ftpsState (error 51021 where enforced).
    const sites = ofType("Microsoft.Web/sites");
    expect(sites).toHaveLength(1);
    const site = sites[0]!.r.properties!;
    expect(site.functionAppConfig).toBeDefined();
    expect(Object.keys((site.siteConfig as object | undefined) ?? {})).not.toContain("ftpsState");

    // Durable on Flex as Microsoft recommends: an always-ready instance for the durable group, and
    // queues polled at least every 10 s (host.json), so a run starts promptly after idle.
    const scale = (site.functionAppConfig as { scaleAndConcurrency?: { alwaysReady?: { name: string; instanceCount: number }[] } }).scaleAndConcurrency;
    expect(scale?.alwaysReady).toContainEqual({ name: "durable", instanceCount: 1 });
    const hostJson = JSON.parse(read("host.json")) as { extensions: { durableTask: { storageProvider?: { maxQueuePollingInterval?: string } } } };
    const [h, m, sec] = (hostJson.extensions.durableTask.storageProvider?.maxQueuePollingInterval ?? "00:00:30").split(":").map(Number) as [number, number, number];
    expect(h * 3600 + m * 60 + sec).toBeLessThanOrEqual(10);

    // The deploying principal's roles follow AZURE_PRINCIPAL_TYPE: a hard-coded 'User' fails when azd runs as a service principal.
    const types = ofType("Microsoft.Authorization/roleAssignments").map((x) => (x.r.properties as { principalType?: unknown }).principalType);
    expect(types.length).toBeGreaterThan(0);
    expect(types.filter((t) => t !== "ServicePrincipal")).toEqual(types.filter((t) => t === "[parameters('userPrincipalType')]"));

    // Storage by identity only: no account keys anywhere, shared-key access off.
    for (const s of ofType("Microsoft.Storage/storageAccounts")) expect(s.r.properties!.allowSharedKeyAccess, s.r.name).toBe(false);
    expect(text).not.toMatch(/AccountKey=|listKeys\(/);

    // The compiled app settings are exactly those infra/app/api.bicep names (drift.test.ts checks those against the schema).
    const settings = compiledAppSettings(template);
    expect(Object.keys(settings).sort()).toEqual([...appSettingNames(readFileSync(join(ROOT, "infra/app/api.bicep"), "utf8"))].sort());
    expect(settings.AzureWebJobsStorage__credential).toBe("managedidentity");

    // A log search alert's query time range (window, or its override) is at most two days.
    const rules = ofType("Microsoft.Insights/scheduledQueryRules");
    expect(rules.map((x) => x.r.name).length).toBe(4);
    const hours = (iso: string) => {
      const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(iso);
      expect(m, `an ISO 8601 duration: ${iso}`).not.toBeNull();
      return Number(m![1] ?? 0) * 24 + Number(m![2] ?? 0) + Number(m![3] ?? 0) / 60;
    };
    for (const { r: rule } of rules) {
      const p = rule.properties as { windowSize: string; evaluationFrequency: string; overrideQueryTimeRange?: string };
      expect(hours(p.overrideQueryTimeRange ?? p.windowSize), `${rule.name}: query time range`).toBeLessThanOrEqual(48);
      expect(hours(p.evaluationFrequency), `${rule.name}: evaluated at least daily`).toBeLessThanOrEqual(24);
    }
  });

  it.skipIf(!restored)("grants the app's identity exactly the roles its compiled settings need, on the resources they name, and nothing broader", () => {
    const { template } = compiledMain();
    const all = resourcesOf(template);
    const mod = (name: string) => all.find((x) => x.r.type === "Microsoft.Resources/deployments" && x.r.name === name)!.r;
    const param = (m: ArmResource, name: string) => moduleOutput(m.properties!.parameters![name]?.value);
    const api = mod("api");
    const rbac = mod("rbac");
    // The identity the app runs as and the one granted roles are the same; so are the resources.
    expect([param(api, "identityId"), param(api, "identityClientId"), param(rbac, "appPrincipalId")]).toEqual(["identity.id", "identity.clientId", "identity.principalId"]);
    expect(param(rbac, "storageAccountName")).toBe(param(api, "storageAccountName"));
    expect([param(rbac, "keyVaultName"), param(api, "keyVaultUri")]).toEqual(["keyvault.name", "keyvault.uri"]);
    expect([param(rbac, "applicationInsightsName"), param(api, "applicationInsightsConnectionString")]).toEqual(["monitoring.applicationInsightsName", "monitoring.connectionString"]);

    // What the compiled settings make the app do, as (role on resource type):
    const settings = compiledAppSettings(api.properties!.template!);
    const needs = new Set<string>();
    if (settings.AzureWebJobsStorage__credential === "managedidentity") {
      // the host and Flex's deployment container (blob, Owner per the Flex docs), Durable's task hub (queues, tables)
      for (const role of ["Storage Blob Data Owner", "Storage Queue Data Contributor", "Storage Table Data Contributor"]) needs.add(`${role} on Microsoft.Storage/storageAccounts`);
    }
    // staging and archive blobs, the user-delegation key behind the SAS given to Azure ML, the run-history table
    if (settings.STAGING_STORAGE_ACCOUNT_URL) for (const role of ["Storage Blob Data Owner", "Storage Table Data Contributor"]) needs.add(`${role} on Microsoft.Storage/storageAccounts`);
    const references = Object.values(settings).filter((v) => v.includes("@Microsoft.KeyVault("));
    // every reference points into the vault the module passes in (keyvault.uri, checked above)
    for (const r of references) expect(r).toMatch(/^\[format\('@Microsoft\.KeyVault\(SecretUri=\{0\}secrets\/[a-z-]+\/\)', parameters\('keyVaultUri'\)\)\]$/);
    if (references.length > 0) needs.add("Key Vault Secrets User on Microsoft.KeyVault/vaults");
    if (/Authorization=AAD/.test(settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING ?? "")) needs.add("Monitoring Metrics Publisher on Microsoft.Insights/components");
    expect(references).toHaveLength(2);
    expect(needs.size).toBe(5);

    const rbacTemplate = rbac.properties!.template!;
    const granted = (principal: string) => resourcesOf(rbacTemplate)
      .filter((x) => x.r.type === "Microsoft.Authorization/roleAssignments" && (x.r.properties as { principalId: string }).principalId === `[parameters('${principal}')]`)
      .map((x) => {
        const roleVar = /variables\('(\w+)'\)\)\]$/.exec(String((x.r.properties as { roleDefinitionId: string }).roleDefinitionId))?.[1] ?? "";
        const role = BUILT_IN_ROLES[String(rbacTemplate.variables?.[roleVar])] ?? `unknown role ${String(rbacTemplate.variables?.[roleVar])}`;
        const scope = /^\[resourceId\('([^']+)'/.exec(x.r.scope ?? "")?.[1] ?? `scope ${x.r.scope}`;
        return { grant: `${role} on ${scope}`, conditional: x.r.condition !== undefined };
      });
    const app = granted("appPrincipalId");
    expect(app.map((g) => g.grant).sort()).toEqual([...needs].sort());
    expect(app.filter((g) => g.conditional)).toEqual([]);
    // The person (or CI principal) running azd: only what the README's post-deploy steps use, and only when known.
    expect(granted("userPrincipalId")).toEqual([
      { grant: "Key Vault Secrets Officer on Microsoft.KeyVault/vaults", conditional: true },
      { grant: "Storage Blob Data Contributor on Microsoft.Storage/storageAccounts", conditional: true },
    ]);
  });
});

/**
 * The ARM actions each v2 client method needs (learn.microsoft.com/azure/role-based-access-control/
 * permissions/ai-machine-learning). `score` authenticates with the endpoint's key and
 * `pollOperation` reads the operation the caller started: neither needs a workspace action.
 */
const AZUREML_ACTIONS: Record<string, readonly string[]> = {
  "jobs.submit": ["jobs/read", "jobs/write", "environments/versions/read", "codes/versions/read"],
  "jobs.get": ["jobs/read"],
  "jobs.cancel": ["jobs/cancel/action"],
  "mlflow.getRun": ["read", "experiments/runs/read"],
  "mlflow.getMetricHistory": ["read", "experiments/runs/read"],
  "models.register": ["models/versions/read", "models/versions/write"],
  "online.getEndpoint": ["onlineEndpoints/read"],
  "online.setTraffic": ["onlineEndpoints/read", "onlineEndpoints/write"],
  "online.putDeployment": ["onlineEndpoints/read", "onlineEndpoints/deployments/write"],
  "online.getDeployment": ["onlineEndpoints/deployments/read"],
  "online.deleteDeployment": ["onlineEndpoints/deployments/delete"],
  "online.listKeys": ["onlineEndpoints/listKeys/action"],
  "online.pollOperation": [],
  "online.score": [],
};

describe("the app's access to an Azure ML (v2) workspace", () => {
  it.skipIf(!restored)("is a custom role with exactly the actions the v2 activities' clients call, assigned on the workspace alone, only when one is configured", () => {
    // The methods the activities may call, as functions/activities/azureml/dependencies.ts picks them.
    const deps = read("functions/activities/azureml/dependencies.ts");
    const called = [...deps.matchAll(/readonly (\w+): Pick<\w+, ([^>]+)>/g)].flatMap(([, client, methods]) => methods!.split("|").map((m) => `${client}.${m.trim().replace(/"/g, "")}`));
    expect(called.filter((c) => !(c in AZUREML_ACTIONS)), "a client method with no stated actions").toEqual([]);
    const needed = new Set(called.flatMap((c) => AZUREML_ACTIONS[c]!.map((a) => `Microsoft.MachineLearningServices/workspaces/${a}`)));

    const { template } = compiledMain();
    const all = resourcesOf(template);
    const role = all.find((x) => x.r.type === "Microsoft.Authorization/roleDefinitions")!;
    expect(role.r.condition).toBe("[not(empty(parameters('azureMlWorkspaceId')))]");
    const props = role.r.properties as { permissions: { actions: unknown }[]; assignableScopes: string[] };
    const actions = props.permissions[0]!.actions;
    const list = (typeof actions === "string" ? role.in.variables?.[/variables\('(\w+)'\)/.exec(actions)![1]!] : actions) as string[];
    expect([...list].sort()).toEqual([...needed].sort());
    expect(props.assignableScopes).toEqual(["[parameters('azureMlWorkspaceId')]"]);

    const assignment = all.filter((x) => x.r.type === "Microsoft.Authorization/roleAssignments" && /azureMlWorkspace|workspaceName/.test(JSON.stringify(x.r)));
    expect(assignment).toHaveLength(1);
    expect(assignment[0]!.r.scope).toMatch(/Microsoft\.MachineLearningServices\/workspaces/);
    const module = all.find((x) => x.r.type === "Microsoft.Resources/deployments" && x.r.name === "azureml-role")!;
    expect(module.r.condition).toBe("[not(empty(parameters('azureMlWorkspaceId')))]");
    // The app is told the same workspace the role is on.
    const api = all.find((x) => x.r.type === "Microsoft.Resources/deployments" && x.r.name === "api")!;
    expect(api.r.properties!.parameters!.azureMlWorkspaceId).toEqual({ value: "[parameters('azureMlWorkspaceId')]" });
  });
});
