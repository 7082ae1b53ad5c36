/**
 * Every Durable instance id this app creates, in one place: the ids are part of its contract
 * (status URLs, the singleton per endpoint, a poller a status reader can find), so they are built
 * and checked here and nowhere else. Pure: orchestrators use these too.
 */

/**
 * One fixed instance id per endpoint: the singleton that keeps two runs off one endpoint. Ad-hoc
 * and scheduled runs both start under it through the durable client, which refuses an id whose
 * instance is active, so neither can start over the other.
 */
export const instanceIdFor = (endpoint: string) => `retrain-${endpoint.toLowerCase()}`;

/** The scheduled tick's own singleton (an endpoint cannot be named "schedule": see settings). */
export const TICK_INSTANCE_ID = instanceIdFor("schedule");

/**
 * The poller's instance id: derived from the run's instance and its job, so a status reader can
 * find it, and a later run of the same endpoint never meets a finished poller of an earlier one.
 */
export const pollInstanceId = (runInstanceId: string, jobId: string) => `${runInstanceId}-poll-${jobId}`;

/**
 * The n-th watcher of an endpoint's new data (functions/orchestrators/new-data-orchestrator.ts):
 * a new id each time, so a new watcher never has to wait for the id of one that is ending.
 */
export const newDataInstanceId = (endpoint: string, n: number) => `newdata-${endpoint.toLowerCase()}-${n}`;

/** One webhook's deliveries of one moment of a run: the run, the event and the webhook's place in the list. */
export const notifyInstanceId = (runId: string, event: string, webhook: number) => `notify-${runId}-${event}-${webhook}`;

const MAX_INSTANCE_ID_CHARS = 200;

/**
 * Why a caller's instance id cannot be one of this app's runs, or undefined when it can be: ours
 * are `retrain-{endpoint}` (endpoints are at most 64 characters) and their pollers, all short and
 * plain. Checked before the id reaches the durable client, whose URLs it becomes part of.
 */
export function badInstanceId(id: string): string | undefined {
  if (id.length === 0 || id.length > MAX_INSTANCE_ID_CHARS) return `An instance id has 1 to ${MAX_INSTANCE_ID_CHARS} characters; this one has ${id.length}.`;
  if (!/^[A-Za-z0-9][A-Za-z0-9:_.-]*$/.test(id)) return "An instance id is letters, digits and : _ . - only.";
  return undefined;
}
