import type { HistoryEvent, RetryOptions } from "./history";

export type RuntimeStatus = "Pending" | "Running" | "Completed" | "Failed" | "Terminated" | "ContinuedAsNew";
export const TERMINAL: readonly RuntimeStatus[] = ["Completed", "Failed", "Terminated"];

/**
 * A retried call's bookkeeping, as DTFx's RetryInterceptor keeps it: the attempt, and when the
 * first attempt was scheduled (its retry timeout counts from then). A sub-orchestration retried
 * with an id of its own runs again under that id; without one, each attempt gets a default id.
 */
interface Attempt {
  readonly attempt: number;
  readonly retry?: RetryOptions;
  readonly firstAttemptMs?: number;
}
interface RetryOf {
  readonly kind: "activity" | "sub";
  readonly name: string;
  readonly input: unknown;
  readonly attempt: number;
  readonly retry: RetryOptions;
  readonly firstAttemptMs: number;
  readonly requestedInstanceId?: string;
}

/** Work the host owes an instance: an activity to run, a timer to fire or a child to start. */
export type PendingWork =
  | ({ readonly kind: "activity"; readonly id: number; readonly name: string; readonly input: unknown } & Attempt)
  | { readonly kind: "timer"; readonly id: number; readonly fireAt: string; readonly retryOf?: RetryOf }
  | ({ readonly kind: "sub"; readonly id: number; readonly name: string; readonly instanceId: string; readonly requestedInstanceId?: string; readonly input: unknown } & Attempt);

export interface InstanceState {
  readonly instanceId: string;
  /** DTFx's execution id, new with each start and continue-as-new: default child ids are `{executionId}:{sequence}`. */
  executionId: string;
  name: string;
  /** JSON text of the input, as the extension stores it. */
  input: string;
  status: RuntimeStatus;
  readonly createdTime: string;
  lastUpdatedTime: string;
  output?: unknown;
  customStatus?: unknown;
  /**
   * The orchestration that started this one as a sub-orchestration. `createdTime` is the parent's
   * own: a parent started again under the same id (the next scheduled tick) must not mistake the
   * finished child of its previous run for its own.
   */
  readonly parent?: { readonly instanceId: string; readonly taskId: number; readonly createdTime?: string };
  history: HistoryEvent[];
  /** Signatures of every action the orchestrator has returned, for the non-determinism check. */
  actions: string[];
  /** The library's next sequence number, mirrored so completions carry the ids it expects. */
  nextSequence: number;
  pending: PendingWork[];
  /** Completion events not yet delivered; one is delivered per episode. */
  inbox: Omit<HistoryEvent, "EventId" | "IsPlayed">[];
  /** Orchestrator invocations (episodes) so far, across continue-as-new. */
  episodes: number;
  executions: number;
  /** The longest history an episode has replayed, across continue-as-new: the replay cost's bound. */
  peakHistoryEvents?: number;
}
