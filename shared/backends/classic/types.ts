import type { JobPhase } from "../job-phase";

/** A blob as the management API lists a trained model: account endpoint and container/blob. */
export interface ModelLocation {
  readonly BaseLocation: string;
  readonly RelativeLocation: string;
}

/** A blob as BES and the management API exchange it: the location and a SAS for it. */
export interface BlobLocation extends ModelLocation {
  readonly SasBlobToken: string;
}

export type JobState = "NotStarted" | "Running" | "Failed" | "Cancelled" | "Finished";
export const JOB_STATES: readonly JobState[] = ["NotStarted", "Running", "Failed", "Cancelled", "Finished"];

export interface BatchJobStatus {
  readonly state: JobState;
  readonly results: Readonly<Record<string, BlobLocation>>;
  readonly details?: string;
}

export interface BatchExecutionRequest {
  readonly Inputs: Readonly<Record<string, BlobLocation>>;
  readonly Outputs: Readonly<Record<string, BlobLocation>>;
  readonly GlobalParameters: Readonly<Record<string, string>>;
}

export interface EndpointResource {
  readonly name: string;
  readonly location?: ModelLocation;
}

export interface EndpointInfo {
  readonly name: string;
  readonly apiLocation: string;
  /** For scoring through RRS (the canary). A secret: never returned from an activity. */
  readonly primaryKey?: string;
  readonly resources: readonly EndpointResource[];
}

/** BES states as phases (classic has no state that can recover from an end). */
export const CLASSIC_PHASE: Readonly<Record<JobState, JobPhase>> = {
  NotStarted: "pending", Running: "running", Finished: "succeeded", Failed: "failed", Cancelled: "cancelled",
};
