import { describe, expect, it } from "vitest";
import type * as df from "durable-functions";
import { tickActivities } from "../../../functions/activities/tick";
import { TICK_ACTIVITY } from "../../../functions/activities/names";
import type { RetrainInput } from "../../../functions/orchestrators/run-input";
import { InProcessStartLock } from "../../../shared/storage/start-lock";

const run = (runId: string): RetrainInput => ({
  runId, endpoint: "retrain", dataSource: "census.csv", gate: [], dryRun: false, trigger: { kind: "schedule" },
  polling: { firstIntervalInSeconds: 10, backoffFactor: 2, maxIntervalInSeconds: 60, deadlineInMinutes: 30 }, verification: { delayInSeconds: 30 },
});

/** A durable client over one instance table, refusing to start over an active instance as the extension does. */
function fakeClient(instances: Record<string, Partial<df.DurableOrchestrationStatus>>, o: { loseFirstReply?: boolean } = {}) {
  let starts = 0;
  const client = {
    getStatus: (id: string) => (instances[id] ? Promise.resolve(instances[id]) : Promise.reject(new Error("Durable Functions extension replied with HTTP 404 response."))),
    startNew: (_name: string, s: { instanceId: string; input: RetrainInput }) => {
      const cur = instances[s.instanceId];
      if (cur && String(cur.runtimeStatus) === "Running") return Promise.reject(new Error("HTTP 409"));
      instances[s.instanceId] = { runtimeStatus: "Running" as df.OrchestrationRuntimeStatus, input: s.input };
      // the start got through, but its reply was lost: the caller sees an error and retries
      if (o.loseFirstReply && starts++ === 0) return Promise.reject(new Error("socket hang up"));
      return Promise.resolve(s.instanceId);
    },
  } as unknown as df.DurableClient;
  const events: string[] = [];
  const telemetry = { event: (name: string, p: Record<string, unknown>) => events.push(`${name} ${String(p.runId)}`), exception: () => undefined, metric: () => undefined, flush: () => Promise.resolve() };
  return { activities: tickActivities(client, { telemetry, startLock: new InProcessStartLock() } as never), events };
}

describe("the tick's activities", () => {
  it("start a run under the endpoint's singleton id, or report it busy, never starting over it", async () => {
    const instances: Record<string, Partial<df.DurableOrchestrationStatus>> = {};
    const { activities, events } = fakeClient(instances);
    expect(await activities[TICK_ACTIVITY.startRun]({ instanceId: "retrain-retrain", run: run("r1") })).toEqual({ kind: "ok", value: { started: true } });
    expect(await activities[TICK_ACTIVITY.startRun]({ instanceId: "retrain-retrain", run: run("r2") })).toEqual({ kind: "ok", value: { started: false, runtimeStatus: "Running" } });
    expect((instances["retrain-retrain"]!.input as RetrainInput).runId).toBe("r1");
    expect(events).toEqual(["RetrainStarted r1"]);
  });

  it("a start whose reply was lost, or that is retried after it got through, finds its own run and reports it started", async () => {
    const instances: Record<string, Partial<df.DurableOrchestrationStatus>> = {};
    const { activities } = fakeClient(instances, { loseFirstReply: true });
    expect(await activities[TICK_ACTIVITY.startRun]({ instanceId: "retrain-retrain", run: run("r1") })).toEqual({ kind: "ok", value: { started: true } });
    expect(await activities[TICK_ACTIVITY.startRun]({ instanceId: "retrain-retrain", run: run("r1") })).toEqual({ kind: "ok", value: { started: true } });
    expect((instances["retrain-retrain"]!.input as RetrainInput).runId).toBe("r1");
  });

  it("read each watched run's state: going, ended with its result, failed with its reason, or gone", async () => {
    const { activities } = fakeClient({
      "retrain-a": { runtimeStatus: "Running" as df.OrchestrationRuntimeStatus, input: { runId: "a1" } },
      "retrain-b": { runtimeStatus: "Completed" as df.OrchestrationRuntimeStatus, input: { runId: "b1" }, output: { result: "rejected", reason: "AUC too low" } },
      "retrain-c": { runtimeStatus: "Failed" as df.OrchestrationRuntimeStatus, input: { runId: "c1" }, customStatus: { reason: "staging failed" }, output: "Orchestrator failed" },
      "retrain-d": { runtimeStatus: "Terminated" as df.OrchestrationRuntimeStatus, input: { runId: "d1" } },
      "retrain-e": { runtimeStatus: "Running" as df.OrchestrationRuntimeStatus, input: { runId: "e2" } },
    });
    const states = await activities[TICK_ACTIVITY.checkRuns](["a", "b", "c", "d", "e", "f"].map((x) => ({ instanceId: `retrain-${x}`, runId: `${x}1` })));
    expect(states).toEqual({
      kind: "ok",
      value: [
        { runId: "a1", ended: false },
        { runId: "b1", ended: true, result: "rejected", reason: "AUC too low" },
        { runId: "c1", ended: true, result: "failed", reason: "staging failed" },
        { runId: "d1", ended: true, result: "failed", reason: "the run was terminated" },
        { runId: "e1", ended: true, result: "unknown", reason: "it ended and instance retrain-e now holds run e2; its run record has the outcome" },
        { runId: "f1", ended: true, result: "unknown", reason: "its instance retrain-f no longer exists (purged?)" },
      ],
    });
  });
});
