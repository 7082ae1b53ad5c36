/** A blob as BES and the management API exchange it: account endpoint, container/blob, SAS. */
export interface BlobLocation {
  readonly BaseLocation: string;
  readonly RelativeLocation: string;
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
  readonly location?: { readonly BaseLocation: string; readonly RelativeLocation: string };
}

export interface EndpointInfo {
  readonly name: string;
  readonly apiLocation: string;
  /** For scoring through RRS (the canary). A secret: never returned from an activity. */
  readonly primaryKey?: string;
  readonly resources: readonly EndpointResource[];
}
