import * as df from "durable-functions";
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { z } from "zod";
import { appDependencies, appSettings } from "../app/dependencies";
import { newRunId, retainedDeployment, rolloutPolicy, startIfIdle } from "./start-run";
import { backendOf, webhooksOf } from "../../shared/config/settings";
import type { ModelRef } from "../../shared/backends/model-ref";
import { BadRequest, parseJsonObjectBody } from "./retrain-request";
import { callerOf } from "./caller";
import { runStartedResponse } from "./started";
import { ROLLBACK_ORCHESTRATOR } from "../orchestrators/rollback-orchestrator";
import type { RollbackRunInput } from "../orchestrators/run-input";
import type { RunRecord } from "../../shared/history/run-record";

const bodySchema = z.object({ runId: z.string().min(1, "runId must not be empty").max(128, "runId is at most 128 characters").optional() }).strict();

/** What a promotion replaced, as a rollback can restore it: the classic archive, or the v2 version that served before. */
function targetOf(from: RunRecord, v2: boolean): ModelRef | undefined {
  if (!v2) return from.archivedModel;
  return from.result === "promoted" && from.modelBefore?.backend === "azureml" ? from.modelBefore : undefined;
}

/**
 * `POST /api/endpoints/{name}/rollback` `{"runId"}`: restores the model that run replaced. The run
 * is required: a rollback is bound to the promotion the person chose, never "whichever is latest
 * when the call lands" (400 names the latest, for a caller to confirm). Classic: the archived model through the same
 * PATCH-and-verify path. Azure ML (v2): traffic back to the deployment the run kept, or that
 * version redeployed (functions/orchestrators/azureml-rollback.ts).
 */
export async function rollbackHandler(request: HttpRequest, client: df.DurableClient, context: InvocationContext): Promise<HttpResponseInit> {
  const settings = appSettings();
  const name = request.params.name ?? "";
  const endpoint = settings.RETRAIN_ENDPOINTS.find((e) => e.toLowerCase() === name.toLowerCase());
  if (!endpoint) return { status: 404, jsonBody: { error: `Endpoint "${name}" is not one this app manages; configured: ${settings.RETRAIN_ENDPOINTS.join(", ")}.` } };
  let body: z.infer<typeof bodySchema>;
  try {
    body = parseJsonObjectBody(await request.text(), bodySchema);
  } catch (e) {
    if (e instanceof BadRequest) return { status: e.status, jsonBody: { error: e.message } };
    throw e;
  }
  const history = appDependencies().history;
  const v2 = backendOf(settings, endpoint) === "azureml";
  let from: RunRecord | undefined;
  if (body.runId) {
    from = await history.get(body.runId).catch(() => undefined);
    if (!from) return { status: 404, jsonBody: { error: `No run ${body.runId} in the history.` } };
    if (from.endpoint.toLowerCase() !== endpoint.toLowerCase()) return { status: 400, jsonBody: { error: `Run ${from.runId} belongs to endpoint ${from.endpoint}, not ${endpoint}.` } };
    if (!targetOf(from, v2)) {
      const why = from.result !== "promoted" ? `was ${from.result}` : v2 ? "replaced no model version of this workspace" : "replaced a model that could not be archived";
      return { status: 409, jsonBody: { error: `Run ${from.runId} has no ${v2 ? "earlier model version" : "archived model"} to roll back to (it ${why}); nothing was changed.` } };
    }
  } else {
    // A rollback undoes the promotion a person chose; "the latest", taken when the call lands,
    // may be one they never saw. Name it for them instead.
    const recent = await history.list({ endpoint, limit: 100 });
    const latest = recent.runs.find((r) => r.result === "promoted");
    const hint = latest ? `the latest promotion of ${endpoint} is run ${latest.runId}${latest.endedAt ? ` (${latest.endedAt})` : ""}` : `endpoint ${endpoint} has no promotion in its last ${recent.runs.length} runs`;
    return { status: 400, jsonBody: { error: `"runId" is required: name the promotion to undo (GET /api/runs?endpoint=${endpoint} lists them); ${hint}. Nothing was changed.`, ...(latest ? { latestPromotion: latest.runId } : {}) } };
  }
  const to = targetOf(from, v2)!;
  const retire = v2 ? await retainedDeployment(history, endpoint) : undefined;
  const input: RollbackRunInput = {
    runId: newRunId(endpoint, new Date()),
    endpoint,
    fromRunId: from.runId,
    to,
    trigger: { kind: "http", caller: callerOf(request, settings.WEBSITE_AUTH_ENABLED) },
    verification: { delayInSeconds: settings.VERIFY_DELAY_SECONDS },
    ...(webhooksOf(settings, endpoint).length > 0 ? { notify: true as const } : {}),
    ...(v2
      ? {
          azureml: {
            ...(from.rollout?.retained ? { retained: from.rollout.retained.deployment } : {}),
            ...(from.jobId ? { probe: { runId: from.runId, jobId: from.jobId } } : {}),
            ...(retire ? { retire: retire.deployment } : {}),
            policy: rolloutPolicy(settings),
          },
        }
      : {}),
  };
  const outcome = await startIfIdle(client, appDependencies(), input, ROLLBACK_ORCHESTRATOR);
  if (!outcome.started) return { status: 409, jsonBody: { error: `A run for endpoint ${endpoint} is ${outcome.runtimeStatus}; try again when it ends.`, instanceId: outcome.instanceId } };
  context.log(`Rolling back ${endpoint} to the model run ${from.runId} replaced (run ${input.runId}).`);
  return runStartedResponse(request, client, outcome.instanceId, input.runId, ["cancel"]);
}

df.app.client.http("rollbackEndpoint", { route: "endpoints/{name}/rollback", methods: ["POST"], authLevel: "function", handler: rollbackHandler });
