import { randomBytes, randomUUID } from "node:crypto";
import type { AzureBlobDataReference } from "./blob-refs";
import type { WorkspaceStore } from "./store";
import type { EmulatorConfig } from "./config";
import { makeScorer, parseModel, serializeModel, type Scorer } from "../training/ilearner";
import { runExperiment } from "../training/experiment";
import { syntheticCensusCsv } from "../training/synthetic-census";

/** The predictive service's one updatable resource, named as in the seed's scenario. */
export const TRAINED_MODEL_RESOURCE = "Census Model [trained model]";
export const TRAINING_SERVICE_NAME = "Census Model";
export const PREDICTIVE_SERVICE_NAME = "Census Model [predictive exp.]";
/** Container the real service wrote to in the workspace's storage when a job named no outputs. */
export const DEFAULT_OUTPUT_CONTAINER = "experimentoutput";

/** Internal job states; `Queued` (started, waiting for a slot) is reported as `NotStarted`. */
export type JobState = "NotStarted" | "Queued" | "Running" | "Failed" | "Cancelled" | "Finished";

export interface JobRecord {
  readonly id: string;
  state: JobState;
  readonly inputs: Readonly<Record<string, AzureBlobDataReference>>;
  readonly outputs: Readonly<Record<string, AzureBlobDataReference>>;
  readonly globalParameters: Readonly<Record<string, string>>;
  details?: string;
  readonly createdAt: string;
  startedAt?: string;
  /** When it left the queue and began training. */
  runningAt?: string;
  endedAt?: string;
}

export interface ModelVersion {
  readonly blob: string;
  readonly sha256: string;
  readonly location: { readonly BaseLocation: string; readonly RelativeLocation: string };
  readonly acceptedAt: string;
}

export interface EndpointRecord {
  readonly name: string;
  description: string;
  readonly creationTime: string;
  /** The id in the endpoint's own RRS URL; the default endpoint's is the predictive service id. */
  readonly serviceId: string;
  readonly primaryKey: string;
  readonly secondaryKey: string;
  throttleLevel: "Low" | "High";
  maxConcurrentCalls: number;
  preventUpdate: boolean;
  readonly isDefault: boolean;
  model: ModelVersion;
  pending?: ModelVersion & { readonly activateAtMs: number };
}

interface WorkspaceState {
  endpoints: EndpointRecord[];
  jobs: JobRecord[];
}

/** Finished jobs kept; older ones are forgotten, as job records expire. */
const MAX_JOBS_KEPT = 2_000;

export class Workspace {
  private readonly scorers = new Map<string, Scorer>();

  private constructor(
    private readonly state: WorkspaceState,
    private readonly store: WorkspaceStore,
    readonly inputColumns: readonly string[],
    private readonly now: () => number,
  ) {}

  /** Loads the workspace, or seeds it at first start with a model trained on synthetic census rows. */
  static async open(store: WorkspaceStore, config: EmulatorConfig, now: () => number): Promise<Workspace> {
    await store.init();
    let state: WorkspaceState = { endpoints: await store.loadRecords<EndpointRecord>("endpoints"), jobs: await store.loadRecords<JobRecord>("jobs") };
    // Listed by name; the default endpoint comes first, then as they were created.
    state.endpoints.sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.creationTime.localeCompare(b.creationTime) || a.name.localeCompare(b.name));
    state.jobs.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    if (!state.endpoints[0]?.isDefault) {
      const seeded = await runExperiment(syntheticCensusCsv(4_000, 20_240_101), { seed: 1, splitFraction: 0.75 });
      const { blob, sha256 } = await store.putModel(serializeModel(seeded.model));
      const model: ModelVersion = {
        blob,
        sha256,
        location: { BaseLocation: store.container.url.replace(/[^/]+$/, ""), RelativeLocation: `${store.container.containerName}/${blob}` },
        acceptedAt: new Date(now()).toISOString(),
      };
      const endpoint = (name: string, isDefault: boolean): EndpointRecord => ({
        name,
        description: isDefault ? "Default endpoint" : `Endpoint ${name}`,
        creationTime: new Date(now()).toISOString(),
        serviceId: isDefault ? config.predictiveServiceId : randomUUID().replace(/-/g, ""),
        primaryKey: isDefault ? config.defaultEndpointKey : newKey(),
        secondaryKey: newKey(),
        throttleLevel: "High",
        maxConcurrentCalls: 20,
        preventUpdate: false,
        isDefault,
        model,
      });
      state = { endpoints: [endpoint("default", true), ...config.addedEndpoints.map((n) => endpoint(n, false))], jobs: [] };
      // The default endpoint last: its record is what marks the workspace as seeded.
      await store.saveRecords("endpoints", state.endpoints.slice(1).map((e) => [e.name, e] as const));
      await store.saveRecord("endpoints", "default", state.endpoints[0]);
    }
    const seedModel = parseModel(await store.getModel(state.endpoints[0]!.model.blob));
    const inputColumns = [...seedModel.features.map((f) => f.name), seedModel.labelColumn];
    return new Workspace(state, store, inputColumns, now);
  }

  /** Stores a job after a change to it. */
  saveJob(job: JobRecord): Promise<void> {
    return this.store.saveRecord("jobs", job.id, job);
  }

  /** Stores an endpoint after a change to it. */
  saveEndpoint(e: EndpointRecord): Promise<void> {
    return this.store.saveRecord("endpoints", e.name, e);
  }

  get endpoints(): readonly EndpointRecord[] {
    return this.state.endpoints;
  }
  endpoint(name: string): EndpointRecord | undefined {
    return this.state.endpoints.find((e) => e.name.toLowerCase() === name.toLowerCase());
  }
  endpointByServiceId(serviceId: string): EndpointRecord | undefined {
    return this.state.endpoints.find((e) => e.serviceId.toLowerCase() === serviceId.toLowerCase());
  }

  async addEndpoint(name: string, props: Pick<EndpointRecord, "description" | "throttleLevel" | "maxConcurrentCalls" | "preventUpdate">): Promise<EndpointRecord> {
    const model = this.state.endpoints[0]!.model; // new endpoints serve the service's published model
    const e: EndpointRecord = {
      name, ...props, creationTime: new Date(this.now()).toISOString(), serviceId: randomUUID().replace(/-/g, ""),
      primaryKey: newKey(), secondaryKey: newKey(), isDefault: false, model,
    };
    this.state.endpoints.push(e);
    await this.saveEndpoint(e);
    return e;
  }

  async deleteEndpoint(e: EndpointRecord): Promise<void> {
    this.state.endpoints = this.state.endpoints.filter((x) => x !== e);
    await this.store.deleteRecord("endpoints", e.name);
  }

  /** Accepts a validated model; it serves once the propagation delay has passed. */
  async acceptModel(e: EndpointRecord, text: string, location: ModelVersion["location"], delayInMs: number): Promise<void> {
    const { blob, sha256 } = await this.store.putModel(text);
    const version: ModelVersion = { blob, sha256, location, acceptedAt: new Date(this.now()).toISOString() };
    e.pending = { ...version, activateAtMs: this.now() + delayInMs };
    this.activateDue(e);
    await this.saveEndpoint(e);
  }

  /** The model an endpoint serves right now (a pending one takes over once its time has come). */
  async scorerFor(e: EndpointRecord): Promise<Scorer> {
    if (this.activateDue(e)) await this.saveEndpoint(e);
    const cached = this.scorers.get(e.model.sha256);
    if (cached) return cached;
    const scorer = makeScorer(parseModel(await this.store.getModel(e.model.blob)));
    this.scorers.set(e.model.sha256, scorer);
    return scorer;
  }

  private activateDue(e: EndpointRecord): boolean {
    if (!e.pending || e.pending.activateAtMs > this.now()) return false;
    const { activateAtMs: _, ...model } = e.pending;
    e.model = model;
    delete e.pending;
    return true;
  }

  get jobs(): readonly JobRecord[] {
    return this.state.jobs;
  }
  job(id: string): JobRecord | undefined {
    return this.state.jobs.find((j) => j.id === id);
  }
  async addJob(job: JobRecord): Promise<void> {
    this.state.jobs.push(job);
    const finished = this.state.jobs.filter((j) => ["Failed", "Cancelled", "Finished"].includes(j.state));
    if (finished.length > MAX_JOBS_KEPT) {
      const drop = new Set(finished.slice(0, finished.length - MAX_JOBS_KEPT));
      this.state.jobs = this.state.jobs.filter((j) => !drop.has(j));
      await Promise.all([...drop].map((j) => this.store.deleteRecord("jobs", j.id)));
    }
    await this.saveJob(job);
  }
}

function newKey(): string {
  return randomBytes(48).toString("base64");
}
