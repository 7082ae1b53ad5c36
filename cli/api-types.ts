/**
 * The shapes the CLI reads, taken from the app's own source (types only: nothing of the app runs
 * in the CLI). Where a handler builds its answer inline, the type here composes the app's parts.
 */
import type { RunStatus } from "../functions/orchestrators/run-input";
import type { RunRecord, RunRecordResult } from "../shared/history/run-record";

export type { RunRecord, RunRecordResult } from "../shared/history/run-record";
export type { RunPage } from "../shared/history/run-history";
export type { EndpointList, EndpointView, EndpointActiveRun } from "../functions/triggers/endpoints";
export type { RetrainRequest, DecisionRequest } from "../functions/triggers/retrain-request";

/** `GET /api/retrain/{instanceId}` (functions/triggers/register.ts, retrainStatus). */
export type RetrainStatus = Partial<RunStatus> & {
  readonly instanceId: string;
  readonly runtimeStatus: string;
  readonly createdTime: string;
  readonly lastUpdatedTime: string;
  readonly output?: unknown;
  readonly links?: Record<string, string>;
};

/** The 202 of `POST /api/retrain` and of a rollback (functions/triggers/started.ts). */
export interface RunStarted {
  readonly id: string;
  readonly runId: string;
  readonly statusQueryGetUri?: string;
  readonly links: Record<string, string>;
}

/** A `GET /api/runs/{runId}` record with its webhook deliveries (functions/triggers/runs.ts). */
export type RunWithDeliveries = RunRecord & { readonly deliveries?: readonly unknown[] };

/** Every result a record can hold, for `--status` (the compiler checks it is the whole union). */
export const RUN_RESULTS = ["promoted", "rejected", "dry-run", "failed", "rolled-back", "skipped", "data-rejected", "running", "awaiting-approval", "terminated"] as const satisfies readonly RunRecordResult[];
type Missing = Exclude<RunRecordResult, (typeof RUN_RESULTS)[number]>;
export const RUN_RESULTS_COMPLETE: [Missing] extends [never] ? true : Missing = true;
