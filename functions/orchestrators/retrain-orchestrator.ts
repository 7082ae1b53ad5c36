import type * as df from "durable-functions";
import { ACTIVITY, AZUREML_ACTIVITY } from "../activities/names";
import type * as C from "../activities/contracts";
import { MAX_IGNORED_DECISIONS, awaitDecision } from "./approval";
import { type RetrainInput, type RunResult, type RunStatus } from "./run-input";
import { callActivity } from "./call-activity";
import { azureMlRollout } from "./azureml-rollout";
import { taskFailureMessage } from "./task-failure";
import { DEFAULT_ROLLOUT, EXPECTED_DURATION_SHARE, RETRY, VERIFY_ATTEMPTS } from "./policies";
import { POLL_ORCHESTRATOR, type PollInput, type PollResult } from "./poll-orchestrator";
import { pollInstanceId } from "./instance-ids";
import { EVENT_OF_RESULT, notify } from "./notify";
import { formatGateRules } from "../../shared/evaluation/gate";
import { phaseOf } from "../../shared/backends/job-phase";
import { describeModel } from "../../shared/backends/model-ref";
import { DEFAULT_BACKEND } from "../../shared/backends/backend";

export const RETRAIN_ORCHESTRATOR = "retrainOrchestrator";

/**
 * One retraining run: stage → submit → start → poll (durable timers, backoff, deadline) →
 * evaluate and gate → promote → verify → record. Control flow only; every effect is an activity.
 * Deterministic: time comes from `currentUtcDateTime`, everything else from the input.
 */
export function* retrainOrchestrator(context: df.OrchestrationContext): Generator<df.Task, unknown, unknown> {
  const input = context.df.getInput<RetrainInput>();
  const ref: C.RunRef = { runId: input.runId, endpoint: input.endpoint };
  const t0 = context.df.currentUtcDateTime.getTime();
  const durations: Record<string, number> = {};
  let status: RunStatus = { ...ref, stage: "staging" };
  const setStatus = (next: Partial<RunStatus>) => {
    status = { ...status, ...next };
    context.df.setCustomStatus(status);
  };
  let stageStart = t0;
  const endStage = (name: string) => {
    const now = context.df.currentUtcDateTime.getTime();
    durations[name] = (now - stageStart) / 1000;
    stageStart = now;
  };

  function* finish(result: RunResult, extra: Partial<C.RecordInput> = {}): Generator<df.Task, unknown, unknown> {
    durations.total = (context.df.currentUtcDateTime.getTime() - t0) / 1000;
    setStatus({
      stage: "done", result,
      ...(extra.reason ? { reason: extra.reason } : {}),
      ...(extra.location ? { model: describeModel(extra.location) } : {}),
      ...(extra.verification ? { verification: extra.verification } : {}),
    });
    const record: C.RecordInput = {
      ...ref, backend: input.backend ?? DEFAULT_BACKEND, instanceId: context.df.instanceId, startedAt: new Date(t0).toISOString(), endedAt: context.df.currentUtcDateTime.toISOString(), result, trigger: input.trigger,
      dataSource: input.dataSource, gateRules: formatGateRules(input.gate), durationsInSeconds: durations,
      ...(status.staged ? { staged: status.staged } : {}), ...(checkedData?.profile ? { profile: checkedData.profile } : {}), ...(checkedData?.reference ? { profileReference: checkedData.reference } : {}),
      ...(status.jobId ? { jobId: status.jobId } : {}), ...(status.approval ? { approval: status.approval } : {}), ...extra,
    };
    yield* callActivity(context, ACTIVITY.record, RETRY.record, record);
    yield* notify(context, input, EVENT_OF_RESULT[result], {
      summary: extra.reason ?? `endpoint ${input.endpoint} serves ${status.model ?? "the new model"}: ${(status.decision?.reasons ?? []).join(" ")}`.trim(),
      ...(status.metrics ? { metrics: status.metrics } : {}), ...(status.model ? { model: status.model } : {}),
    });
    // A failed run ends Failed, so operators and alerts see it; its reason is in the custom status too.
    if (result === "failed") throw new Error(`Retraining of endpoint ${input.endpoint} failed: ${extra.reason ?? "unknown reason"}`);
    return { ...status };
  }

  // The data's profile and checks, kept out of the custom status (which has a size limit) but recorded.
  let checkedData: C.CheckDataResult | undefined;

  setStatus({ stage: "staging" });
  const staged = yield* callActivity(context, ACTIVITY.stageData, RETRY.staging, { ...ref, dataSource: input.dataSource });
  if (staged.kind === "failed") return yield* finish("failed", { reason: `staging the training data failed: ${staged.reason}` });
  endStage("staging");
  setStatus({ staged: { bytes: staged.value.bytes, method: staged.value.method, ...(staged.value.sha256 ? { sha256: staged.value.sha256 } : {}) } });

  // Before any job: the same data as last time trains nothing new, and data unfit to train on is refused.
  const data = input.data;
  if (data) {
    setStatus({ stage: "checking-data" });
    const checked = yield* callActivity(context, ACTIVITY.checkData, RETRY.staging, { ...ref, expectations: data.expectations, ...(data.reference ? { reference: data.reference } : {}) });
    if (checked.kind === "failed") return yield* finish("failed", { reason: `checking the staged data failed: ${checked.reason}` });
    checkedData = checked.value;
    const sha256 = checked.value.profile?.sha256;
    if (sha256) setStatus({ staged: { ...status.staged!, sha256 } });
    endStage("checks");
    if (data.skipUnchanged && data.previous && sha256 === data.previous.sha256) {
      return yield* finish("skipped", { reason: `the data is the same as run ${data.previous.runId}'s (sha256 ${sha256.slice(0, 12)}…), so no job was submitted; retrain on it with "force": true, or set skipUnchanged to false` });
    }
    const failures = checked.value.failures;
    if (failures.length > 0) {
      return yield* finish("data-rejected", { reason: `the data failed ${failures.length === 1 ? "a check" : `${failures.length} checks`}, so no job was submitted: ${failures.join(" ")}` });
    }
  }

  setStatus({ stage: "submitting" });
  const v2 = input.backend === "azureml";
  const submitInput: C.SubmitInput = { ...ref, probe: staged.value.probeRows > 0 };
  const submitted = yield* (v2 ? callActivity(context, AZUREML_ACTIVITY.submitJob, RETRY.amlCall, submitInput) : callActivity(context, ACTIVITY.submitJob, RETRY.amlCall, submitInput));
  if (submitted.kind === "failed") return yield* finish("failed", { reason: `submitting the training job failed: ${submitted.reason}` });
  const job: C.JobRef = { ...ref, jobId: submitted.value.jobId, ...(v2 ? { backend: "azureml" as const } : {}) };
  setStatus({ stage: "starting", jobId: job.jobId });
  // A job the run gives up on is cancelled, so it neither trains later nor bills; the reason says whether that worked.
  function* withJobCancelled(reason: string): Generator<df.Task, string, unknown> {
    const cancelled = yield* callActivity(context, ACTIVITY.cancelJob, RETRY.amlCall, job);
    return cancelled.kind === "failed" ? `${reason}; cancelling the job failed too: ${cancelled.reason}` : `${reason}; the job was cancelled`;
  }
  // A v2 job starts as it is submitted; a BES job needs its own start.
  const started = v2 ? ({ kind: "ok" } as const) : yield* callActivity(context, ACTIVITY.startJob, RETRY.amlCall, job);
  if (started.kind === "failed") return yield* finish("failed", { reason: yield* withJobCancelled(`starting training job ${job.jobId} failed: ${started.reason}`) });
  endStage("submit");

  // Poll with durable timers in a sub-orchestration that continues as new every window, so
  // nothing runs (or bills) while the job trains and this history stays short however long it takes.
  const p = input.polling;
  const poll: PollInput = { job, polling: p, deadlineMs: context.df.currentUtcDateTime.getTime() + p.deadlineInMinutes * 60_000, intervalInMs: p.firstIntervalInSeconds * 1000, polls: 0,
    initialWaitInMs: Math.round((p.expectedTrainingSeconds ?? 0) * EXPECTED_DURATION_SHARE * 1000) };
  setStatus({ stage: "training" });
  let polled: PollResult;
  try {
    polled = (yield context.df.callSubOrchestrator(POLL_ORCHESTRATOR, poll, pollInstanceId(context.df.instanceId, job.jobId))) as PollResult;
  } catch (e) {
    polled = { kind: "failed", reason: taskFailureMessage(e), polls: 0 };
  }
  setStatus({ polls: polled.polls, ...(polled.kind !== "failed" ? { jobState: polled.state } : {}) });
  if (polled.kind === "failed") return yield* finish("failed", { reason: yield* withJobCancelled(`checking training job ${job.jobId} failed: ${polled.reason}`) });
  if (polled.kind === "deadline") {
    yield* callActivity(context, ACTIVITY.cancelJob, RETRY.amlCall, job);
    return yield* finish("failed", { reason: `training job ${job.jobId} did not finish within ${p.deadlineInMinutes} minutes (still ${polled.state}); it was cancelled` });
  }
  if (phaseOf(polled) !== "succeeded") {
    return yield* finish("failed", { reason: `training job ${job.jobId} ended ${polled.state}: ${polled.details ?? "the service gave no details"}` });
  }
  // The job ended between the last poll that found it running and this one: the earlier time is
  // what the next run's first poll is placed by (the later one includes how late we noticed).
  if (polled.lastPendingAtMs !== undefined) durations.trainingAtLeast = Math.max(0, (polled.lastPendingAtMs - stageStart) / 1000);
  endStage("training");

  setStatus({ stage: "evaluating" });
  const evaluateInput: C.EvaluateInput = { ...job, gate: input.gate };
  const evaluated = yield* (v2 ? callActivity(context, AZUREML_ACTIVITY.evaluate, RETRY.amlCall, evaluateInput) : callActivity(context, ACTIVITY.evaluate, RETRY.amlCall, evaluateInput));
  // Fail closed: an evaluation that cannot be read or trusted promotes nothing.
  if (evaluated.kind === "failed") return yield* finish("failed", { reason: `the evaluation could not be used, so nothing was promoted: ${evaluated.reason}` });
  const { metrics, decision, championMetrics } = evaluated.value;
  const scored = { metrics, decision, ...(championMetrics ? { championMetrics } : {}) };
  setStatus(scored);
  endStage("evaluation");
  if (!decision.passed) return yield* finish("rejected", { ...scored, reason: decision.reasons.filter((r) => r.includes("fails")).join(" ") });
  if (input.dryRun) return yield* finish("dry-run", { ...scored, reason: "dry run: the model passed the gate and was not promoted" });

  if (input.approval) {
    // A person decides; the run waits (durably, for free) until they do or the deadline passes.
    const deadline = new Date(context.df.currentUtcDateTime.getTime() + input.approval.timeoutInHours * 3_600_000);
    setStatus({ stage: "awaiting-approval", approval: { deadline: deadline.toISOString() } });
    yield* notify(context, input, "awaiting-approval", {
      summary: `the new model passed the gate (${decision.reasons.join(" ")}) and waits for approval until ${deadline.toISOString()}; approve or reject it with the links`, metrics,
      approvalDeadline: deadline.toISOString(),
    });
    const awaited = yield* awaitDecision(context, input.runId, deadline, input.approval.boundToRun === true, (ignored) => setStatus({ approval: { ...status.approval, ignored } }));
    if (awaited.kind === "timed-out") {
      return yield* finish("rejected", { ...scored, reason: `nobody approved the model within ${input.approval.timeoutInHours} hours, so it was not promoted` });
    }
    if (awaited.kind === "too-many") {
      return yield* finish("rejected", { ...scored, reason: `${MAX_IGNORED_DECISIONS} decisions that were not for this run arrived while it waited (see approval.ignored), so it stopped waiting and promoted nothing` });
    }
    if (awaited.kind === "unreadable") {
      setStatus({ approval: { ...status.approval, approved: false, by: "an unreadable approval event", at: awaited.at } });
      return yield* finish("rejected", { ...scored, reason: `the approval decision could not be read (${awaited.problem}), so the model was not promoted` });
    }
    // The first decision for this run is the one taken; a later one stays unread in the history.
    const a = awaited.decision;
    setStatus({ approval: { ...status.approval, approved: a.approved, by: a.by, at: awaited.at, ...(a.comment ? { comment: a.comment } : {}) } });
    if (!a.approved) return yield* finish("rejected", { ...scored, reason: `rejected by ${a.by}${a.comment ? `: ${a.comment}` : ""}` });
  }

  setStatus({ stage: "promoting" });
  if (v2) {
    const r = yield* azureMlRollout(context, input, job, input.rollout ?? DEFAULT_ROLLOUT, (shift) => setStatus({ shift }));
    const shown = { ...(r.model ? { location: r.model } : {}), ...(r.previous ? { previous: r.previous } : {}), ...(r.rollout ? { rollout: r.rollout } : {}) };
    endStage("promotion");
    if (!r.ok) return yield* finish("failed", { ...scored, ...shown, reason: `promoting on endpoint ${input.endpoint} failed: ${r.reason}` });
    return yield* finish("promoted", { ...scored, ...shown, verification: r.checks });
  }
  const promoted = yield* callActivity(context, ACTIVITY.promote, RETRY.amlCall, job);
  if (promoted.kind === "failed") return yield* finish("failed", { ...scored, reason: `updating endpoint ${input.endpoint} failed: ${promoted.reason}` });
  endStage("promotion");

  // Live verification: after the propagation wait, the endpoint must list the new model and
  // answer the probe rows as the new model did at training time. Otherwise: roll back, fail loudly.
  setStatus({ stage: "verifying" });
  const promotedTo = promoted.value;
  let checks: readonly string[] = [];
  let verified = false;
  for (let attempt = 1; attempt <= VERIFY_ATTEMPTS && !verified; attempt++) {
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + input.verification.delayInSeconds * 1000));
    const v = yield* callActivity(context, ACTIVITY.verify, RETRY.amlCall, { ...job, expected: promotedTo.location } satisfies C.VerifyInput);
    checks = v.kind === "ok" ? v.value.checks : [v.reason];
    verified = v.kind === "ok" && v.value.verified;
  }
  const promotion = { location: promotedTo.location, verification: checks, ...(promotedTo.previous ? { previous: promotedTo.previous } : {}), ...(promotedTo.archived ? { archived: promotedTo.archived } : {}) };
  if (!verified) {
    const target = promotedTo.archived ?? promotedTo.previous;
    let outcome = "there was no previous model to roll back to";
    if (target) {
      const rb = yield* callActivity(context, ACTIVITY.rollback, RETRY.amlCall, { ...ref, to: target } satisfies C.RollbackInput);
      outcome = rb.kind === "ok" ? `rolled back to ${describeModel(target)}` : `ROLLBACK FAILED (${rb.reason}); the endpoint may be serving an unverified model`;
      if (rb.kind === "ok") yield* notify(context, input, "rolled-back", { summary: `endpoint ${input.endpoint} did not pass live verification, so it was ${outcome}`, model: describeModel(target) });
    }
    return yield* finish("failed", { ...scored, ...promotion, reason: `endpoint ${input.endpoint} did not pass live verification after ${VERIFY_ATTEMPTS} checks (${checks.join("; ")}); ${outcome}` });
  }
  endStage("verification");
  return yield* finish("promoted", { ...scored, ...promotion });
}
