import * as df from "durable-functions";
import type { EventGridEvent, InvocationContext } from "@azure/functions";
import { appDependencies, appSettings } from "../app/dependencies";
import { ACTIVE, startUnlessActive, statusOrUndefined } from "../app/instances";
import { backendOf, endpointForBlob, type Settings } from "../../shared/config/settings";
import { arrive } from "../../shared/storage/pending-data";
import { stagingAccountName } from "../../shared/storage/storage-account";
import { LOG_LINE_CHARS, logSafe } from "../../shared/text/safe-text";
import { newDataInstanceId } from "../orchestrators/instance-ids";
import { NEW_DATA_ORCHESTRATOR, type NewDataInput } from "../orchestrators/new-data-orchestrator";
import { TICK_RUN_WAIT_MARGIN_MINUTES } from "../orchestrators/policies";
import { NEW_DATA_FUNCTION, readBlobCreated } from "./blob-created";


/**
 * New data: a `Microsoft.Storage.BlobCreated` event from the storage account's Event Grid system
 * topic (infra/app/events.bicep), for a blob in an endpoint's data location. The arrival is
 * written to the endpoint's waiting data first, then a watcher is made sure of, which debounces
 * and starts the run (functions/orchestrators/new-data-orchestrator.ts).
 *
 * An Event Grid trigger rather than a blob trigger with `source: "EventGrid"`: both ride the same
 * subscription and events, but the blob trigger hands the function the blob's content, which the
 * host reads whole into memory, for a file that only needs to be named here; the Event Grid
 * trigger gets the event alone. Only a failure worth retrying (storage, the durable client)
 * throws: the host then answers 500 and Event Grid delivers the event again.
 */
df.app.client.eventGrid(NEW_DATA_FUNCTION, {
  handler: async (event: EventGridEvent, client: df.DurableClient, context: InvocationContext): Promise<void> => {
    const settings = appSettings();
    const read = readBlobCreated(event, { account: stagingAccountName(settings), nowInMs: Date.now() });
    if ("ignored" in read) return context.log(logSafe(`Ignored ${read.ignored}.`, LOG_LINE_CHARS));
    const { container, blob } = read.blob;
    const endpoint = endpointForBlob(settings, container, blob);
    if (!endpoint) return context.log(logSafe(`Ignored blob ${container}/${blob.slice(0, 200)}: it is in no endpoint's data location.`, LOG_LINE_CHARS));
    const d = appDependencies();
    const arrival = { source: `blob:${container}/${blob}`, eventId: read.blob.eventId, eventTime: read.blob.eventTime, ...(read.blob.bytes !== undefined ? { bytes: read.blob.bytes } : {}) };
    let step = "record the arrival";
    try {
      const a = await d.pending.update(endpoint, (s) => arrive(s, arrival, (n) => newDataInstanceId(endpoint, n)));
      if (a.duplicate) return context.log(logSafe(`Event ${JSON.stringify(read.blob.eventId.slice(0, 80))} for ${container}/${blob.slice(0, 200)} was counted already (Event Grid delivered it again).`, LOG_LINE_CHARS));
      d.telemetry.event("NewDataArrived", { endpoint, dataSource: arrival.source, watcher: a.watcher, waiting: String(a.waiting) });
      step = "start its watcher";
      const watcher = await ensureWatcher(client, settings, endpoint, a.watcher);
      context.log(logSafe(`New data for ${endpoint}: ${container}/${blob.slice(0, 200)} (${a.waiting} waiting; watcher ${watcher}).`, LOG_LINE_CHARS));
    } catch (e) {
      // The reason goes to the log; what the host makes of a throw (a 500 for Event Grid, which delivers again) carries none of it.
      context.error(logSafe(`New data for ${endpoint}: could not ${step} for ${container}/${blob.slice(0, 200)}; Event Grid will deliver it again: ${(e as Error).message ?? String(e)}`, LOG_LINE_CHARS));
      throw new Error(`New data for endpoint ${endpoint} could not be recorded.`);
    }
  },
});

/**
 * Starts the watcher the waiting data names unless it runs. One that ended without releasing
 * the data (failed, terminated) is replaced by a new one, so data never waits for a dead watcher.
 */
async function ensureWatcher(client: df.DurableClient, settings: Settings, endpoint: string, watcher: string): Promise<string> {
  const d = appDependencies();
  const status = await statusOrUndefined(client, watcher);
  let id = watcher;
  if (status && !ACTIVE.has(status.runtimeStatus)) {
    id = await d.pending.update(endpoint, (s) => {
      if (s.watcher !== watcher) return { value: s.watcher ?? watcher }; // replaced by another arrival already
      const next = newDataInstanceId(endpoint, s.watchers + 1);
      return { state: { ...s, watcher: next, watchers: s.watchers + 1 }, value: next };
    });
  } else if (status) return watcher;
  await startUnlessActive(client, d.startLock, id, id, NEW_DATA_ORCHESTRATOR, watcherInput(settings, endpoint, id));
  return id;
}

/** The watcher's bounds, from settings: the longest a run of the endpoint can take by its own bounds, plus a margin. */
export function watcherInput(settings: Settings, endpoint: string, watcher: string): NewDataInput {
  const rollout = backendOf(settings, endpoint) === "azureml" ? settings.AZUREML_OPERATION_TIMEOUT_MINUTES + (settings.AZUREML_TRAFFIC_STEPS.length * settings.AZUREML_STEP_WAIT_SECONDS) / 60 : 0;
  const approval = settings.APPROVAL_REQUIRED ? settings.APPROVAL_TIMEOUT_HOURS * 60 : 0;
  return {
    endpoint, watcher,
    debounceInSeconds: settings.RETRAIN_DATA_DEBOUNCE_SECONDS,
    checkIntervalInSeconds: settings.POLL_FIRST_INTERVAL_SECONDS,
    waitLimitInMinutes: settings.JOB_DEADLINE_MINUTES + approval + rollout + TICK_RUN_WAIT_MARGIN_MINUTES,
  };
}
