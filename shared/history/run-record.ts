import type { GateDecision } from "../evaluation/gate";
import type { Metrics } from "../evaluation/metrics";
import type { Backend } from "../backends/backend";
import type { AzureMlModelRef, ModelRef } from "../backends/model-ref";
import type { DataProfile } from "../data/profile";

/**
 * Every state a run can be recorded in; "running" and "awaiting-approval" are later overwritten.
 * "terminated": ended from outside (Durable's terminate, or cancel), recorded when it was settled.
 */
export type RunRecordResult = "promoted" | "rejected" | "dry-run" | "failed" | "rolled-back" | "skipped" | "data-rejected" | "running" | "awaiting-approval" | "terminated";

/** A v2 promotion: the version, the deployments, and every traffic step with what its check saw. */
export interface RolloutRecord {
  readonly model: AzureMlModelRef;
  readonly deployment: string;
  readonly previousDeployment?: string;
  readonly steps: readonly { readonly percent: number; readonly mirror?: boolean; readonly at: string; readonly check: string }[];
  /** The replaced deployment, kept at 0 % as the rollback target until `retireAfter`. */
  readonly retained?: { readonly deployment: string; readonly retireAfter: string };
  /** An earlier run's retained deployment this run deleted, its hold over. */
  readonly retired?: string;
  /** Long-running-operation polls this promotion made. */
  readonly operationPolls: number;
}

/** A run's approval: when it had to be decided by, and once decided, who decided what, when and why. */
export interface RecordedApproval {
  readonly deadline?: string;
  readonly approved?: boolean;
  /** The approver as the platform identified them, or "function key". */
  readonly by?: string;
  /** When the decision was taken (orchestration time). */
  readonly at?: string;
  readonly comment?: string;
  /** Decisions that arrived for another run (or unreadable ones) while this run waited: not taken, recorded. */
  readonly ignored?: readonly IgnoredDecision[];
}

/** A decision a waiting run did not take, and why. */
export interface IgnoredDecision {
  readonly at: string;
  readonly problem: string;
  /** The run the decision named, if it named one. */
  readonly runId?: string;
  readonly by?: string;
}

/**
 * What started a run: the schedule, a caller over HTTP, or new data in the endpoint's data
 * location (`arrivals` blobs since the last run took one, the latest of which it trains on; the
 * watcher and its arrival number let a retried start recognise the run it already started).
 */
export interface RunTrigger {
  readonly kind: "schedule" | "http" | "data";
  readonly caller?: string;
  readonly arrivals?: number;
  readonly watcher?: string;
  readonly seq?: number;
}

/**
 * The audit record of one retraining run: what ran, on which data, what the gate decided and
 * why, and which model served before and after. Plain JSON-serialisable data, no classes or Dates,
 * so it can be stored as text and read back unchanged.
 */
export interface RunRecord {
  readonly runId: string;
  readonly endpoint: string;
  /** The endpoint's ML service (absent in records written before there was a choice: classic). */
  readonly backend?: Backend;
  /** The Durable orchestration instance that ran it. */
  readonly instanceId: string;
  readonly trigger: RunTrigger;
  /** A description of the source (never a SAS URL: it would leak into the audit trail). */
  readonly dataSource: string;
  readonly dataBytes?: number;
  readonly dataSha256?: string;
  /** What the data looked like, checked before any job (and the reference for the next run's checks). */
  readonly profile?: DataProfile;
  /** The run whose data profile this data was compared with. */
  readonly profileReference?: string;
  readonly jobId?: string;
  readonly metrics?: Metrics;
  readonly championMetrics?: Metrics;
  /** The gate policy as text, e.g. "AUC>=0.85; AUC>=champion-0.005". */
  readonly gateRules: string;
  readonly decision?: GateDecision;
  readonly result: RunRecordResult;
  readonly reason?: string;
  readonly modelBefore?: ModelRef;
  readonly modelAfter?: ModelRef;
  /** Where the replaced model was copied, so a rollback has something to go back to. */
  readonly archivedModel?: ModelRef;
  readonly approval?: RecordedApproval;
  readonly rollout?: RolloutRecord;
  /** Seconds spent per stage, e.g. { staging: 12, training: 340 }. */
  readonly durationsInSeconds: Readonly<Record<string, number>>;
  /** ISO 8601; decides the record's place in listings. */
  readonly startedAt: string;
  readonly endedAt?: string;
}
