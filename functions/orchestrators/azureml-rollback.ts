import type * as df from "durable-functions";
import { AZUREML_ACTIVITY } from "../activities/names";
import type * as C from "../activities/contracts";
import type { AzureMlModelRef } from "../../shared/backends/model-ref";
import { describeModel, sameModel } from "../../shared/backends/model-ref";
import type { RolloutRecord } from "../../shared/history/run-record";
import { callActivity } from "./call-activity";
import { RETRY } from "./policies";
import { operationFollower, putTrafficBack } from "./azureml-operations";
import { deploymentNameFor } from "./azureml-rollout";
import type { AzureMlRollback, RollbackRunInput, TrafficShift } from "./run-input";

export interface RollbackOutcome {
  readonly ok: boolean;
  readonly reason: string;
  readonly checks: readonly string[];
  /** What served before the rollback. */
  readonly previous?: AzureMlModelRef;
  readonly rollout?: RolloutRecord;
}

/**
 * Manual rollback on Azure ML (v2): all traffic goes back to the deployment the undone run kept
 * at 0 %, or, once that was retired, to a new deployment of the same model version. The target is
 * checked through its header before any traffic moves (the probe rows of the undone run against
 * the scores its job logged for this model, when both still exist) and through the endpoint after;
 * the deployment it replaces is kept at 0 % so the rollback itself can be undone. Traffic moves at
 * once, not in steps: the target is a model that served before, and the reason to roll back is
 * that the one serving now should not. Any failure puts traffic back where it was.
 */
export function* azureMlRollback(
  context: df.OrchestrationContext,
  input: RollbackRunInput,
  to: AzureMlModelRef,
  v: AzureMlRollback,
  /** Shows the traffic move in the run's status before each change is made. */
  report: (shift: TrafficShift) => void,
): Generator<df.Task, RollbackOutcome, unknown> {
  const ref: C.RunRef = { runId: input.runId, endpoint: input.endpoint };
  const now = () => context.df.currentUtcDateTime.getTime();
  const ops = operationFollower(context, ref, v.policy.operationTimeoutInMinutes);
  const steps: { percent: number; at: string; check: string }[] = [];
  const step = (percent: number, check: string) => steps.push({ percent, at: context.df.currentUtcDateTime.toISOString(), check });

  const ep = yield* callActivity(context, AZUREML_ACTIVITY.readEndpoint, RETRY.amlCall, ref);
  if (ep.kind === "failed") return { ok: false, checks: [], reason: `reading endpoint ${input.endpoint} failed: ${ep.reason}; nothing was changed` };
  const old = ep.value.serving;
  const previous = ep.value.servingModel;
  const base = previous ? { previous } : {};
  if (!old) return { ok: false, checks: [], reason: `endpoint ${input.endpoint} has no deployment taking all live traffic (${JSON.stringify(ep.value.traffic)}); a rollback starts only from one, so nothing was changed` };
  if (previous && sameModel(previous, to)) return { ok: true, ...base, checks: [], reason: `endpoint ${input.endpoint} already serves ${describeModel(to)} (deployment ${old}); nothing was changed` };

  // The retained deployment, if it is still there, ready, and runs the version to go back to.
  let target: string | undefined;
  if (v.retained && v.retained !== old) {
    const kept = yield* callActivity(context, AZUREML_ACTIVITY.readDeployment, RETRY.amlCall, { ...ref, deployment: v.retained });
    if (kept.kind === "ok" && kept.value.exists && kept.value.provisioningState === "Succeeded" && kept.value.model && sameModel(kept.value.model, to)) target = v.retained;
  }
  const created = target === undefined;
  const into = target ?? deploymentNameFor(input.runId);
  const record = (extra: Partial<RolloutRecord> = {}): RolloutRecord => ({ model: to, deployment: into, previousDeployment: old, steps: [...steps], operationPolls: ops.polls(), ...extra });
  const failed = (reason: string): RollbackOutcome => ({ ok: false, ...base, checks: steps.map((s) => s.check), rollout: record(), reason });
  /** Before any traffic moved: remove what this rollback created, and say nothing else changed. */
  function* abandon(why: string): Generator<df.Task, RollbackOutcome, unknown> {
    if (!created) return failed(`${why}; traffic was not moved`);
    const gone = yield* ops.remove(into);
    return failed(`${why}; traffic was not moved; deployment ${into} ${gone ?? "was removed"}`);
  }
  function* check(deployment?: string): Generator<df.Task, { ok: boolean; check: string }, unknown> {
    if (v.probe) {
      const p = yield* callActivity(context, AZUREML_ACTIVITY.probe, RETRY.amlCall, { ...ref, jobId: v.probe.jobId, scoresOf: "champion", rowsOf: v.probe.runId, ...(deployment ? { deployment } : {}) });
      if (p.kind === "failed") return { ok: false, check: `the probe could not be scored: ${p.reason}` };
      if (!p.value.unavailable) return { ok: p.value.matched, check: p.value.summary };
    }
    // Nothing to score against: check what runs where instead, as the classic rollback does.
    if (deployment) {
      const d = yield* callActivity(context, AZUREML_ACTIVITY.readDeployment, RETRY.amlCall, { ...ref, deployment });
      if (d.kind === "failed") return { ok: false, check: `reading deployment ${deployment} failed: ${d.reason}` };
      const runs = d.value.exists && d.value.model ? describeModel(d.value.model) : "no model version of this workspace";
      const ok = d.value.exists && d.value.provisioningState === "Succeeded" && !!d.value.model && sameModel(d.value.model, to);
      return { ok, check: `deployment ${deployment} ${d.value.exists ? `is ${d.value.provisioningState} and runs ${runs}` : "does not exist"} (no training-time scores to compare with)` };
    }
    const e = yield* callActivity(context, AZUREML_ACTIVITY.readEndpoint, RETRY.amlCall, ref);
    if (e.kind === "failed") return { ok: false, check: `reading endpoint ${input.endpoint} failed: ${e.reason}` };
    return { ok: e.value.serving === into, check: `endpoint ${input.endpoint} sends ${JSON.stringify(e.value.traffic)} (no training-time scores to compare with)` };
  }

  report({ from: old, to: into, percent: 0, created });
  if (created) {
    const made = yield* ops.settled(`creating deployment ${into}`, yield* callActivity(context, AZUREML_ACTIVITY.createDeployment, RETRY.amlCall, { ...ref, deployment: into, model: to }));
    if (made) return yield* abandon(made);
  }
  const canary = yield* check(into);
  step(0, canary.check);
  if (!canary.ok) return yield* abandon(`the check of deployment ${into} before moving traffic failed: ${canary.check}`);

  report({ from: old, to: into, percent: 100, created });
  const moved = yield* ops.settled(`moving all traffic to ${into}`, yield* callActivity(context, AZUREML_ACTIVITY.setTraffic, RETRY.amlCall, { ...ref, traffic: { [into]: 100, [old]: 0 }, mirrorTraffic: {} }));
  if (moved) return failed(`${moved}; ${yield* putTrafficBack(context, ref, ops, old, into, created)}`);
  const verified = yield* check();
  step(100, `verification: ${verified.check}`);
  if (!verified.ok) return failed(`verification through the endpoint failed: ${verified.check}; ${yield* putTrafficBack(context, ref, ops, old, into, created)}`);

  // This rollback's own target (what it replaced) supersedes the endpoint's earlier one.
  let retired: string | undefined;
  if (v.retire && v.retire !== into && v.retire !== old) {
    if (!(yield* ops.remove(v.retire, `deleting retained deployment ${v.retire}`))) retired = v.retire;
  }
  const retained = { deployment: old, retireAfter: new Date(now() + v.policy.retireAfterHours * 3_600_000).toISOString() };
  const how = created ? `redeployed ${describeModel(to)} as deployment ${into}` : `moved all traffic back to deployment ${into}, which still ran ${describeModel(to)}`;
  return {
    ok: true, ...base, checks: steps.map((s) => s.check), rollout: record({ retained, ...(retired ? { retired } : {}) }),
    reason: `${how}; deployment ${old} is kept at 0 % until ${retained.retireAfter}`,
  };
}
