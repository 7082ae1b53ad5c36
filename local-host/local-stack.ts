import { mkdirSync, writeFileSync } from "node:fs";
import { createHmac } from "node:crypto";
import path from "node:path";
import { startAzurite, type RunningAzurite } from "../emulator/azurite";
import { startEmulator, type RunningEmulator } from "../emulator/classic/emulator";
import { DEFAULT_CONFIG } from "../emulator/classic/config";
import { syntheticCensusCsv } from "../emulator/training/synthetic-census";
import { startLocalHost, type RunningHost } from "./host";
import type { LocalSettings } from "./settings";
import { checkStatePorts, DEVELOPMENT_STORAGE_PORTS, portOf, recordedAzuritePorts, recordedPorts, type AzuritePorts } from "./stable-ports";
import { startAzureMlService, type RunningAzureMlService } from "../emulator/azureml/service";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { AZURITE_ACCOUNT, AZURITE_KEY } from "../emulator/azurite";
import { parseDataLocation } from "../shared/storage/data-location";
import { LocalEventGrid } from "../emulator/eventgrid/event-grid";
import { startBlobEvents } from "../emulator/eventgrid/blob-events";
import { NEW_DATA_FUNCTION } from "../functions/triggers/blob-created";

export interface LocalStack {
  readonly host: RunningHost;
  readonly emulator?: RunningEmulator;
  readonly azureml?: RunningAzureMlService;
  readonly values: Readonly<Record<string, string>>;
  readonly functionKey: string;
  /** With `newData`: the first endpoint's data location, and Azurite through its Event Grid topic to drop files with. */
  readonly newData?: { readonly endpoint: string; readonly container: string; readonly folder: string; readonly uploads: BlobServiceClient; readonly eventGrid: LocalEventGrid };
  /** With `blobEvents`: the blob endpoint whose writes make BlobCreated events for the app (Azurite behind its Event Grid topic). */
  readonly blobEventsUrl?: string;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  readonly settings: LocalSettings;
  /** Folder for Azurite's data and the demo data; in-memory Azurite when omitted. */
  readonly stateDir?: string;
  /** Where demo training data is written (becomes RETRAIN_DATA_ROOT). */
  readonly dataDir: string;
  readonly demoRows: number;
  /** The generated rows' seed; the same one (serve's) each start unless given. */
  readonly demoSeed?: number;
  readonly hostPort?: number;
  readonly schedules: boolean;
  readonly propagationDelayInMs: number;
  /**
   * Ports that stay the same from one start to the next (with `stateDir`): Azurite on `azurite`
   * when given (checked against the state folder's record), else on the ports the folder
   * recorded, else Azurite's standard ones; the ML service on the ports the folder recorded,
   * else the ones its settings name. Free ports when omitted (state that lasts one run).
   */
  readonly stablePorts?: { readonly azurite?: AzuritePorts };
  /** false: use the ML service at the configured URLs even on loopback (one started with `npm run emulator`). */
  readonly startMlService?: boolean;
  /** Also start the local Azure ML (v2) service with this online endpoint, and retrain it on v2. */
  readonly azureml?: { readonly endpoint: string; readonly gate: string };
  /**
   * New data starts runs: blobs written to Azurite make Event Grid BlobCreated events for the
   * host's Event Grid trigger, and the first endpoint watches this container and folder.
   */
  readonly newData?: { readonly container: string; readonly folder: string; readonly debounceSeconds: number };
  /**
   * `npm run serve`: blobs written through this port (Azurite's blob service behind its Event Grid
   * topic) reach the app's new-data trigger, which starts the runs of the endpoints whose
   * `dataLocation` holds them. The app's own writes go to Azurite directly and make none.
   */
  readonly blobEvents?: { readonly port: number };
  readonly log: (line: string) => void;
}

/** The v2 endpoint `npm start -- --backend=azureml` and `npm run serve -- --backend=azureml` retrain. */
export const DEMO_AZUREML = { endpoint: "census-v2", gate: "auc>=0.8; auc>=champion-0.02" } as const;

/**
 * The settings that make `a.endpoint` a v2 endpoint of the local Azure ML service `service`.
 * Before the service runs (a check of the demo's request), its workspace is known but not its URL.
 */
export function azureMlSettings(
  values: Readonly<Record<string, string>>, a: { readonly endpoint: string; readonly gate: string }, service: { readonly workspaceId: string; readonly armUrl: string; readonly token: string },
): Record<string, string> {
  return {
    AZUREML_WORKSPACE_ID: service.workspaceId, AZUREML_ARM_URL: service.armUrl, AZUREML_ACCESS_TOKEN: service.token,
    AZUREML_ENVIRONMENT_ID: `${service.workspaceId}/environments/sklearn/versions/1`,
    RETRAIN_ENDPOINTS: [...(values.RETRAIN_ENDPOINTS ?? "").split(",").map((s) => s.trim()).filter(Boolean), a.endpoint].join(","),
    RETRAIN_ENDPOINT_SETTINGS: JSON.stringify({ ...(JSON.parse(values.RETRAIN_ENDPOINT_SETTINGS || "{}") as object), [a.endpoint]: { backend: "azureml", gate: a.gate } }),
  };
}

const isLoopback = (url: string | undefined) => !!url && ["127.0.0.1", "localhost"].includes(new URL(url).hostname);

/** The blob endpoint of a connection string to storage on this machine (Azurite), else undefined. */
function loopbackBlobEndpoint(connection: string | undefined): string | undefined {
  const url = /BlobEndpoint=([^;]+)/.exec(connection ?? "")?.[1];
  return isLoopback(url) ? url : undefined;
}

/** Every endpoint's data location container, in the storage behind `blobEndpoint` (Azurite's account and key). */
async function createDataLocationContainers(values: Readonly<Record<string, string>>, blobEndpoint: string, log: (l: string) => void): Promise<void> {
  let own: Record<string, { dataLocation?: unknown }>;
  try {
    own = JSON.parse(values.RETRAIN_ENDPOINT_SETTINGS || "{}") as Record<string, { dataLocation?: unknown }>;
  } catch {
    return; // the app's own settings check names the problem
  }
  const containers = new Set(Object.values(own).flatMap((e) => {
    const l = typeof e?.dataLocation === "string" ? parseDataLocation(e.dataLocation) : undefined;
    return l && !("problem" in l) ? [l.container] : [];
  }));
  const service = new BlobServiceClient(blobEndpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  for (const c of containers) {
    if ((await service.getContainerClient(c).createIfNotExists()).succeeded) log(`Data location container ${c} created.`);
  }
}

/**
 * Azurite, the local ML service and the local host, wired together: what `npm start` and
 * `npm run serve` run. Settings that point at loopback are replaced by the ports actually used;
 * settings that point at Azure are left alone (then only the host and Azurite start).
 */
export async function startLocalStack(o: LocalStackOptions): Promise<LocalStack> {
  const values: Record<string, string> = { ...o.settings.Values };
  const functionKey = o.settings.Host?.FunctionKey ?? "local-function-key-change-me";
  let azurite: RunningAzurite | undefined;
  let emulator: RunningEmulator | undefined;
  const stops: (() => Promise<void>)[] = [];
  try {
    const needsAzurite = [values.AzureWebJobsStorage, values.STAGING_STORAGE_CONNECTION_STRING].some((v) => v === "UseDevelopmentStorage=true");
    const startsMlService = o.startMlService !== false && isLoopback(values.AML_SERVICES_URL);
    // The folder's stored locations carry the ports it was used with: a start that names none uses those.
    const recorded = o.stateDir && o.stablePorts ? recordedPorts(o.stateDir) : {};
    const azuritePorts = needsAzurite && o.stablePorts ? (o.stablePorts.azurite ?? recordedAzuritePorts(recorded) ?? DEVELOPMENT_STORAGE_PORTS) : undefined;
    const mlPorts = startsMlService && o.stablePorts
      ? { services: recorded.mlServices ?? portOf("AML_SERVICES_URL", values.AML_SERVICES_URL!), management: recorded.mlManagement ?? portOf("AML_MANAGEMENT_URL", values.AML_MANAGEMENT_URL!) }
      : undefined;
    const recordPorts = o.stateDir && o.stablePorts
      ? checkStatePorts(o.stateDir, {
        ...(azuritePorts ? { azuriteBlob: azuritePorts.blob, azuriteQueue: azuritePorts.queue, azuriteTable: azuritePorts.table } : {}),
        ...(mlPorts ? { mlServices: mlPorts.services, mlManagement: mlPorts.management } : {}),
      })
      : undefined;
    if (needsAzurite) {
      const location = o.stateDir ? path.join(o.stateDir, "azurite") : undefined;
      if (location) mkdirSync(location, { recursive: true });
      const ports = azuritePorts ? { blobPort: azuritePorts.blob, queuePort: azuritePorts.queue, tablePort: azuritePorts.table } : {};
      azurite = await startAzurite({ ...(location ? { location } : {}), ...ports });
      stops.unshift(() => azurite!.stop());
      for (const k of ["AzureWebJobsStorage", "STAGING_STORAGE_CONNECTION_STRING"]) if (values[k] === "UseDevelopmentStorage=true") values[k] = azurite.connectionString;
      o.log(`Azurite: ${azurite.blobEndpoint}`);
    }
    // How the app reaches Azurite: directly, or (`newData`) through its Event Grid topic.
    let appAzurite = azurite?.connectionString;
    let newData: LocalStack["newData"];
    let subscribe: ((hostUrl: string, key: string) => Promise<void>) | undefined;
    let blobEventsUrl: string | undefined;
    // The demo's own Azurite (`newData`), or serve's storage on this machine (`blobEvents`), behind its Event Grid topic.
    const blobEndpoint = o.newData ? azurite?.blobEndpoint : o.blobEvents ? (azurite?.blobEndpoint ?? loopbackBlobEndpoint(values.STAGING_STORAGE_CONNECTION_STRING)) : undefined;
    if (blobEndpoint) {
      const eventGrid = new LocalEventGrid({ log: (l) => o.log(`[event-grid] ${l}`) });
      const events = await startBlobEvents({ azuriteBlobEndpoint: blobEndpoint, publish: (e) => eventGrid.publish(e), ...(o.blobEvents ? { port: o.blobEvents.port } : {}), log: o.log });
      stops.unshift(async () => {
        eventGrid.stop();
        await events.close();
      });
      // serve: every BlobCreated, since the trigger itself knows which endpoint's location holds a blob; the demo: its one folder.
      let subjectBeginsWith: string | undefined;
      if (o.newData && azurite) {
        // Everything writes through the topic, as every writer to the account would in Azure.
        appAzurite = events.connectionString(azurite.connectionString);
        for (const k of ["AzureWebJobsStorage", "STAGING_STORAGE_CONNECTION_STRING"]) if (values[k] === azurite.connectionString) values[k] = appAzurite;
        const endpoint = (values.RETRAIN_ENDPOINTS ?? "retrain").split(",")[0]!.trim();
        const { container, folder } = o.newData;
        const own = JSON.parse(values.RETRAIN_ENDPOINT_SETTINGS || "{}") as Record<string, object>;
        values.RETRAIN_ENDPOINT_SETTINGS = JSON.stringify({ ...own, [endpoint]: { ...own[endpoint], dataLocation: `blob:${container}/${folder}` } });
        values.RETRAIN_DATA_DEBOUNCE_SECONDS = String(o.newData.debounceSeconds);
        const uploads = BlobServiceClient.fromConnectionString(events.connectionString(azurite.connectionString));
        await uploads.getContainerClient(container).createIfNotExists();
        newData = { endpoint, container, folder, uploads, eventGrid };
        subjectBeginsWith = `/blobServices/default/containers/${container}/blobs/${folder}/`;
      } else {
        blobEventsUrl = events.blobEndpoint;
        // Customers' upload URLs point where writes make events, as the account's own endpoint does in Azure.
        values.RETRAIN_UPLOAD_BLOB_ENDPOINT ||= events.blobEndpoint;
        // As Bicep creates them in Azure (infra/app/data-events.bicep): an upload has somewhere to land.
        await createDataLocationContainers(values, blobEndpoint, o.log);
      }
      subscribe = (hostUrl, key) => eventGrid.subscribe({
        name: "new-data", endpoint: `${hostUrl}/runtime/webhooks/eventgrid?functionName=${NEW_DATA_FUNCTION}&code=${key}`,
        includedEventTypes: ["Microsoft.Storage.BlobCreated"], ...(subjectBeginsWith ? { subjectBeginsWith } : {}),
      });
    }
    if (startsMlService) {
      // The ML service keeps its workspace in the same storage account (it never starts its own here),
      // reached as the app reaches it: the serving model's location must be one the app can read to
      // compare the new model with it and to archive it (a location on Azurite's own port is
      // "outside the run storage account" to an app that writes through the Event Grid topic).
      const storage = appAzurite ?? values.STAGING_STORAGE_CONNECTION_STRING;
      if (!storage) throw new Error("The local ML service needs STAGING_STORAGE_CONNECTION_STRING (or UseDevelopmentStorage=true).");
      emulator = await startEmulator(
        {
          ...DEFAULT_CONFIG,
          servicesPort: mlPorts?.services ?? 0,
          managementPort: mlPorts?.management ?? 0,
          storageConnectionString: storage,
          workspaceId: values.AML_WORKSPACE_ID ?? DEFAULT_CONFIG.workspaceId,
          trainingServiceId: values.AML_TRAINING_SERVICE_ID ?? DEFAULT_CONFIG.trainingServiceId,
          predictiveServiceId: values.AML_PREDICTIVE_SERVICE_ID ?? DEFAULT_CONFIG.predictiveServiceId,
          trainingApiKey: values.AML_TRAINING_API_KEY ?? DEFAULT_CONFIG.trainingApiKey,
          managementToken: values.AML_MANAGEMENT_API_KEY ?? DEFAULT_CONFIG.managementToken,
          addedEndpoints: (values.RETRAIN_ENDPOINTS ?? "retrain").split(",").map((s) => s.trim()).filter(Boolean),
          propagationDelayInMs: o.propagationDelayInMs,
        },
        { log: (l) => o.log(`[ml-service] ${l}`) },
      );
      stops.unshift(() => emulator!.stop());
      values.AML_SERVICES_URL = emulator.servicesUrl;
      values.AML_MANAGEMENT_URL = emulator.managementUrl;
      o.log(`Local ML service: BES/RRS ${emulator.servicesUrl}, management ${emulator.managementUrl}`);
    }
    let azureml: RunningAzureMlService | undefined;
    if (o.azureml) {
      azureml = await startAzureMlService({ endpoints: [o.azureml.endpoint] }, { log: (l) => o.log(`[azureml-service] ${l}`) });
      stops.unshift(() => azureml!.stop());
      Object.assign(values, azureMlSettings(values, o.azureml, { workspaceId: azureml.workspaceId, armUrl: azureml.armUrl, token: azureml.config.armToken }));
      o.log(`Local Azure ML (v2) service: ${azureml.armUrl}${azureml.workspaceId}`);
    }
    mkdirSync(o.dataDir, { recursive: true });
    const demo = path.join(o.dataDir, "census.csv");
    writeFileSync(demo, syntheticCensusCsv(o.demoRows, o.demoSeed ?? 20_261_128));
    values.RETRAIN_DATA_ROOT = o.dataDir;
    // The operator console's sign-in takes the function key here; its signing secret is derived
    // from it, so sessions and chat links outlive a restart of serve.
    values.RETRAIN_CONSOLE_KEY ||= functionKey;
    values.RETRAIN_CONSOLE_SECRET ||= createHmac("sha256", functionKey).update("retrainer operator console").digest("base64url");
    const host = await startLocalHost({ values, functionKey, schedules: o.schedules, log: o.log, ...(o.hostPort !== undefined ? { port: o.hostPort } : {}) });
    stops.unshift(() => host.stop());
    await subscribe?.(host.url, host.eventGridKey);
    recordPorts?.();
    return {
      host, values, functionKey, ...(emulator ? { emulator } : {}), ...(azureml ? { azureml } : {}), ...(newData ? { newData } : {}), ...(blobEventsUrl ? { blobEventsUrl } : {}),
      stop: async () => {
        for (const s of stops) await s().catch(() => undefined);
      },
    };
  } catch (e) {
    for (const s of stops) await s().catch(() => undefined);
    throw e;
  }
}
