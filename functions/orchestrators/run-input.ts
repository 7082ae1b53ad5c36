import type { RecordedApproval, RunTrigger } from "../../shared/history/run-record";
import type { GateRule } from "../../shared/evaluation/gate";
import type { Backend } from "../../shared/backends/backend";
import type { ModelRef } from "../../shared/backends/model-ref";
import type { DataExpectations } from "../../shared/data/checks";

/** Everything a run needs, fixed when it starts, so every replay sees the same values. */
export interface RetrainInput {
  readonly runId: string;
  readonly endpoint: string;
  /** The endpoint's ML service. Absent in runs started before there was a choice: classic. */
  readonly backend?: Backend;
  readonly dataSource: string;
  readonly gate: readonly GateRule[];
  readonly dryRun: boolean;
  readonly trigger: RunTrigger;
  readonly polling: PollingPolicy;
  /** Durable wait after the PATCH before checking the endpoint really serves the new model. */
  readonly verification: { readonly delayInSeconds: number };
  /**
   * When set, a passing model waits for a person's approval before it is promoted. `boundToRun`:
   * only a decision naming this run's id counts (others are ignored and recorded); absent in runs
   * started before decisions named their run, which take the first decision as they always did.
   */
  readonly approval?: { readonly timeoutInHours: number; readonly boundToRun?: true };
  /** Azure ML (v2) only: how traffic moves to the new deployment. */
  readonly rollout?: RolloutPolicy;
  /** The data checks before any job; absent in runs started before there were any. */
  readonly data?: DataPolicy;
  /** Azure ML (v2) only: the deployment an earlier run kept as its rollback target, deleted once its hold is over. */
  readonly retire?: { readonly deployment: string; readonly afterMs: number };
  /** Webhooks were configured for the endpoint when the run started: it tells them (functions/orchestrators/notify.ts). */
  readonly notify?: true;
}

export interface DataPolicy {
  readonly expectations: DataExpectations;
  /** End `skipped` when the data's sha256 is `previous`'s (false: forced, or the endpoint's setting). */
  readonly skipUnchanged: boolean;
  /** The endpoint's last trained run (promoted or rejected) and the sha256 of its data. */
  readonly previous?: { readonly runId: string; readonly sha256: string };
  /** The endpoint's last promoted run with a data profile: what the serving model learned from. */
  readonly reference?: string;
}

/** A staged shift: steps of live traffic to the new deployment, each held and checked. */
export interface RolloutPolicy {
  /** Rising percentages ending at 100, e.g. [10, 50, 100]. */
  readonly steps: readonly number[];
  /** Held at each step below 100 (and in the mirror phase) before its probe check. */
  readonly stepWaitInSeconds: number;
  /** A mirror phase first at this share (0: none). */
  readonly mirrorPercent: number;
  /** Bound on each long-running operation (deployment, traffic change, delete). */
  readonly operationTimeoutInMinutes: number;
  /** How long the replaced deployment is kept at 0 % as the rollback target. */
  readonly retireAfterHours: number;
}

/** The external event an approval or rejection arrives as. */
export const APPROVAL_EVENT = "ApprovalDecision";

export type RunApproval = RecordedApproval;
export interface ApprovalDecision {
  readonly approved: boolean;
  readonly by: string;
  readonly comment?: string;
  /** The run the person reviewed: a decision binds to it, never to whatever run waits when it arrives. */
  readonly runId?: string;
}

export interface PollingPolicy {
  readonly firstIntervalInSeconds: number;
  /**
   * From the endpoint's run history: how long its jobs took lately. The first poll then waits
   * most of that (`EXPECTED_DURATION_SHARE`) instead of asking early and often.
   */
  readonly expectedTrainingSeconds?: number;
  readonly backoffFactor: number;
  readonly maxIntervalInSeconds: number;
  readonly deadlineInMinutes: number;
}

export type RunStage = "staging" | "checking-data" | "submitting" | "starting" | "training" | "evaluating" | "awaiting-approval" | "promoting" | "verifying" | "done";

/** `skipped`: the data is the same as the last trained run's; `data-rejected`: it failed its checks. Neither submits a job. */
export type RunResult = "promoted" | "rejected" | "dry-run" | "failed" | "rolled-back" | "skipped" | "data-rejected";

/** A manual rollback: restore an archived model through the same PATCH-and-verify path. */
export interface RollbackRunInput {
  readonly runId: string;
  readonly endpoint: string;
  /** The run whose archived model (the one it replaced) is restored. */
  readonly fromRunId: string;
  readonly to: ModelRef;
  readonly trigger: { readonly kind: "http"; readonly caller?: string };
  readonly verification: { readonly delayInSeconds: number };
  /** Azure ML (v2) only: where the model may still run, and how to check it. */
  readonly azureml?: AzureMlRollback;
  /** As RetrainInput's. */
  readonly notify?: true;
}

export interface AzureMlRollback {
  /** The deployment the undone run kept at 0 % (it may since have been retired). */
  readonly retained?: string;
  /** The undone run and its job, which logged the scores `to` gave that run's probe rows. */
  readonly probe?: { readonly runId: string; readonly jobId: string };
  /** The endpoint's current rollback target from the history; the rollback's own replaces it. */
  readonly retire?: string;
  readonly policy: RolloutPolicy;
}

/** The custom status: what `GET /api/retrain/{id}` and the Durable status show at each stage. */
export interface RunStatus {
  readonly runId: string;
  readonly endpoint: string;
  readonly stage: RunStage;
  readonly staged?: { readonly bytes: number; readonly method: string; readonly sha256?: string };
  readonly jobId?: string;
  readonly jobState?: string;
  readonly polls?: number;
  readonly metrics?: Readonly<Record<string, number>>;
  readonly championMetrics?: Readonly<Record<string, number>>;
  readonly decision?: { readonly passed: boolean; readonly reasons: readonly string[]; readonly comparedWithChampion?: boolean };
  readonly approval?: RunApproval;
  readonly result?: RunResult;
  /** The model the endpoint was set to (when promoted or attempted). */
  readonly model?: string;
  readonly verification?: readonly string[];
  readonly reason?: string;
  /** Azure ML (v2): the traffic move in progress, so a run terminated mid-shift can be put back. */
  readonly shift?: TrafficShift;
}

export interface TrafficShift {
  /** The deployment that served before (all traffic goes back to it on failure). */
  readonly from: string;
  readonly to: string;
  /** Live traffic on `to` as last set (0 while it is checked through its header). */
  readonly percent: number;
  /** Whether the run created `to` (and may remove it), or it already existed (a retained deployment). */
  readonly created: boolean;
}

/** One scheduled tick: a run per endpoint, at most `maxParallel` at once. */
export interface FanOutInput {
  readonly runs: readonly RetrainInput[];
  readonly maxParallel: number;
  /** How often the tick reads its running runs' status (a slot frees at most this late). */
  readonly checkIntervalInSeconds: number;
  /** Where the tick was when it continued as new. */
  readonly progress?: {
    readonly next: number;
    readonly running: readonly TickRun[];
    readonly outcomes: readonly (EndpointOutcome | null)[];
  };
}

/** A run the tick started and waits for: `index` into the tick's runs. */
export interface TickRun {
  readonly index: number;
  readonly instanceId: string;
  readonly runId: string;
  /** Orchestration time after which the tick stops waiting (the run's own bounds have passed). */
  readonly giveUpAtMs: number;
}

export interface EndpointOutcome {
  readonly endpoint: string;
  readonly runId: string;
  /** `skipped`: a run of the endpoint (ad-hoc, or a rollback) was already going. */
  readonly result: RunResult | "skipped" | "unknown";
  readonly reason?: string;
}
