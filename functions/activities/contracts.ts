import type { GateDecision, GateRule } from "../../shared/evaluation/gate";
import type { Metrics } from "../../shared/evaluation/metrics";
import type { JobStatus } from "../../shared/backends/job-phase";
import type { ModelRef } from "../../shared/backends/model-ref";
import type { Backend } from "../../shared/backends/backend";
import type { RolloutRecord, RunTrigger } from "../../shared/history/run-record";
import type { RetrainInput, RunApproval, RunResult } from "../orchestrators/run-input";
import type { DataExpectations } from "../../shared/data/checks";
import type { DataProfile } from "../../shared/data/profile";

/** Inputs and results of each activity. SAS tokens never appear here: they would land in history. */
export interface RunRef {
  readonly runId: string;
  readonly endpoint: string;
}
export interface StageInput extends RunRef {
  readonly dataSource: string;
}
export interface StageResult {
  readonly blob: string;
  /** Rows in the run's probe (0: none, so no canary). */
  readonly probeRows: number;
  readonly bytes: number;
  readonly sha256?: string;
  readonly method: "stream" | "server-side-copy";
}
export interface CheckDataInput extends RunRef {
  readonly expectations: DataExpectations;
  /** The run whose data profile this data is compared with (columns, rows, drift). */
  readonly reference?: string;
}
export interface CheckDataResult {
  /** Absent when the data could not be read as a table (the failure says why). */
  readonly profile?: DataProfile;
  /** One sentence per failed check; empty when the data may be trained on. */
  readonly failures: readonly string[];
  /** The reference run, when its record had a profile to compare with. */
  readonly reference?: string;
}
export interface JobRef extends RunRef {
  readonly jobId: string;
  /** Which service runs the job; absent (runs before there was a choice): classic. */
  readonly backend?: Backend;
}
export interface SubmitInput extends RunRef {
  /** Ask the job to score the run's probe with the new model (the canary's expected answers). */
  readonly probe: boolean;
}
export interface SubmitResult {
  readonly jobId: string;
  /** The model serving when the job was submitted, evaluated alongside the new one when readable. */
  readonly champion?: ModelRef;
  readonly championNote?: string;
}
export interface StartResult {
  /** True when an earlier, ambiguous attempt had already started it. */
  readonly alreadyStarted: boolean;
}
/** The job's phase (what the orchestrator decides on) and the service's own state name. */
export type CheckResult = JobStatus;
export interface EvaluateInput extends JobRef {
  readonly gate: readonly GateRule[];
}
export interface EvaluateResult {
  readonly metrics: Metrics;
  readonly championMetrics?: Metrics;
  readonly decision: GateDecision;
  readonly sasRefreshes: number;
}
export interface PromoteResult {
  readonly location: ModelRef;
  readonly previous?: ModelRef;
  /** A copy of the replaced model, kept for rollback (job outputs are not kept forever). */
  readonly archived?: ModelRef;
  readonly sasRefreshes: number;
  /** The endpoint already served this model (a retried or resumed promotion): no second PATCH. */
  readonly alreadyApplied?: boolean;
}
export interface VerifyInput extends RunRef {
  /** The job that trained the model; without it (a rollback) only the listed location is checked. */
  readonly jobId?: string;
  readonly expected: ModelRef;
}
export interface VerifyResult {
  readonly verified: boolean;
  readonly actual?: ModelRef;
  /** One sentence per check: the listed location, and the canary when there is one. */
  readonly checks: readonly string[];
}
export interface RollbackInput extends RunRef {
  readonly to: ModelRef;
}
export interface RollbackResult {
  readonly restored: ModelRef;
}
export interface RecordInput extends RunRef {
  readonly instanceId: string;
  readonly startedAt: string;
  /** Orchestration time, like startedAt, so both come from the same clock. */
  readonly endedAt: string;
  readonly result: RunResult;
  readonly reason?: string;
  readonly jobId?: string;
  readonly trigger: RunTrigger;
  readonly gateRules: string;
  readonly staged?: { readonly bytes: number; readonly method?: string; readonly sha256?: string };
  readonly dataSource: string;
  readonly profile?: DataProfile;
  readonly profileReference?: string;
  readonly metrics?: Metrics;
  readonly championMetrics?: Metrics;
  readonly decision?: GateDecision;
  readonly backend?: Backend;
  readonly location?: ModelRef;
  readonly previous?: ModelRef;
  readonly archived?: ModelRef;
  readonly verification?: readonly string[];
  readonly approval?: RunApproval;
  readonly rollout?: RolloutRecord;
  readonly durationsInSeconds: Readonly<Record<string, number>>;
}

/** The scheduled tick starts each endpoint's run as a top-level instance under its singleton id. */
export interface StartRunInput {
  readonly instanceId: string;
  readonly run: RetrainInput;
}
export type StartRunResult = { readonly started: true } | { readonly started: false; readonly runtimeStatus: string };
export interface WatchedRun {
  readonly instanceId: string;
  readonly runId: string;
}
export type RunState =
  | { readonly runId: string; readonly ended: false }
  | { readonly runId: string; readonly ended: true; readonly result: RunResult | "unknown"; readonly reason?: string };

/** The watcher of an endpoint's new data, as its activities name it. */
export interface NewDataRef {
  readonly endpoint: string;
  readonly watcher: string;
}

/** An endpoint's waiting data as the watcher sees it (shared/storage/pending-data.ts). */
export interface PendingView {
  readonly seq: number;
  readonly takenSeq: number;
  readonly waiting: number;
  /** The data source the next run would train on. */
  readonly latest?: string;
  readonly watcher?: string;
}

export type PendingRunStart =
  | { readonly started: true; readonly runId: string; readonly source: string; readonly arrivals: number }
  /** Nothing waits: an earlier attempt's run took it. */
  | { readonly started: false; readonly nothing: true }
  /** The endpoint's run instance is busy (a run of any trigger): try again once it ends. */
  | { readonly started: false; readonly nothing: false; readonly instanceId: string; readonly runtimeStatus: string };

export interface CloseWatcherInput extends NewDataRef {
  /** Set when the watcher stops waiting for a busy endpoint: the data stays waiting for the next arrival's watcher. */
  readonly giveUp?: string;
}
