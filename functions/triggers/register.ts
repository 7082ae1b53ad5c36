import * as df from "durable-functions";
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext, type Timer } from "@azure/functions";
import { appDependencies, appSettings } from "../app/dependencies";
import { runInputFromHistory, startIfIdle } from "./start-run";
import { ACTIVE, runIdOf, startUnlessActive, statusOrUndefined } from "../app/instances";
import { runStartedResponse } from "./started";
import { runLinks, type RunAction } from "../../shared/notify/events";
import { TICK_INSTANCE_ID, badInstanceId, pollInstanceId } from "../orchestrators/instance-ids";
import { BadRequest, MAX_RETRAIN_BODY_BYTES, checkRetrainRequest, parseDecisionRequest, type DecisionRequest } from "./retrain-request";
import { callerOf } from "./caller";
import { LOG_LINE_CHARS, logSafe } from "../../shared/text/safe-text";
import { cancelRun } from "./cancel";
import { reportEndpointHealth } from "./health";
import { APPROVAL_EVENT, type ApprovalDecision, type FanOutInput, type RunStatus } from "../orchestrators/run-input";
import { FAN_OUT_ORCHESTRATOR } from "../orchestrators/fan-out-orchestrator";
import type { PollStatus } from "../orchestrators/poll-orchestrator";
import { withCanonicalMetrics } from "../../shared/history/canonical-record";

/** `POST /api/retrain`: an ad-hoc run, validated, one per endpoint at a time (the console starts runs through it too). */
export async function startRunHandler(request: HttpRequest, client: df.DurableClient, context: InvocationContext): Promise<HttpResponseInit> {
  const settings = appSettings();
  try {
    if (Number(request.headers.get("content-length") ?? 0) > MAX_RETRAIN_BODY_BYTES) throw new BadRequest(`The request body is larger than ${MAX_RETRAIN_BODY_BYTES} bytes.`, 413);
    const body = await checkRetrainRequest(await request.text(), settings);
    const caller = callerOf(request, settings.WEBSITE_AUTH_ENABLED);
    const input = await runInputFromHistory(settings, appDependencies().history, { ...body, trigger: { kind: "http", caller } });
    const outcome = await startIfIdle(client, appDependencies(), input);
    if (!outcome.started) {
      context.log(`Not starting a run for ${body.endpoint}: instance ${outcome.instanceId} is ${outcome.runtimeStatus}.`);
      return { status: 409, jsonBody: { error: `A run for endpoint ${body.endpoint} is already ${outcome.runtimeStatus}.`, instanceId: outcome.instanceId } };
    }
    context.log(`Started run ${input.runId} for ${body.endpoint} (instance ${outcome.instanceId}).`);
    appDependencies().telemetry.event("RetrainStarted", { runId: input.runId, endpoint: input.endpoint, trigger: "http", caller, dryRun: input.dryRun });
    return await runStartedResponse(request, client, outcome.instanceId, input.runId, input.approval ? ["approve", "reject", "cancel"] : ["cancel"]);
  } catch (e) {
    if (e instanceof BadRequest) return { status: e.status, jsonBody: { error: e.message } };
    throw e;
  }
}

df.app.client.http("retrainHttpStart", { route: "retrain", methods: ["POST"], authLevel: "function", handler: startRunHandler });

/** `GET /api/retrain/{instanceId}`: stage, decision and metrics of a run. */
df.app.client.http("retrainStatus", {
  route: "retrain/{instanceId}",
  methods: ["GET"],
  authLevel: "function",
  handler: async (request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> => {
    const instanceId = request.params.instanceId ?? "";
    const bad = badInstanceId(instanceId);
    if (bad) return { status: 400, jsonBody: { error: bad } };
    const status = await statusOrUndefined(client, instanceId);
    if (!status) return { status: 404, jsonBody: { error: `No run with instance id ${instanceId}.` } };
    // Canonical metric names also for a run that began before them (its evaluation said "AUC").
    let custom = withCanonicalMetrics((status.customStatus ?? {}) as Partial<RunStatus>);
    if (custom.stage === "training" && custom.jobId) {
      // While the job trains, its poller (a sub-orchestration) knows the job state and poll count.
      const poller = (await statusOrUndefined(client, pollInstanceId(instanceId, custom.jobId)))?.customStatus as Partial<PollStatus> | null | undefined;
      if (poller) custom = { ...custom, ...(poller.jobState ? { jobState: poller.jobState } : {}), ...(poller.polls !== undefined ? { polls: poller.polls } : {}) };
    }
    // What can be done to this run now, each link bound to it by its id.
    const actions: RunAction[] = !custom.runId || !ACTIVE.has(status.runtimeStatus) ? [] : custom.stage === "awaiting-approval" ? ["approve", "reject", "cancel"] : ["cancel"];
    return {
      status: 200,
      jsonBody: {
        instanceId,
        runtimeStatus: status.runtimeStatus,
        createdTime: status.createdTime,
        lastUpdatedTime: status.lastUpdatedTime,
        ...custom,
        output: typeof status.output === "object" && status.output !== null ? withCanonicalMetrics(status.output) : status.output,
        ...(custom.runId ? { links: runLinks(new URL(request.url).origin, instanceId, custom.runId, actions) } : {}),
      },
    };
  },
});

/**
 * `POST /api/retrain/{instanceId}/approve|reject?runId=…` (or `{"runId"}` in the body; optional
 * `"comment"`): a person's decision on the run they reviewed, refused (409, naming both runs)
 * unless that run is the one awaiting approval. The event carries the run id too, so the run
 * itself ignores a decision that reaches it for another run (functions/orchestrators/approval.ts).
 * `/cancel` ends a run, the same way bound to its id (cancel.ts).
 */
export async function decisionHandler(request: HttpRequest, client: df.DurableClient, context: InvocationContext): Promise<HttpResponseInit> {
  const instanceId = request.params.instanceId ?? "";
  const decision = request.params.decision ?? "";
  if (decision !== "approve" && decision !== "reject" && decision !== "cancel") return { status: 404, jsonBody: { error: `Unknown action "${decision.slice(0, 40)}"; use approve, reject or cancel.` } };
  const bad = badInstanceId(instanceId);
  if (bad) return { status: 400, jsonBody: { error: bad } };
  let body: DecisionRequest;
  try {
    if (Number(request.headers.get("content-length") ?? 0) > MAX_RETRAIN_BODY_BYTES) throw new BadRequest(`The request body is larger than ${MAX_RETRAIN_BODY_BYTES} bytes.`, 413);
    body = parseDecisionRequest(await request.text(), request.query.get("runId"), decision, instanceId);
  } catch (e) {
    if (e instanceof BadRequest) return { status: e.status, jsonBody: { error: e.message } };
    throw e;
  }
  if (decision === "cancel") return cancelRun(request, client, context, instanceId, body);
  const status = await statusOrUndefined(client, instanceId);
  if (!status) return { status: 404, jsonBody: { error: `No run with instance id ${instanceId}.` } };
  const custom = status.customStatus as Partial<RunStatus> | null | undefined;
  const waiting = status.runtimeStatus === df.OrchestrationRuntimeStatus.Running && custom?.stage === "awaiting-approval";
  const current = runIdOf(status);
  if (current !== body.runId) {
    const now = current ? `run ${current} is (${waiting ? "awaiting approval" : `${status.runtimeStatus}${custom?.stage ? `, stage ${custom.stage}` : ""}`})` : `it holds no run`;
    return { status: 409, jsonBody: { error: `Run ${body.runId} is not the run on instance ${instanceId}: ${now}. A decision applies only to the run it names; nothing was changed.`, runId: body.runId, ...(current ? { currentRunId: current } : {}) } };
  }
  if (!waiting) {
    return { status: 409, jsonBody: { error: `Run ${body.runId} is not awaiting approval (it is ${status.runtimeStatus}${custom?.stage ? `, stage ${custom.stage}` : ""}); nothing was changed.`, runId: body.runId } };
  }
  const settings = appSettings();
  const by = callerOf(request, settings.WEBSITE_AUTH_ENABLED);
  // Four eyes, when asked for: whoever started the run may not decide it. Two callers known only
  // by the function key cannot be told apart, so they count as the same person.
  const starter = (status.input as { trigger?: { caller?: unknown } } | undefined)?.trigger?.caller;
  if (settings.RETRAIN_APPROVER_MUST_DIFFER && typeof starter === "string" && starter === by) {
    return { status: 403, jsonBody: { error: `Run ${body.runId} was started by ${by}, who may not also decide it (RETRAIN_APPROVER_MUST_DIFFER); another person must. Nothing was changed.`, runId: body.runId } };
  }
  const answer: ApprovalDecision = { approved: decision === "approve", by, ...(body.comment ? { comment: body.comment } : {}), runId: body.runId };
  await client.raiseEvent(instanceId, APPROVAL_EVENT, answer);
  context.log(`Run ${body.runId} (instance ${instanceId}): ${decision} sent by ${by}.`);
  // Two people may answer at once: the run takes the first decision for it that it receives, and its status says whose.
  return { status: 202, jsonBody: { instanceId, runId: body.runId, decision: answer, note: `The run acts on the first decision for it that it receives; GET /api/retrain/${instanceId} shows which was taken.` } };
}

df.app.client.http("retrainDecision", { route: "retrain/{instanceId}/{decision}", methods: ["POST"], authLevel: "function", handler: decisionHandler });

/** The schedule: one tick fans out a run per configured endpoint; a tick while the last is still going is skipped. */
df.app.client.timer("retrainSchedule", {
  schedule: "%RETRAIN_SCHEDULE%",
  handler: async (_timer: Timer, client: df.DurableClient, context: InvocationContext): Promise<void> => {
    const settings = appSettings();
    const { history } = appDependencies();
    const runs = await Promise.all(settings.RETRAIN_ENDPOINTS.map((endpoint) => runInputFromHistory(settings, history, { endpoint, trigger: { kind: "schedule" } })));
    // The tick looks at its runs as often as a run first looks at its job.
    const input: FanOutInput = { runs, maxParallel: settings.RETRAIN_MAX_PARALLEL, checkIntervalInSeconds: settings.POLL_FIRST_INTERVAL_SECONDS };
    const outcome = await startUnlessActive(client, appDependencies().startLock, TICK_INSTANCE_ID, `schedule-${runs[0]!.runId}`, FAN_OUT_ORCHESTRATOR, input);
    if (!outcome.started) {
      context.log(`Skipped this tick: the previous scheduled tick (instance ${outcome.instanceId}) is still ${outcome.runtimeStatus}.`);
      return;
    }
    // Each run's RetrainStarted is emitted when the tick really starts it (an endpoint may be busy).
    context.log(`Scheduled tick started for ${runs.length} endpoint(s): ${runs.map((r) => r.endpoint).join(", ")} (at most ${input.maxParallel} at once).`);
  },
});

/**
 * Every hour, each endpoint's health from its run history, for the alert rules: they may look
 * back two days at most, so the app states "days since the last successful run" itself.
 */
app.timer("retrainHealth", {
  schedule: "0 5 * * * *",
  handler: async (_timer: Timer, context: InvocationContext): Promise<void> => {
    const { reported, failed } = await reportEndpointHealth(appDependencies(), appSettings().RETRAIN_ENDPOINTS, Date.now());
    context.log(`Health reported for ${reported.length} endpoint(s)${reported.length ? `: ${reported.join(", ")}` : ""}.`);
    for (const f of failed) context.error(logSafe(`Health of ${f.endpoint} not reported: ${f.error}`, LOG_LINE_CHARS));
  },
});
