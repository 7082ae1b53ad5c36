import { randomUUID } from "node:crypto";
import type { RunningEmulator } from "../emulator/classic/emulator";

/** When the service saw a job begin running and end. */
export interface JobTimes { runningAt?: string; endedAt?: string }

/** Most jobs Running at once, from when each began running to when it ended. */
export function maxConcurrent(jobs: readonly JobTimes[]): number {
  const edges = jobs.filter((j) => j.runningAt).flatMap((j) => [[Date.parse(j.runningAt!), 1], [j.endedAt ? Date.parse(j.endedAt) : Infinity, -1]] as const);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]); // an end before a start at the same instant
  let now = 0;
  let max = 0;
  for (const [, d] of edges) max = Math.max(max, (now += d));
  return max;
}

/** A call to the local service's admin API (faults, jobs). */
export function adminOf(emulator: RunningEmulator): (method: string, p: string, body?: unknown) => Promise<Response> {
  return (method, p, body) => fetch(`${emulator.managementUrl}/_admin/${p}`, {
    method, headers: { Authorization: `Bearer ${emulator.config.managementToken}`, "Content-Type": "application/json" }, ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

/**
 * The app's settings for one benchmark tick over `endpoints` at `emulator`, on tiny data in
 * `dataRoot`, with fresh staging and history names; `timing` sets the polls, verification wait
 * and deadline each benchmark needs.
 */
export function fanOutSettings(
  emulator: RunningEmulator,
  storage: string,
  o: { endpoints: readonly string[]; maxParallel: number; dataRoot: string; timing: Record<string, string> },
): Record<string, string> {
  const c = emulator.config;
  return {
    FUNCTIONS_WORKER_RUNTIME: "node", AzureWebJobsStorage: storage,
    AML_SERVICES_URL: emulator.servicesUrl, AML_MANAGEMENT_URL: emulator.managementUrl, AML_WORKSPACE_ID: c.workspaceId,
    AML_TRAINING_SERVICE_ID: c.trainingServiceId, AML_TRAINING_API_KEY: c.trainingApiKey, AML_PREDICTIVE_SERVICE_ID: c.predictiveServiceId,
    AML_MANAGEMENT_API_KEY: c.managementToken, RETRAIN_ENDPOINTS: o.endpoints.join(","), RETRAIN_MAX_PARALLEL: String(o.maxParallel),
    RETRAIN_SCHEDULE: "0 0 3 * * 0", RETRAIN_DATA_SOURCE: "tiny.csv", RETRAIN_DATA_ROOT: o.dataRoot, RETRAIN_GATE: "AUC>=0.5",
    STAGING_STORAGE_CONNECTION_STRING: storage, STAGING_CONTAINER: `runs-${randomUUID().slice(0, 8)}`,
    HISTORY_TABLE: `runs${randomUUID().replace(/-/g, "").slice(0, 12)}`,
    ...o.timing,
  };
}
