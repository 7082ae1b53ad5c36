import { CLASSIC_PHASE, type JobState } from "./classic/types";

/**
 * Where a training job is, in words every backend maps its own states onto: BES has five states,
 * Azure ML v2 fourteen. The orchestrator decides on the phase; the service's own state name
 * travels beside it for the operator.
 */
export const JOB_PHASES = ["pending", "running", "succeeded", "failed", "cancelled"] as const;
export type JobPhase = (typeof JOB_PHASES)[number];

export const isEnded = (p: JobPhase): boolean => p === "succeeded" || p === "failed" || p === "cancelled";

/** A job's state as a backend reports it. */
export interface JobStatus {
  readonly phase: JobPhase;
  /** The service's own name for it ("Finished", "Completed", "NotResponding"…). */
  readonly state: string;
  readonly details?: string;
}

/**
 * The phase of a check or poll result. Results recorded before phases existed (a run in flight
 * across the upgrade replays them) carry only the BES state, whose names map one to one.
 */
export function phaseOf(r: { readonly phase?: JobPhase; readonly state: string }): JobPhase {
  if (r.phase !== undefined) return r.phase;
  return (Object.prototype.hasOwnProperty.call(CLASSIC_PHASE, r.state) ? CLASSIC_PHASE[r.state as JobState] : undefined) ?? "running";
}
