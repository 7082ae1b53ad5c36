import * as df from "durable-functions";
import type { RunRecordResult } from "../../shared/history/run-record";
import type { RunResult, RunStage } from "../orchestrators/run-input";
import type { NewDataStatus } from "../orchestrators/new-data-orchestrator";
import type { RunAction } from "../../shared/notify/events";

/**
 * The product's value sets as the description lists them. Where the product has only a type,
 * the list is a table keyed by that type: a value added to (or removed from) the type and not
 * here is a compile error, so the description cannot drift from the code.
 */
const keysOf = <T extends string>(table: Readonly<Record<T, true>>): readonly T[] => Object.keys(table) as T[];

export const RUN_STAGES = keysOf<RunStage>({
  staging: true, "checking-data": true, submitting: true, starting: true, training: true, evaluating: true, "awaiting-approval": true, promoting: true, verifying: true, done: true,
});

/** A new-data watcher's stages: `GET /api/retrain/{instanceId}` shows any of the app's instances. */
export const WATCHER_STAGES = keysOf<NewDataStatus["stage"]>({ debouncing: true, "waiting-for-run": true, starting: true, done: true });

export const RUN_RESULTS = keysOf<RunResult>({ promoted: true, rejected: true, "dry-run": true, failed: true, "rolled-back": true, skipped: true, "data-rejected": true });

export const RECORD_RESULTS = keysOf<RunRecordResult>({
  promoted: true, rejected: true, "dry-run": true, failed: true, "rolled-back": true, skipped: true, "data-rejected": true, running: true, "awaiting-approval": true, terminated: true,
});

export const DECISIONS = keysOf<RunAction>({ approve: true, reject: true, cancel: true });

export const RUNTIME_STATUSES: readonly string[] = Object.values(df.OrchestrationRuntimeStatus);
