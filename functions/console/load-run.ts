import type * as df from "durable-functions";
import { createHash } from "node:crypto";
import { appDependencies } from "../app/dependencies";
import { ACTIVE, runIdOf, statusOrUndefined } from "../app/instances";
import type { RunRecord } from "../../shared/history/run-record";
import { activeRuns, provisionalRecord } from "./active-runs";
import type { LiveRun } from "./run-page";

/** A run as the console shows it: its record, or while it runs what its orchestration knows. */
export async function loadRun(client: df.DurableClient, runId: string): Promise<{ record: RunRecord; live: LiveRun; version: string } | undefined> {
  const history = appDependencies().history;
  let record: RunRecord | undefined;
  try {
    record = await history.get(runId);
  } catch (e) {
    if ((e as { code?: string }).code === "InvalidArgument") return undefined;
    throw e;
  }
  let live: LiveRun = { active: false, awaiting: false };
  let updated = "";
  const status = record ? await statusOrUndefined(client, record.instanceId) : undefined;
  if (status && runIdOf(status) === runId && ACTIVE.has(status.runtimeStatus)) {
    const custom = (status.customStatus ?? {}) as LiveRun["custom"] & object;
    live = { runtimeStatus: status.runtimeStatus, custom, active: true, awaiting: custom.stage === "awaiting-approval" };
    updated = new Date(status.lastUpdatedTime).toISOString();
  }
  if (!record) {
    const running = (await activeRuns(client)).find((r) => r.runId === runId);
    if (!running) return undefined;
    record = provisionalRecord(running);
    live = { runtimeStatus: running.runtimeStatus, custom: running.custom, active: true, awaiting: running.custom.stage === "awaiting-approval" };
    updated = running.lastUpdatedTime;
  }
  const version = createHash("sha256").update(JSON.stringify([record.result, record.endedAt, live.runtimeStatus, live.custom?.stage, live.custom?.polls, updated])).digest("base64url").slice(0, 16);
  return { record, live, version };
}

