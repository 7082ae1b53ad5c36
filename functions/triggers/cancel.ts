import * as df from "durable-functions";
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { appDependencies, appSettings } from "../app/dependencies";
import { ACTIVE, runIdOf, statusOrUndefined } from "../app/instances";
import { settleTerminated } from "../app/terminated";
import { RETRAIN_ORCHESTRATOR } from "../orchestrators/retrain-orchestrator";
import { callerOf } from "./caller";
import { LOG_LINE_CHARS, SENTENCE_CHARS, logSafe, plainText } from "../../shared/text/safe-text";
import type { DecisionRequest } from "./retrain-request";

/** How long the call waits for the engine to carry out the termination before answering. */
const TERMINATION_WAIT_IN_MS = 15_000;
const TERMINATION_POLL_IN_MS = 250;

/**
 * `POST /api/retrain/{instanceId}/cancel?runId=…` (or `{"runId"}`; optional `"comment"`): ends
 * that run and what it left running. Durable's own terminate would end only the orchestration;
 * this also ends its poller, cancels its job and records it (settleTerminated), at once rather
 * than at the endpoint's next start. 404 unknown, 409 another run on the instance (both named),
 * not a retraining run, or already ended.
 */
export async function cancelRun(request: HttpRequest, client: df.DurableClient, context: InvocationContext, instanceId: string, decision: DecisionRequest): Promise<HttpResponseInit> {
  const comment = decision.comment;
  const status = await statusOrUndefined(client, instanceId);
  if (!status) return { status: 404, jsonBody: { error: `No run with instance id ${instanceId}.` } };
  if (status.name !== RETRAIN_ORCHESTRATOR) return { status: 409, jsonBody: { error: `Instance ${instanceId} is not a retraining run (it is ${status.name}); nothing was changed.` } };
  const current = runIdOf(status);
  if (current !== decision.runId) {
    return { status: 409, jsonBody: { error: `Run ${decision.runId} is not the run on instance ${instanceId}: ${current ? `run ${current} is (${status.runtimeStatus})` : "it holds no run"}. A cancel applies only to the run it names; nothing was changed.`, runId: decision.runId, ...(current ? { currentRunId: current } : {}) } };
  }
  if (!ACTIVE.has(status.runtimeStatus) && status.runtimeStatus !== df.OrchestrationRuntimeStatus.Terminated) {
    return { status: 409, jsonBody: { error: `Run ${decision.runId} has already ended (${status.runtimeStatus}); nothing was changed.`, runId: decision.runId } };
  }
  const by = callerOf(request, appSettings().WEBSITE_AUTH_ENABLED);
  if (ACTIVE.has(status.runtimeStatus)) await client.terminate(instanceId, `cancelled by ${by}${comment ? `: ${plainText(comment, SENTENCE_CHARS)}` : ""}`);
  // The engine terminates asynchronously: wait (bounded) to settle what the run left behind.
  let now = status;
  for (let waited = 0; now.runtimeStatus !== df.OrchestrationRuntimeStatus.Terminated && waited < TERMINATION_WAIT_IN_MS; waited += TERMINATION_POLL_IN_MS) {
    await new Promise((r) => setTimeout(r, TERMINATION_POLL_IN_MS));
    now = (await statusOrUndefined(client, instanceId)) ?? now;
  }
  if (now.runtimeStatus !== df.OrchestrationRuntimeStatus.Terminated) {
    return { status: 202, jsonBody: { instanceId, runId: decision.runId, cancelled: true, settled: false, note: `Termination was requested but has not happened yet (the run is ${now.runtimeStatus}); its job, poller and record are settled when the endpoint's next run starts, or call cancel again.` } };
  }
  const settled = await settleTerminated(client, appDependencies(), now);
  // What was settled quotes the ML service's answers: one printable line.
  context.log(logSafe(`Run ${decision.runId} (instance ${instanceId}) cancelled by ${by}: ${settled ?? "already settled"}.`, LOG_LINE_CHARS));
  return { status: 202, jsonBody: { instanceId, runId: decision.runId, cancelled: true, settled: settled ?? "already settled" } };
}
