import { randomBytes } from "node:crypto";
import type * as df from "durable-functions";
import { parseGateRules } from "../../shared/evaluation/gate";
import type { Settings } from "../../shared/config/settings";
import { expectedTrainingSeconds } from "../../shared/history/expected-duration";
import { RETRAIN_ORCHESTRATOR } from "../orchestrators/retrain-orchestrator";
import type { RetrainInput } from "../orchestrators/run-input";

/** Runtime states in which an instance is still working: a second run must not start. */
const ACTIVE = new Set(["Running", "Pending", "ContinuedAsNew", "Suspended"]);

/** One fixed instance id per endpoint: the singleton that keeps two runs off one endpoint. */
export const instanceIdFor = (endpoint: string) => `retrain-${endpoint.toLowerCase()}`;

export interface RunOptions {
  readonly endpoint: string;
  readonly dataSource?: string;
  readonly gate?: string;
  readonly dryRun?: boolean;
  readonly requireApproval?: boolean;
  readonly trigger: RetrainInput["trigger"];
  /** From the run history (see expectedTrainingSeconds); places the first status poll. */
  readonly expectedTrainingSeconds?: number;
}

/** Builds the orchestration input from settings and the caller's overrides, once, outside the orchestrator. */
/** A run id: endpoint, UTC time and a random suffix, so runs never share blob names. */
export function newRunId(endpoint: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `${endpoint.toLowerCase()}-${stamp}-${randomBytes(3).toString("hex")}`;
}

export function buildRunInput(settings: Settings, o: RunOptions, now: Date = new Date()): RetrainInput {
  return {
    runId: newRunId(o.endpoint, now),
    endpoint: o.endpoint,
    dataSource: o.dataSource ?? perEndpoint(settings, o.endpoint)?.dataSource ?? settings.RETRAIN_DATA_SOURCE,
    gate: parseGateRules(o.gate ?? perEndpoint(settings, o.endpoint)?.gate ?? settings.RETRAIN_GATE),
    dryRun: o.dryRun ?? false,
    trigger: o.trigger,
    polling: {
      firstIntervalInSeconds: settings.POLL_FIRST_INTERVAL_SECONDS,
      ...(o.expectedTrainingSeconds !== undefined ? { expectedTrainingSeconds: o.expectedTrainingSeconds } : {}),
      backoffFactor: settings.POLL_BACKOFF_FACTOR,
      maxIntervalInSeconds: settings.POLL_MAX_INTERVAL_SECONDS,
      deadlineInMinutes: settings.JOB_DEADLINE_MINUTES,
    },
    verification: { delayInSeconds: settings.VERIFY_DELAY_SECONDS },
    ...((o.requireApproval ?? settings.APPROVAL_REQUIRED) ? { approval: { timeoutInHours: settings.APPROVAL_TIMEOUT_HOURS } } : {}),
  };
}

/** `buildRunInput` with the first poll placed from the endpoint's run history, when it has any. */
export async function runInputFromHistory(settings: Settings, history: Parameters<typeof expectedTrainingSeconds>[0], o: RunOptions): Promise<RetrainInput> {
  const expected = await expectedTrainingSeconds(history, o.endpoint);
  return buildRunInput(settings, { ...o, ...(expected !== undefined ? { expectedTrainingSeconds: expected } : {}) });
}

export type StartOutcome =
  | { readonly started: true; readonly instanceId: string; readonly runId: string }
  | { readonly started: false; readonly instanceId: string; readonly runtimeStatus: string };

/** Starts a run (or, with `orchestrator`, a rollback) for the endpoint unless its instance is still active. */
export async function startIfIdle(
  client: df.DurableClient,
  input: { readonly endpoint: string; readonly runId: string },
  orchestrator: string = RETRAIN_ORCHESTRATOR,
  payload: unknown = input,
): Promise<StartOutcome> {
  const instanceId = instanceIdFor(input.endpoint);
  const runtimeStatus = (await statusOrUndefined(client, instanceId))?.runtimeStatus;
  if (runtimeStatus && ACTIVE.has(runtimeStatus)) return { started: false, instanceId, runtimeStatus };
  try {
    await client.startNew(orchestrator, { instanceId, input: payload });
  } catch (e) {
    // Two starts raced past the check above: the host refuses the second (an active instance
    // cannot be overwritten), so the loser reports the winner's run instead of an error.
    const now = (await statusOrUndefined(client, instanceId))?.runtimeStatus;
    if (now && ACTIVE.has(now)) return { started: false, instanceId, runtimeStatus: now };
    throw e;
  }
  return { started: true, instanceId, runId: input.runId };
}

function perEndpoint(settings: Settings, endpoint: string): { dataSource?: string; gate?: string } | undefined {
  const key = Object.keys(settings.RETRAIN_ENDPOINT_SETTINGS).find((k) => k.toLowerCase() === endpoint.toLowerCase());
  return key === undefined ? undefined : settings.RETRAIN_ENDPOINT_SETTINGS[key];
}

/** An instance's status, or undefined when there is none (the client throws on 404). */
export async function statusOrUndefined(client: df.DurableClient, instanceId: string): Promise<df.DurableOrchestrationStatus | undefined> {
  try {
    return await client.getStatus(instanceId);
  } catch (e) {
    if (/HTTP 404/.test((e as Error).message)) return undefined;
    throw e;
  }
}
