import type { Server } from "node:http";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import type { EmulatorConfig } from "./config";
import { startAzurite, type RunningAzurite } from "../azurite";
import { Faults, type Operation } from "./faults";
import { JobRunner } from "./jobs";
import { WorkspaceStore } from "./store";
import { DEFAULT_OUTPUT_CONTAINER, Workspace } from "./workspace";
import { Router } from "../http/router";
import { listen } from "../http/server";
import { besRoutes } from "./routes/bes";
import { rrsRoutes } from "./routes/rrs";
import { managementRoutes } from "./routes/management";
import { adminRoutes } from "./routes/admin";
import type { ServiceContext } from "./routes/context";

export interface RunningEmulator {
  readonly servicesUrl: string;
  readonly managementUrl: string;
  /** Connection string of the workspace's storage (the Azurite it started, or the one given). */
  readonly storageConnectionString: string;
  readonly config: EmulatorConfig;
  /** The predictive service's endpoints as they are now (name, key, RRS base). */
  endpoints(): { name: string; primaryKey: string; apiLocation: string }[];
  stop(): Promise<void>;
}

export interface EmulatorHooks {
  readonly log?: (line: string) => void;
  readonly now?: () => number;
  /**
   * With a `now` that runs faster than real time: calls `fn` once `now()` reaches `atMs`, returns a
   * cancel function. Without it, waits are real-time timers, which at a high speed overshoot.
   */
  readonly at?: (atMs: number, fn: () => void) => () => void;
}

/** Maps a request to the operation it counts as, for call counts and fault injection. */
function operationOf(method: string, pathname: string): Operation | undefined {
  const p = pathname.toLowerCase().replace(/\/$/, "");
  if (/\/services\/[^/]+\/jobs$/.test(p)) return method === "POST" ? "submit" : undefined;
  if (/\/jobs\/[^/]+\/start$/.test(p)) return method === "POST" ? "start" : undefined;
  if (/\/jobs\/[^/]+$/.test(p)) return method === "GET" ? "status" : method === "DELETE" ? "cancel" : undefined;
  if (/\/execute$/.test(p)) return method === "POST" ? "score" : undefined;
  if (/\/webservices\/[^/]+\/endpoints$/.test(p)) return method === "GET" ? "listEndpoints" : undefined;
  if (/\/webservices\/[^/]+\/endpoints\/[^/]+$/.test(p)) {
    const ops: Record<string, Operation> = { GET: "getEndpoint", PUT: "addEndpoint", DELETE: "deleteEndpoint", PATCH: "patch" };
    return ops[method];
  }
  return undefined;
}

/** The container holding a workspace's records and models in its storage account. */
export function workspaceContainerName(workspaceId: string): string {
  return `aml-${workspaceId.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`.slice(0, 63).replace(/-+$/, "");
}

export async function startEmulator(config: EmulatorConfig, hooks: EmulatorHooks = {}): Promise<RunningEmulator> {
  const log = hooks.log ?? (() => undefined);
  const now = hooks.now ?? Date.now;
  let azurite: RunningAzurite | undefined;
  let connectionString = config.storageConnectionString;
  if (!connectionString) {
    azurite = await startAzurite({ location: config.azuriteLocation });
    connectionString = azurite.connectionString;
  }
  const servers: Server[] = [];
  let jobs: JobRunner | undefined;
  try {
    const blobService = BlobServiceClient.fromConnectionString(connectionString);
    if (!(blobService.credential instanceof StorageSharedKeyCredential)) {
      throw new Error("The workspace storage connection string must carry an AccountKey: the service signs result SAS tokens with it.");
    }
    const store = new WorkspaceStore(blobService.getContainerClient(workspaceContainerName(config.workspaceId)));
    const workspace = await Workspace.open(store, config, now);
    await blobService.getContainerClient(DEFAULT_OUTPUT_CONTAINER).createIfNotExists();
    const faults = new Faults();
    jobs = new JobRunner(workspace, faults, { maxConcurrentJobs: config.maxConcurrentJobs, now, ...(hooks.at ? { at: hooks.at } : {}), log });
    const urls = { services: "", management: "" };
    const ctx: ServiceContext = {
      config, workspace, jobs, faults, now,
      storage: { credential: blobService.credential, blobEndpoint: blobService.url, connectionString },
      servicesUrl: () => urls.services,
      managementUrl: () => urls.management,
    };
    const services = new Router();
    besRoutes(services, ctx);
    rrsRoutes(services, ctx);
    const management = new Router();
    managementRoutes(management, ctx);
    adminRoutes(management, ctx);
    const common = { host: config.host, maxRequestBodyBytes: config.maxRequestBodyBytes, faults, operationOf, log };
    const s = await listen(services, { ...common, port: config.servicesPort });
    servers.push(s.server);
    const m = await listen(management, { ...common, port: config.managementPort });
    servers.push(m.server);
    urls.services = s.url;
    urls.management = m.url;
    jobs.resume();
    const runner = jobs;
    return {
      servicesUrl: s.url,
      managementUrl: m.url,
      storageConnectionString: connectionString,
      config,
      endpoints: () =>
        workspace.endpoints.map((e) => ({
          name: e.name,
          primaryKey: e.primaryKey,
          apiLocation: `${s.url}/workspaces/${config.workspaceId}/services/${e.serviceId}`,
        })),
      stop: async () => {
        await runner.stop();
        await Promise.all(servers.map((srv) => new Promise((r) => srv.close(r)).then(() => srv.closeAllConnections())));
        await azurite?.stop();
      },
    };
  } catch (e) {
    await jobs?.stop();
    for (const srv of servers) srv.close();
    await azurite?.stop();
    throw e;
  }
}
