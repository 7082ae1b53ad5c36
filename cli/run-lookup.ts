import type { RetrainerClient } from "./api-client";
import type { RetrainStatus, RunWithDeliveries } from "./api-types";
import { CliError, EXIT } from "./exit-codes";

/** What the API path segments may hold: the app's run ids are `{endpoint}-{UTC stamp}-{hex}`. */
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const STAMPED = /^(.+)-\d{8}T\d{6}Z-[0-9a-f]{6}$/;

export function checkRunId(runId: string): string {
  if (!RUN_ID.test(runId)) throw new CliError(`RUN must be a run id such as retrain-20261208T010105Z-cfc719 (letters, digits and . _ : -, at most 128); got "${runId.slice(0, 60)}"`, EXIT.usage);
  return runId;
}

/** A run's instance from its id alone (`retrain-{endpoint}`), for a run not recorded yet. */
export function instanceFromRunId(runId: string): string | undefined {
  const endpoint = STAMPED.exec(runId)?.[1];
  return endpoint ? `retrain-${endpoint.toLowerCase()}` : undefined;
}

export interface FoundRun {
  readonly runId: string;
  readonly instanceId: string;
  /** The history's record (a run is recorded when it ends, and while it waits for approval). */
  readonly record?: RunWithDeliveries;
  /** Its orchestration's status, when the instance still holds this run. */
  readonly live?: RetrainStatus;
}

/** The record and, while it is the instance's run, the live status; 404 (exit 3) when neither knows it. */
export async function findRun(api: RetrainerClient, runId: string): Promise<FoundRun> {
  checkRunId(runId);
  const got = await api.send("GET", `/api/runs/${encodeURIComponent(runId)}`);
  if ("failure" in got && got.failure.status !== 404) throw api.failure(got.failure);
  const record = "failure" in got ? undefined : (got.body as RunWithDeliveries);
  const instanceId = record?.instanceId ?? instanceFromRunId(runId);
  const live = instanceId ? await liveStatus(api, instanceId) : undefined;
  const ours = live?.runId === runId ? live : undefined;
  if (!record && !ours) throw new CliError(`No run ${runId}: it is not in the run history nor in progress (retrainer runs list shows the runs).`, EXIT.notFound);
  return { runId, instanceId: instanceId!, ...(record ? { record } : {}), ...(ours ? { live: ours } : {}) };
}

/** The instance's status, or undefined when the instance does not exist. */
export async function liveStatus(api: RetrainerClient, instanceId: string): Promise<RetrainStatus | undefined> {
  const got = await api.send("GET", `/api/retrain/${encodeURIComponent(instanceId)}`);
  if ("failure" in got) {
    if (got.failure.status === 404) return undefined;
    throw api.failure(got.failure);
  }
  return got.body as RetrainStatus;
}
