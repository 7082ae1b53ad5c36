import type { JobPhase } from "../job-phase";

/**
 * Azure ML's fourteen job states as phases [contract §2]. Only Completed, Failed and Canceled end
 * a job: NotResponding can recover, and Paused is not an end either, so both keep the run polling
 * until the job moves or the run's deadline cancels it. A state this list does not know (the
 * service adds them) is treated the same way.
 */
const PHASES: Readonly<Record<string, JobPhase>> = {
  NotStarted: "pending", Starting: "pending", Provisioning: "pending", Preparing: "pending", Queued: "pending",
  Running: "running", Finalizing: "running", CancelRequested: "running", NotResponding: "running", Paused: "running", Unknown: "running",
  Completed: "succeeded", Failed: "failed", Canceled: "cancelled",
};

export function azureMlPhase(status: string): JobPhase {
  return Object.prototype.hasOwnProperty.call(PHASES, status) ? PHASES[status]! : "running";
}
