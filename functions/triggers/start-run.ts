import { randomBytes } from "node:crypto";
import type * as df from "durable-functions";
import { parseGateRules } from "../../shared/evaluation/gate";
import { backendOf, dataExpectationsOf, endpointSettingsOf, skipsUnchanged, webhooksOf, type Settings } from "../../shared/config/settings";
import { dataBaseline, type DataBaseline } from "../../shared/history/data-baseline";
import { catalogueFor } from "../../shared/evaluation/catalogues";
import { expectedTrainingSeconds } from "../../shared/history/expected-duration";
import { RETRAIN_ORCHESTRATOR } from "../orchestrators/retrain-orchestrator";
import type { RetrainInput, RolloutPolicy } from "../orchestrators/run-input";
import { startUnlessActive, type StartOutcome } from "../app/instances";
import { instanceIdFor } from "../orchestrators/instance-ids";
import { settleTerminated, type SettleDependencies } from "../app/terminated";

export interface RunOptions {
  readonly endpoint: string;
  readonly dataSource?: string;
  readonly gate?: string;
  readonly dryRun?: boolean;
  readonly requireApproval?: boolean;
  readonly trigger: RetrainInput["trigger"];
  /** From the run history (see expectedTrainingSeconds); places the first status poll. */
  readonly expectedTrainingSeconds?: number;
  /** From the run history: the deployment the last v2 promotion kept as its rollback target. */
  readonly retire?: RetrainInput["retire"];
  /** Train even when the data is the same as the last trained run's. */
  readonly force?: boolean;
  /** From the run history: what the data is compared with. */
  readonly baseline?: DataBaseline;
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
    backend: backendOf(settings, o.endpoint),
    dataSource: o.dataSource ?? endpointSettingsOf(settings, o.endpoint)?.dataSource ?? settings.RETRAIN_DATA_SOURCE,
    gate: parseGateRules(o.gate ?? endpointSettingsOf(settings, o.endpoint)?.gate ?? settings.RETRAIN_GATE, catalogueFor(backendOf(settings, o.endpoint))),
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
    ...((o.requireApproval ?? settings.APPROVAL_REQUIRED) ? { approval: { timeoutInHours: settings.APPROVAL_TIMEOUT_HOURS, boundToRun: true as const } } : {}),
    data: {
      expectations: dataExpectationsOf(settings, o.endpoint),
      skipUnchanged: !(o.force ?? false) && skipsUnchanged(settings, o.endpoint),
      ...(o.baseline?.previous ? { previous: o.baseline.previous } : {}),
      ...(o.baseline?.reference ? { reference: o.baseline.reference } : {}),
    },
    ...(webhooksOf(settings, o.endpoint).length > 0 ? { notify: true as const } : {}),
    ...(backendOf(settings, o.endpoint) === "azureml"
      ? {
          rollout: rolloutPolicy(settings),
          ...(o.retire ? { retire: o.retire } : {}),
        }
      : {}),
  };
}

/** How a v2 endpoint's traffic moves, from settings. */
export function rolloutPolicy(settings: Settings): RolloutPolicy {
  return {
    steps: settings.AZUREML_TRAFFIC_STEPS, stepWaitInSeconds: settings.AZUREML_STEP_WAIT_SECONDS, mirrorPercent: settings.AZUREML_MIRROR_PERCENT,
    operationTimeoutInMinutes: settings.AZUREML_OPERATION_TIMEOUT_MINUTES, retireAfterHours: settings.AZUREML_RETIRE_AFTER_HOURS,
  };
}

/** `buildRunInput` with the first poll placed, the rollback target and the data baseline taken from the endpoint's run history. */
export async function runInputFromHistory(settings: Settings, history: Parameters<typeof expectedTrainingSeconds>[0], o: RunOptions): Promise<RetrainInput> {
  const expected = await expectedTrainingSeconds(history, o.endpoint);
  const retire = backendOf(settings, o.endpoint) === "azureml" ? await retainedDeployment(history, o.endpoint) : undefined;
  const baseline = await dataBaseline(history, o.endpoint);
  return buildRunInput(settings, { ...o, ...(expected !== undefined ? { expectedTrainingSeconds: expected } : {}), ...(retire ? { retire } : {}), baseline });
}

/** The rollback target the endpoint's latest v2 promotion or rollback kept, if any (a later one replaces it). */
export async function retainedDeployment(history: Parameters<typeof expectedTrainingSeconds>[0], endpoint: string): Promise<RetrainInput["retire"]> {
  const { runs } = await history.list({ endpoint, limit: 20 });
  const kept = runs.find((r) => (r.result === "promoted" || r.result === "rolled-back") && r.rollout)?.rollout?.retained;
  return kept ? { deployment: kept.deployment, afterMs: Date.parse(kept.retireAfter) } : undefined;
}

/**
 * Starts a run (or, with `orchestrator`, a rollback) for the endpoint unless its instance is
 * still active; a terminated run there is settled first (its job, its poller, its record).
 */
export function startIfIdle(
  client: df.DurableClient,
  settle: SettleDependencies,
  input: { readonly endpoint: string; readonly runId: string },
  orchestrator: string = RETRAIN_ORCHESTRATOR,
  payload: unknown = input,
): Promise<StartOutcome> {
  return startUnlessActive(client, settle.startLock, instanceIdFor(input.endpoint), input.runId, orchestrator, payload, (previous) => settleTerminated(client, settle, previous));
}

