import type * as df from "durable-functions";
import { AZUREML_ACTIVITY } from "../activities/names";
import type * as C from "../activities/contracts";
import type { AzureMlModelRef } from "../../shared/backends/model-ref";
import type { RolloutRecord } from "../../shared/history/run-record";
import { callActivity } from "./call-activity";
import { RETRY } from "./policies";
import { operationFollower, putTrafficBack } from "./azureml-operations";
import type { RetrainInput, RolloutPolicy, TrafficShift } from "./run-input";

/** The run's new deployment: named from the run, so a replay or a retried create finds its own. */
export const deploymentNameFor = (runId: string) => `d${runId.replace(/[^a-zA-Z0-9]/g, "").toLowerCase().slice(-31)}`;

export type RolloutOutcome =
  | { readonly ok: true; readonly model: AzureMlModelRef; readonly previous?: AzureMlModelRef; readonly rollout: RolloutRecord; readonly checks: readonly string[] }
  | { readonly ok: false; readonly reason: string; readonly model?: AzureMlModelRef; readonly previous?: AzureMlModelRef; readonly rollout?: RolloutRecord };

/**
 * Promotion on Azure ML (v2) as control flow: register the job's model → create the run's
 * deployment at 0 % → canary (the probe rows through its header must score as at training time)
 * → optional mirror phase → staged traffic shift, each step held and probed → verify through
 * the endpoint itself → keep the replaced deployment at 0 % as the rollback target (the one
 * rollback target: an earlier one is deleted, at once if its hold is over, else on success). Any failure
 * puts all traffic back on the replaced deployment, removes the new one, and says what it saw.
 * One shift per endpoint: the run holds the endpoint's singleton instance throughout.
 */
export function* azureMlRollout(
  context: df.OrchestrationContext,
  input: RetrainInput,
  job: C.JobRef,
  policy: RolloutPolicy,
  /** Shows the traffic move in the run's status before each change is made. */
  report: (shift: TrafficShift) => void,
): Generator<df.Task, RolloutOutcome, unknown> {
  const ref: C.RunRef = { runId: input.runId, endpoint: input.endpoint };
  const now = () => context.df.currentUtcDateTime.getTime();
  const steps: { percent: number; mirror?: boolean; at: string; check: string }[] = [];
  const ops = operationFollower(context, ref, policy.operationTimeoutInMinutes);
  const settled = ops.settled;
  const hold = (seconds: number) => context.df.createTimer(new Date(now() + seconds * 1000));
  function* probe(deployment?: string): Generator<df.Task, { ok: boolean; check: string }, unknown> {
    const p = yield* callActivity(context, AZUREML_ACTIVITY.probe, RETRY.amlCall, { ...ref, jobId: job.jobId, ...(deployment ? { deployment } : {}) });
    return p.kind === "failed" ? { ok: false, check: `the probe could not be scored: ${p.reason}` } : { ok: p.value.matched, check: p.value.summary };
  }
  const record = (model: AzureMlModelRef, deployment: string, previousDeployment: string, extra: Partial<RolloutRecord> = {}): RolloutRecord =>
    ({ model, deployment, previousDeployment, steps: [...steps], operationPolls: ops.polls(), ...extra });

  const registered = yield* callActivity(context, AZUREML_ACTIVITY.register, RETRY.amlCall, { ...ref, jobId: job.jobId });
  if (registered.kind === "failed") return { ok: false, reason: `registering the model of job ${job.jobId} failed: ${registered.reason}` };
  const model = registered.value;
  const ep = yield* callActivity(context, AZUREML_ACTIVITY.readEndpoint, RETRY.amlCall, ref);
  if (ep.kind === "failed") return { ok: false, model, reason: `reading endpoint ${input.endpoint} failed: ${ep.reason}` };
  const old = ep.value.serving;
  const previous = ep.value.servingModel;
  if (!old) return { ok: false, model, reason: `endpoint ${input.endpoint} has no deployment taking all live traffic (${JSON.stringify(ep.value.traffic)}); a shift starts only from one, so nothing was changed` };
  const green = deploymentNameFor(input.runId);
  const base = { model, ...(previous ? { previous } : {}) };

  // The hold of an earlier run's retained deployment is over: remove it before adding another.
  let retired: string | undefined;
  if (input.retire && input.retire.deployment !== old && now() >= input.retire.afterMs) {
    if (!(yield* ops.remove(input.retire.deployment, `deleting retained deployment ${input.retire.deployment}`))) retired = input.retire.deployment;
  }
  const withRetired = retired ? { retired } : {};

  /** Puts every request back on the replaced deployment and removes the new one; the sentence says how that went. */
  function* restore(why: string): Generator<df.Task, RolloutOutcome, unknown> {
    const after = yield* putTrafficBack(context, ref, ops, old!, green, true);
    return { ok: false, ...base, rollout: record(model, green, old!, withRetired), reason: `${why}; ${after}` };
  }

  report({ from: old, to: green, percent: 0, created: true });
  const created = yield* settled(`creating deployment ${green}`, yield* callActivity(context, AZUREML_ACTIVITY.createDeployment, RETRY.amlCall, { ...ref, deployment: green, model }));
  if (created) return yield* restore(created);
  const canary = yield* probe(green);
  steps.push({ percent: 0, at: context.df.currentUtcDateTime.toISOString(), check: canary.check });
  if (!canary.ok) return yield* restore(`the canary at 0 % failed: ${canary.check}`);

  if (policy.mirrorPercent > 0) {
    const on = yield* settled(`mirroring ${policy.mirrorPercent} % to ${green}`, yield* callActivity(context, AZUREML_ACTIVITY.setTraffic, RETRY.amlCall, { ...ref, traffic: { [old]: 100 }, mirrorTraffic: { [green]: policy.mirrorPercent } }));
    if (on) return yield* restore(on);
    if (policy.stepWaitInSeconds > 0) yield hold(policy.stepWaitInSeconds);
    const m = yield* probe(green);
    steps.push({ percent: policy.mirrorPercent, mirror: true, at: context.df.currentUtcDateTime.toISOString(), check: m.check });
    if (!m.ok) return yield* restore(`the check after mirroring failed: ${m.check}`);
  }

  for (const percent of policy.steps) {
    const traffic = percent === 100 ? { [green]: 100, [old]: 0 } : { [old]: 100 - percent, [green]: percent };
    report({ from: old, to: green, percent, created: true });
    const shifted = yield* settled(`shifting ${percent} % to ${green}`, yield* callActivity(context, AZUREML_ACTIVITY.setTraffic, RETRY.amlCall, { ...ref, traffic, mirrorTraffic: {} }));
    if (shifted) return yield* restore(shifted);
    if (percent < 100 && policy.stepWaitInSeconds > 0) yield hold(policy.stepWaitInSeconds);
    const p = yield* probe(green);
    steps.push({ percent, at: context.df.currentUtcDateTime.toISOString(), check: p.check });
    if (!p.ok) return yield* restore(`the check at ${percent} % failed: ${p.check}`);
  }

  // Verified through the endpoint as any caller reaches it: all traffic, no header.
  const verified = yield* probe();
  steps.push({ percent: 100, at: context.df.currentUtcDateTime.toISOString(), check: `verification: ${verified.check}` });
  if (!verified.ok) return yield* restore(`verification through the endpoint failed: ${verified.check}`);
  // One rollback target per endpoint: the deployment just replaced takes over from an earlier
  // one still inside its hold, which would otherwise stay provisioned with nothing pointing at it.
  if (!retired && input.retire && input.retire.deployment !== old && input.retire.deployment !== green) {
    if (!(yield* ops.remove(input.retire.deployment, `deleting superseded deployment ${input.retire.deployment}`))) retired = input.retire.deployment;
  }
  const retained = { deployment: old, retireAfter: new Date(now() + policy.retireAfterHours * 3_600_000).toISOString() };
  return { ok: true, ...base, rollout: record(model, green, old, { retained, ...(retired ? { retired } : {}) }), checks: steps.map((s) => `${s.mirror ? "mirror " : ""}${s.percent} %: ${s.check}`) };
}
