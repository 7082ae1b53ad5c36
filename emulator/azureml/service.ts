import type { Server } from "node:http";
import { Router } from "../http/router";
import { listen } from "../http/server";
import { Faults } from "../classic/faults";
import { runExperiment } from "../training/experiment";
import { syntheticCensusCsv } from "../training/synthetic-census";
import { makeScorer } from "../training/ilearner";
import { emptyRecord, ownRecord } from "../../shared/own-record";
import { DEFAULT_AZUREML_CONFIG, workspaceIdOf, type AzureMlServiceConfig } from "./config";
import type { AzureMlContext } from "./context";
import { AzureMlFaults } from "./faults";
import { AzureMlJobRunner } from "./jobs";
import { AzureMlState } from "./state";
import { workspaceAndJobRoutes } from "./routes/workspace-jobs";
import { modelRoutes } from "./routes/models";
import { newEndpointKeys, onlineRoutes } from "./routes/online";
import { mlflowAndAdminRoutes } from "./routes/mlflow-admin";
import { mlflowLoggingRoutes } from "./routes/mlflow-logging";
import { scoringRoutes } from "./scoring";

export interface RunningAzureMlService {
  /** The stand-in for https://management.azure.com (ARM), MLflow and scoring share it. */
  readonly armUrl: string;
  /** `/subscriptions/…/workspaces/{name}`. */
  readonly workspaceId: string;
  readonly config: AzureMlServiceConfig;
  readonly state: AzureMlState;
  readonly faults: AzureMlFaults;
  stop(): Promise<void>;
}

/** The model every seeded endpoint's `blue` deployment serves: trained once, on synthetic census rows. */
export const SEED_MODEL = { name: "census", version: "1" } as const;

/**
 * The local Azure Machine Learning (v2) service on loopback: ARM-shaped workspace, jobs, models
 * and online endpoints, MLflow, and scoring. State is in memory; each start seeds the configured
 * endpoints with a `blue` deployment of the seed model at 100 %.
 */
export async function startAzureMlService(overrides: Partial<AzureMlServiceConfig> = {}, hooks: { readonly log?: (line: string) => void; readonly now?: () => number } = {}): Promise<RunningAzureMlService> {
  const config = { ...DEFAULT_AZUREML_CONFIG, ...overrides };
  const log = hooks.log ?? (() => undefined);
  const now = hooks.now ?? Date.now;
  const state = new AzureMlState();
  const faults = new AzureMlFaults();
  const jobs = new AzureMlJobRunner(state, faults, { maxConcurrent: config.maxConcurrentJobs, now, log });
  const timers = new Set<NodeJS.Timeout>();
  let baseUrl = "";
  const ctx: AzureMlContext = {
    config, state, jobs, faults, now, log, baseUrl: () => baseUrl,
    after: (ms, fn) => {
      const t = setTimeout(() => (timers.delete(t), fn()), ms);
      timers.add(t);
    },
  };
  await seed(ctx);
  const router = new Router();
  workspaceAndJobRoutes(router, ctx);
  modelRoutes(router, ctx);
  onlineRoutes(router, ctx);
  mlflowAndAdminRoutes(router, ctx);
  mlflowLoggingRoutes(router, ctx);
  scoringRoutes(router, ctx);
  // Faults are injected by the routes themselves (guard.ts); the shared server's classic fault hook stays idle.
  const { server, url } = await listen(router, { host: config.host, port: config.port, maxRequestBodyBytes: config.maxRequestBodyBytes, faults: new Faults(), operationOf: () => undefined, log });
  baseUrl = url;
  return {
    armUrl: url, workspaceId: workspaceIdOf(config), config, state, faults,
    stop: async () => {
      jobs.stop();
      for (const t of timers) clearTimeout(t);
      await close(server);
    },
  };
}

async function seed(ctx: AzureMlContext): Promise<void> {
  const seeded = await runExperiment(syntheticCensusCsv(4_000, 20_240_101), { seed: 1, splitFraction: 0.75 });
  const modelId = `${workspaceIdOf(ctx.config)}/models/${SEED_MODEL.name}/versions/${SEED_MODEL.version}`;
  ctx.state.models.set(SEED_MODEL.name, new Map([[SEED_MODEL.version, {
    name: SEED_MODEL.name, version: SEED_MODEL.version, model: seeded.model,
    properties: { modelType: "mlflow_model", modelUri: "azureml://datastores/workspaceblobstore/paths/seed/census-model", description: "seed model: an MLflow model, as the app's jobs write", tags: {} },
  }]]));
  for (const name of ctx.config.endpoints) {
    ctx.state.endpoints.set(name, {
      name, keys: newEndpointKeys(), traffic: ownRecord([["blue", 100]]), mirrorTraffic: emptyRecord<number>(), provisioningState: "Succeeded", routed: 0, trafficLog: [],
      body: { location: ctx.config.region, identity: { type: "SystemAssigned" }, tags: {}, properties: { authMode: "Key", description: "seeded by the local service" } },
      deployments: new Map([["blue", {
        name: "blue", modelId, provisioningState: "Succeeded", scorer: makeScorer(seeded.model), scored: 0, mirrored: 0,
        body: { location: ctx.config.region, sku: { name: "Default", capacity: 1 }, properties: { endpointComputeType: "Managed", instanceType: "Standard_DS3_v2", model: modelId } },
      }]]),
    });
  }
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
