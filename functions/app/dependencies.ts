import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { DefaultAzureCredential } from "@azure/identity";
import { sourcePolicyOf, loadSettings, secretsOf, type Settings } from "../../shared/config/settings";
import { TableClient } from "@azure/data-tables";
import { RunHistoryClient } from "../../shared/history/run-history";
import { UsedLinks } from "../../shared/console/used-links";
import { DEFAULT_STAGING_OPTIONS, StagingClient } from "../../shared/storage/staging";
import { BlobLeaseStartLock } from "../../shared/storage/start-lock";
import { BlobPendingData } from "../../shared/storage/pending-data";
import { SharedKeySasSigner, UserDelegationSasSigner, type SasSigner } from "../../shared/storage/sas";
import { redactingTelemetry, type Telemetry } from "../../shared/telemetry/telemetry";
import { AppInsightsTelemetry, LogTelemetry } from "../../shared/telemetry/app-insights";
import { redactValues } from "../../shared/redact";
import type { ActivityDependencies } from "../activities/dependencies";
import { classicClients } from "./classic";
import { azureMlClients } from "./azureml";

/** SAS tokens handed to BES outlive the job's deadline by this much. */
const JOB_SAS_SLACK_IN_MS = 60 * 60_000;

/** The history as the app's HTTP side uses it: the activities' part, and the console's overview rows. */
export type AppHistory = ActivityDependencies["history"] & Pick<RunHistoryClient, "refreshSummary" | "summaries" | "summary"> & Pick<UsedLinks, "claim">;
export type AppDependencies = ActivityDependencies & { readonly history: AppHistory };

/** Builds the real clients from validated settings: the composition root, run once per process. */
export function buildDependencies(settings: Settings, log: (line: string) => void = console.log): AppDependencies {
  const secrets = secretsOf(settings);
  const inner: Telemetry = settings.APPLICATIONINSIGHTS_CONNECTION_STRING
    ? new AppInsightsTelemetry(
        settings.APPLICATIONINSIGHTS_CONNECTION_STRING,
        // Local auth is disabled on the deployed resource: with an AAD authentication string, sign in as the app.
        /Authorization=AAD/i.test(process.env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING ?? "") ? new DefaultAzureCredential() : undefined,
      )
    : new LogTelemetry((l) => log(redactValues(l, secrets)));
  const telemetry = redactingTelemetry(inner, secrets);
  const { service, signer } = storage(settings);
  const container = service.getContainerClient(settings.STAGING_CONTAINER);
  const azureml = azureMlClients(settings, telemetry);
  return {
    ...classicClients(settings, telemetry),
    ...(azureml ? { azureml } : {}),
    history: lazilyInitialised(historyClient(settings)),
    staging: new StagingClient(service, container, { ...DEFAULT_STAGING_OPTIONS, maxBytes: settings.RETRAIN_DATA_MAX_MEGABYTES * 1024 * 1024, allowLoopback: settings.RETRAIN_ALLOW_LOOPBACK_SOURCES }),
    signer,
    startLock: new BlobLeaseStartLock(container),
    pending: new BlobPendingData(container),
    telemetry,
    runStorage: { blobEndpoint: service.url.endsWith("/") ? service.url : `${service.url}/`, container: settings.STAGING_CONTAINER },
    options: {
      ...(settings.RETRAIN_DATA_ROOT ? { dataRoot: settings.RETRAIN_DATA_ROOT } : {}),
      sources: sourcePolicyOf(settings),
      trainedModelResource: settings.AML_TRAINED_MODEL_RESOURCE,
      archiveContainer: settings.ARCHIVE_CONTAINER,
      jobSasLifetimeInMs: settings.JOB_DEADLINE_MINUTES * 60_000 + JOB_SAS_SLACK_IN_MS,
      sasRefreshMarginInMs: settings.SAS_REFRESH_MARGIN_SECONDS * 1000,
    },
    now: Date.now,
  };
}

/** A connection string means an account key (local: service SAS); an account URL means Entra identity (user-delegation SAS). */
function storage(settings: Settings): { service: BlobServiceClient; signer: SasSigner } {
  if (settings.STAGING_STORAGE_CONNECTION_STRING) {
    const service = BlobServiceClient.fromConnectionString(settings.STAGING_STORAGE_CONNECTION_STRING);
    if (!(service.credential instanceof StorageSharedKeyCredential)) {
      throw new Error("STAGING_STORAGE_CONNECTION_STRING must include AccountKey, or use STAGING_STORAGE_ACCOUNT_URL with an identity.");
    }
    return { service, signer: new SharedKeySasSigner(service.credential) };
  }
  const service = new BlobServiceClient(settings.STAGING_STORAGE_ACCOUNT_URL!, new DefaultAzureCredential());
  return { service, signer: new UserDelegationSasSigner(service) };
}

let cached: { settings: Settings; deps: AppDependencies } | undefined;

/** Settings validated once, at the edge, on first use; a bad setting fails every function clearly. */
export function appSettings(): Settings {
  cached ??= (() => {
    const settings = loadSettings(process.env);
    return { settings, deps: buildDependencies(settings) };
  })();
  return cached.settings;
}

export function appDependencies(): AppDependencies {
  appSettings();
  return cached!.deps;
}

/** The run history next to the run blobs: same account, same credential. */
function historyClient(settings: Settings): RunHistoryClient {
  if (settings.STAGING_STORAGE_CONNECTION_STRING) return RunHistoryClient.fromConnectionString(settings.STAGING_STORAGE_CONNECTION_STRING, settings.HISTORY_TABLE);
  const tableUrl = settings.STAGING_STORAGE_ACCOUNT_URL!.replace(".blob.", ".table.");
  return new RunHistoryClient(new TableClient(tableUrl, settings.HISTORY_TABLE, new DefaultAzureCredential()));
}

/** Creates the table on first use, once per process, and again after a failed attempt. */
function lazilyInitialised(client: RunHistoryClient): AppHistory {
  const links = new UsedLinks(client.table);
  let ready: Promise<void> | undefined;
  const init = () => (ready ??= client.init().catch((e: unknown) => {
    ready = undefined;
    throw e;
  }));
  return {
    upsert: async (r) => (await init(), client.upsert(r)),
    get: async (id) => (await init(), client.get(id)),
    list: async (o) => (await init(), client.list(o)),
    watchingSince: async (e, now) => (await init(), client.watchingSince(e, now)),
    recordDelivery: async (d) => (await init(), client.recordDelivery(d)),
    deliveries: async (id) => (await init(), client.deliveries(id)),
    refreshSummary: async (e) => (await init(), client.refreshSummary(e)),
    summaries: async () => (await init(), client.summaries()),
    summary: async (e) => (await init(), client.summary(e)),
    // The console's one-time confirmation links are spent in the same table.
    claim: async (id, use) => (await init(), links.claim(id, use)),
  };
}
