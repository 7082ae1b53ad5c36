import type { GateDecision, GateRule } from "../../shared/evaluation/gate";
import type { Metrics } from "../../shared/evaluation/evaluation";
import type { JobState } from "../../shared/aml/types";
import type { RunResult } from "../orchestrators/run-input";

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
  readonly bytes: number;
  readonly sha256?: string;
  readonly method: "stream" | "server-side-copy";
}
export interface JobRef extends RunRef {
  readonly jobId: string;
}
export interface SubmitResult {
  readonly jobId: string;
  /** The model serving when the job was submitted, evaluated alongside the new one when readable. */
  readonly champion?: ModelLocation;
  readonly championNote?: string;
}
export interface StartResult {
  /** True when an earlier, ambiguous attempt had already started it. */
  readonly alreadyStarted: boolean;
}
export interface CheckResult {
  readonly state: JobState;
  readonly details?: string;
}
export interface EvaluateInput extends JobRef {
  readonly gate: readonly GateRule[];
}
export interface EvaluateResult {
  readonly metrics: Metrics;
  readonly championMetrics?: Metrics;
  readonly decision: GateDecision;
  readonly sasRefreshes: number;
}
export interface ModelLocation {
  readonly BaseLocation: string;
  readonly RelativeLocation: string;
}
export interface PromoteResult {
  readonly location: ModelLocation;
  readonly previous?: ModelLocation;
  readonly sasRefreshes: number;
}
export interface VerifyInput extends RunRef {
  readonly expected: ModelLocation;
}
export interface VerifyResult {
  readonly verified: boolean;
  readonly actual?: ModelLocation;
}
export interface RecordInput extends RunRef {
  readonly result: RunResult;
  readonly reason?: string;
  readonly jobId?: string;
  readonly trigger: string;
  readonly dataSource: string;
  readonly metrics?: Metrics;
  readonly championMetrics?: Metrics;
  readonly decision?: GateDecision;
  readonly location?: ModelLocation;
  readonly durationsInSeconds: Readonly<Record<string, number>>;
}
