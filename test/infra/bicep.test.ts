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
const files = ["infra/main.bicep", ...readdirSync(join(ROOT, "infra/app")).filter((f) => f.endsWith(".bicep")).map((f) => `infra/app/${f}`)];

interface ArmResource { type: string; name: string; properties?: Record<string, unknown> & { template?: ArmTemplate } }
interface ArmTemplate { resources: ArmResource[] | Record<string, ArmResource>; variables?: Record<string, unknown> }
/** Every resource of a compiled template, nested modules' included, with the template that holds it. */
function resourcesOf(t: ArmTemplate): { r: ArmResource; in: ArmTemplate }[] {
  const list = Array.isArray(t.resources) ? t.resources : Object.values(t.resources);
  return list.flatMap((r) => [{ r, in: t }, ...(r.properties?.template ? resourcesOf(r.properties.template) : [])]);
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
    const r = spawnSync(BICEP, ["build", "infra/main.bicep", "--stdout"], { cwd: ROOT, encoding: "utf8", timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
    expect(r.status, r.stderr).toBe(0);
    const template = JSON.parse(r.stdout) as ArmTemplate;
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
    expect(r.stdout).not.toMatch(/AccountKey=|listKeys\(/);

    // The compiled app settings are exactly those infra/app/api.bicep names (drift.test.ts checks those against the schema).
    const config = ofType("Microsoft.Web/sites/config").find((x) => /appsettings/.test(x.r.name))!;
    const ref = typeof config.r.properties === "string" ? /^\[variables\('(\w+)'\)\]$/.exec(config.r.properties)?.[1] : undefined;
    const settings = (ref ? config.in.variables?.[ref] : config.r.properties) as Record<string, unknown>;
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
});
