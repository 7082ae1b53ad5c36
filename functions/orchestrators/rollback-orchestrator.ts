import type * as df from "durable-functions";
import { ACTIVITY } from "../activities/names";
import type * as C from "../activities/contracts";
import type { RollbackRunInput, RunStatus } from "./run-input";
import { callActivity } from "./call-activity";
import { RETRY, VERIFY_ATTEMPTS } from "./policies";
import { describeModel } from "../../shared/backends/model-ref";
import { DEFAULT_BACKEND } from "../../shared/backends/backend";
import { azureMlRollback, type RollbackOutcome } from "./azureml-rollback";
import { EVENT_OF_RESULT, notify } from "./notify";

export const ROLLBACK_ORCHESTRATOR = "rollbackOrchestrator";

/**
 * Restores the model a run replaced, then writes the audit record. Classic: PATCH the archived
 * model back, wait for propagation, the same live check as a promotion (listed location; there
 * are no training-time scores for a canary). Azure ML (v2): see azureMlRollback.
 */
export function* rollbackOrchestrator(context: df.OrchestrationContext): Generator<df.Task, unknown, unknown> {
  const input = context.df.getInput<RollbackRunInput>();
  const ref: C.RunRef = { runId: input.runId, endpoint: input.endpoint };
  const t0 = context.df.currentUtcDateTime.getTime();
  let status: RunStatus = { ...ref, stage: "promoting", model: describeModel(input.to) };
  context.df.setCustomStatus(status);

  let verified: boolean;
  let reason: string;
  let checks: readonly string[];
  let v2: Pick<C.RecordInput, "previous" | "rollout"> = {};
  if (input.to.backend === "azureml") {
    const r: RollbackOutcome = input.azureml
      ? yield* azureMlRollback(context, input, input.to, input.azureml, (shift) => context.df.setCustomStatus((status = { ...status, shift })))
      : { ok: false, checks: [], reason: "the rollback input has no Azure ML (v2) details; nothing was changed" };
    verified = r.ok;
    checks = r.checks;
    v2 = { ...(r.previous ? { previous: r.previous } : {}), ...(r.rollout ? { rollout: r.rollout } : {}) };
    reason = r.ok ? `restored the model that run ${input.fromRunId} replaced (${describeModel(input.to)}): ${r.reason}` : `rolling back to the model run ${input.fromRunId} replaced failed: ${r.reason}`;
  } else {
    ({ verified, checks } = yield* classicRestore(context, input, ref, (s) => (status = { ...status, stage: s })));
    reason = verified
      ? `restored the model that run ${input.fromRunId} replaced (${describeModel(input.to)})`
      : `rolling back to the model run ${input.fromRunId} replaced failed: ${checks.join("; ")}`;
  }
  const result = verified ? "rolled-back" : "failed";
  status = { ...status, stage: "done", result, reason, verification: checks };
  context.df.setCustomStatus(status);
  const now = context.df.currentUtcDateTime;
  yield* callActivity(context, ACTIVITY.record, RETRY.record, {
    // A rollback started before models were tagged carries an untagged (classic) location.
    ...ref, backend: input.to.backend ?? DEFAULT_BACKEND, instanceId: context.df.instanceId, startedAt: new Date(t0).toISOString(), endedAt: now.toISOString(), result,
    reason, trigger: input.trigger, dataSource: `rollback of run ${input.fromRunId}`, gateRules: "", location: input.to, verification: checks, ...v2,
    durationsInSeconds: { total: (now.getTime() - t0) / 1000 },
  } satisfies C.RecordInput);
  yield* notify(context, input, EVENT_OF_RESULT[result], { summary: reason, model: describeModel(input.to) });
  if (!verified) throw new Error(`Rollback of endpoint ${input.endpoint} failed: ${reason}`);
  return status;
}

/** Classic: the PATCH, the propagation wait and the live check, up to VERIFY_ATTEMPTS times. */
function* classicRestore(
  context: df.OrchestrationContext,
  input: RollbackRunInput,
  ref: C.RunRef,
  stage: (s: "verifying") => RunStatus,
): Generator<df.Task, { verified: boolean; checks: readonly string[] }, unknown> {
  const restored = yield* callActivity(context, ACTIVITY.rollback, RETRY.amlCall, { ...ref, to: input.to } satisfies C.RollbackInput);
  let checks: readonly string[] = restored.kind === "failed" ? [restored.reason] : [];
  let verified = false;
  for (let attempt = 1; restored.kind === "ok" && attempt <= VERIFY_ATTEMPTS && !verified; attempt++) {
    context.df.setCustomStatus(stage("verifying"));
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + input.verification.delayInSeconds * 1000));
    const v = yield* callActivity(context, ACTIVITY.verify, RETRY.amlCall, { ...ref, expected: input.to } satisfies C.VerifyInput);
    checks = v.kind === "ok" ? v.value.checks : [v.reason];
    verified = v.kind === "ok" && v.value.verified;
  }
  return { verified, checks };
}
