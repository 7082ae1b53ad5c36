/** Everything the local Azure ML (v2) service can be told; each value has a default that works out of the box. */
export interface AzureMlServiceConfig {
  readonly host: string;
  /** ARM, MLflow and scoring on one loopback port; 0 picks a free one. */
  readonly port: number;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly workspaceName: string;
  readonly region: string;
  /** The bearer token the service accepts on ARM and MLflow calls (what the app's credential is issued locally). */
  readonly armToken: string;
  /** Online endpoints present at first start, each with a `blue` deployment of a seed model taking 100 %. */
  readonly endpoints: readonly string[];
  /** How long a deployment takes to provision, and an endpoint update to apply. */
  readonly provisioningDelayInMs: number;
  readonly updateDelayInMs: number;
  /** Jobs running at once; later ones wait `Queued`. */
  readonly maxConcurrentJobs: number;
  readonly maxRequestBodyBytes: number;
}

export const DEFAULT_AZUREML_CONFIG: AzureMlServiceConfig = {
  host: "127.0.0.1",
  port: 0,
  subscriptionId: "00000000-0000-0000-0000-000000000001",
  resourceGroup: "rg-retrainer-local",
  workspaceName: "ws-retrainer-local",
  region: "localregion",
  armToken: "local-arm-token-change-me",
  endpoints: ["census-v2"],
  provisioningDelayInMs: 2_000,
  updateDelayInMs: 500,
  maxConcurrentJobs: 2,
  maxRequestBodyBytes: 4 * 1024 * 1024,
};

export const workspaceIdOf = (c: AzureMlServiceConfig) =>
  `/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${c.workspaceName}`;

const FLAGS = { port: "number", armToken: "string", endpoints: "list", provisioningDelayInMs: "number", updateDelayInMs: "number", maxConcurrentJobs: "number" } as const;

/** `--name=value` flags over the defaults (`npm run emulator:azureml -- --port=7300 --endpoints=a,b`); a wrong one is refused by name. */
export function azureMlConfigFromArgs(argv: readonly string[]): AzureMlServiceConfig {
  const c: Record<string, unknown> = { ...DEFAULT_AZUREML_CONFIG };
  for (const arg of argv) {
    const m = /^--([A-Za-z]+)=(.*)$/.exec(arg);
    const kind = m && Object.hasOwn(FLAGS, m[1]!) ? FLAGS[m[1] as keyof typeof FLAGS] : undefined;
    if (!m || !kind) throw new Error(`Unknown argument "${arg}". Flags are --name=value with names: ${Object.keys(FLAGS).join(", ")}.`);
    const value = m[2]!;
    if (kind === "number") {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0 || n > 3_600_000) throw new Error(`${m[1]} must be a non-negative integer, got "${value.slice(0, 40)}".`);
      c[m[1]!] = n;
    } else if (kind === "list") {
      const names = value.split(",").map((s) => s.trim()).filter(Boolean);
      const bad = names.find((n) => !/^[a-zA-Z][a-zA-Z0-9-]{2,31}$/.test(n));
      if (names.length === 0 || bad !== undefined) throw new Error(`endpoints must be online endpoint names (3-32 letters, digits or '-', starting with a letter), got "${(bad ?? value).slice(0, 40)}".`);
      c[m[1]!] = names;
    } else {
      if (value.length < 8) throw new Error(`${m[1]} must be at least 8 characters.`);
      c[m[1]!] = value;
    }
  }
  const config = c as unknown as AzureMlServiceConfig;
  if (config.maxConcurrentJobs < 1) throw new Error("maxConcurrentJobs must be at least 1.");
  return config;
}
