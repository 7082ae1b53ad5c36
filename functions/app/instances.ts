import type * as df from "durable-functions";
import type { StartLock } from "../../shared/storage/start-lock";

/** Runtime states in which an instance is still working: a second run must not start. */
export const ACTIVE: ReadonlySet<string> = new Set(["Running", "Pending", "ContinuedAsNew", "Suspended"]);

export type StartOutcome =
  | { readonly started: true; readonly instanceId: string; readonly runId: string }
  | { readonly started: false; readonly instanceId: string; readonly runtimeStatus: string };

/**
 * Starts `orchestrator` under `instanceId` unless that instance is still active. `beforeStart`
 * sees the ended instance about to be replaced (its status goes with it): a terminated run is
 * settled there (functions/app/terminated.ts). The check and the start happen under `lock`: the
 * extension accepts two racing starts of one id, and runs only one of them.
 */
export async function startUnlessActive(
  client: df.DurableClient,
  lock: StartLock,
  instanceId: string,
  runId: string,
  orchestrator: string,
  payload: unknown,
  beforeStart?: (previous: df.DurableOrchestrationStatus) => Promise<unknown>,
): Promise<StartOutcome> {
  const held = await lock.exclusive(instanceId, async (): Promise<StartOutcome> => {
    const previous = await statusOrUndefined(client, instanceId);
    const runtimeStatus = previous?.runtimeStatus;
    if (runtimeStatus && ACTIVE.has(runtimeStatus)) return { started: false, instanceId, runtimeStatus };
    if (previous && beforeStart) await beforeStart(previous);
    try {
      await client.startNew(orchestrator, { instanceId, input: payload });
    } catch (e) {
      // A start from outside this app's lock (Durable's own API) raced past the check above and
      // the extension refused this one with 409: report the winner's run.
      const now = (await statusOrUndefined(client, instanceId))?.runtimeStatus;
      if (now && ACTIVE.has(now)) return { started: false, instanceId, runtimeStatus: now };
      throw e;
    }
    return { started: true, instanceId, runId };
  });
  // Another start of this id is under way: its instance is as good as Pending.
  return held.held ? held.value : { started: false, instanceId, runtimeStatus: "Pending" };
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

/** The run an instance holds: its input's run id (what it was started with), whatever its custom status says. */
export function runIdOf(status: df.DurableOrchestrationStatus): string | undefined {
  const id = (status.input as { runId?: unknown } | null | undefined)?.runId;
  return typeof id === "string" ? id : undefined;
}
