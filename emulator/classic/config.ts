/** Everything the local ML service can be told; each value has a default that works out of the box. */
export interface EmulatorConfig {
  readonly host: string;
  /** BES and RRS (the real `{region}.services.azureml.net`); 0 picks a free port. */
  readonly servicesPort: number;
  /** Management API (the real `management.azureml.net`) and the emulator's admin API; 0 picks a free port. */
  readonly managementPort: number;
  /** Use this storage account instead of starting Azurite. */
  readonly storageConnectionString?: string;
  /** Folder where the started Azurite persists data; in memory when omitted. */
  readonly azuriteLocation?: string;
  readonly workspaceId: string;
  readonly trainingServiceId: string;
  readonly predictiveServiceId: string;
  /** API key of the training web service (BES). */
  readonly trainingApiKey: string;
  /** Workspace authorization token for the management API. */
  readonly managementToken: string;
  /** API key of the predictive service's default endpoint. */
  readonly defaultEndpointKey: string;
  /** Endpoints added to the predictive service at first start. */
  readonly addedEndpoints: readonly string[];
  /** Jobs running at once; later ones queue FIFO. */
  readonly maxConcurrentJobs: number;
  readonly sasLifetimeInSeconds: number;
  /** Delay between an accepted Update Resource and the new model serving (documented: ~30 s). */
  readonly propagationDelayInMs: number;
  readonly maxRequestBodyBytes: number;
}

export const DEFAULT_CONFIG: EmulatorConfig = {
  host: "127.0.0.1",
  servicesPort: 7081,
  managementPort: 7082,
  workspaceId: "00000000000000000000000000000001",
  trainingServiceId: "c0000000000000000000000000000001",
  predictiveServiceId: "d0000000000000000000000000000001",
  trainingApiKey: "local-training-key-change-me",
  managementToken: "local-management-token-change-me",
  defaultEndpointKey: "local-default-endpoint-key-change-me",
  addedEndpoints: ["retrain"],
  maxConcurrentJobs: 2,
  sasLifetimeInSeconds: 24 * 60 * 60,
  propagationDelayInMs: 30_000,
  maxRequestBodyBytes: 4 * 1024 * 1024,
};

const ENV: Record<keyof EmulatorConfig, string> = {
  host: "AML_EMULATOR_HOST",
  servicesPort: "AML_EMULATOR_SERVICES_PORT",
  managementPort: "AML_EMULATOR_MANAGEMENT_PORT",
  storageConnectionString: "AML_EMULATOR_STORAGE_CONNECTION_STRING",
  azuriteLocation: "AML_EMULATOR_AZURITE_LOCATION",
  workspaceId: "AML_EMULATOR_WORKSPACE_ID",
  trainingServiceId: "AML_EMULATOR_TRAINING_SERVICE_ID",
  predictiveServiceId: "AML_EMULATOR_PREDICTIVE_SERVICE_ID",
  trainingApiKey: "AML_EMULATOR_TRAINING_API_KEY",
  managementToken: "AML_EMULATOR_MANAGEMENT_TOKEN",
  defaultEndpointKey: "AML_EMULATOR_DEFAULT_ENDPOINT_KEY",
  addedEndpoints: "AML_EMULATOR_ADDED_ENDPOINTS",
  maxConcurrentJobs: "AML_EMULATOR_MAX_CONCURRENT_JOBS",
  sasLifetimeInSeconds: "AML_EMULATOR_SAS_LIFETIME_SECONDS",
  propagationDelayInMs: "AML_EMULATOR_PROPAGATION_DELAY_MS",
  maxRequestBodyBytes: "AML_EMULATOR_MAX_REQUEST_BODY_BYTES",
};

const NUMERIC = new Set<keyof EmulatorConfig>([
  "servicesPort", "managementPort", "maxConcurrentJobs", "sasLifetimeInSeconds", "propagationDelayInMs", "maxRequestBodyBytes",
]);

/** Reads `AML_EMULATOR_*` variables and `--camelCaseName=value` flags (flags win); refuses bad values by name. */
export function loadConfig(env: NodeJS.ProcessEnv, argv: readonly string[]): EmulatorConfig {
  const raw: Partial<Record<keyof EmulatorConfig, string>> = {};
  for (const key of Object.keys(ENV) as (keyof EmulatorConfig)[]) {
    const v = env[ENV[key]];
    if (v !== undefined && v !== "") raw[key] = v;
  }
  for (const arg of argv) {
    const m = /^--([A-Za-z]+)=(.*)$/.exec(arg);
    // Own names only: `in` would take --constructor= or --toString= as settings.
    if (!m || !Object.hasOwn(ENV, m[1]!)) throw new Error(`Unknown argument "${arg}". Flags are --name=value with names: ${Object.keys(ENV).join(", ")}.`);
    raw[m[1] as keyof EmulatorConfig] = m[2]!;
  }
  const config: Record<string, unknown> = { ...DEFAULT_CONFIG };
  for (const [key, value] of Object.entries(raw) as [keyof EmulatorConfig, string][]) {
    if (NUMERIC.has(key)) {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${key} (${ENV[key]}) must be a non-negative integer, got "${value}".`);
      config[key] = n;
    } else if (key === "addedEndpoints") {
      config[key] = value.split(",").map((s) => s.trim()).filter(Boolean);
    } else {
      config[key] = value;
    }
  }
  const c = config as unknown as EmulatorConfig;
  if (c.maxConcurrentJobs < 1) throw new Error("maxConcurrentJobs must be at least 1.");
  if (c.sasLifetimeInSeconds < 1) throw new Error("sasLifetimeInSeconds must be at least 1.");
  return c;
}
