import type { TrainedModel, Scorer } from "../training/ilearner";

/** The service's state, in memory: a restart of the local service starts a fresh workspace. */
export type JobStatus = "NotStarted" | "Queued" | "Running" | "Completed" | "Failed" | "Canceled" | "CancelRequested";

export interface JobRecord {
  readonly name: string;
  status: JobStatus;
  readonly properties: Record<string, unknown>;
  /** The command as the job runs it: inputs and outputs bound, `$[[ ]]` segments kept or dropped (none for a run made through MLflow). */
  readonly resolvedCommand?: string;
  readonly createdAtMs: number;
  startedAtMs?: number;
  endedAtMs?: number;
  /** MLflow metrics, latest value per key. */
  readonly metrics: Map<string, { value: number; timestamp: number }>;
  /** Every logged value per key, by step (the latest is also in `metrics`). */
  readonly history: Map<string, { value: number; timestamp: number; step: number }[]>;
  model?: TrainedModel;
  error?: string;
}

export interface ModelVersionRecord {
  readonly name: string;
  readonly version: string;
  properties: { modelType: string; modelUri: string; jobName?: string; description?: string; tags: Record<string, string> };
  readonly model: TrainedModel;
}

export type ProvisioningState = "Creating" | "Updating" | "Succeeded" | "Failed" | "Deleting";

export interface DeploymentRecord {
  readonly name: string;
  body: Record<string, unknown>;
  /** ARM id of the model version. */
  modelId: string;
  provisioningState: ProvisioningState;
  scorer?: Scorer;
  /** Requests it answered, live and mirrored (the mirror's answers are dropped). */
  scored: number;
  mirrored: number;
}

export interface EndpointRecord {
  readonly name: string;
  body: { location: string; identity?: unknown; tags?: Record<string, string>; properties: Record<string, unknown> };
  traffic: Record<string, number>;
  mirrorTraffic: Record<string, number>;
  provisioningState: ProvisioningState;
  readonly keys: { primaryKey: string; secondaryKey: string };
  readonly deployments: Map<string, DeploymentRecord>;
  /** Counts requests for weighted, deterministic routing. */
  routed: number;
  /** Every live traffic split applied, in order: what a test checks "never two shifts" against. */
  readonly trafficLog: Record<string, number>[];
}

export interface OperationRecord {
  readonly id: string;
  status: "InProgress" | "Succeeded" | "Failed";
  error?: { code: string; message: string };
}

export class AzureMlState {
  readonly jobs = new Map<string, JobRecord>();
  readonly models = new Map<string, Map<string, ModelVersionRecord>>();
  readonly endpoints = new Map<string, EndpointRecord>();
  readonly operations = new Map<string, OperationRecord>();
  /** Case-insensitive lookups, as ARM names are. */
  endpoint(name: string): EndpointRecord | undefined {
    for (const [k, v] of this.endpoints) if (k.toLowerCase() === name.toLowerCase()) return v;
    return undefined;
  }
}
