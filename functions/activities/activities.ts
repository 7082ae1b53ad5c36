import type { ActivityDependencies } from "./dependencies";
import type * as C from "./contracts";
import { ACTIVITY, type ActivityName } from "./names";
import { ref } from "./ref";
import { toRunRecord } from "./run-record";
import { toOutcome, type Outcome } from "./outcome";
import { checkClassicJob, classicTrainingActivities } from "./classic/training";
import { classicPromotionActivities } from "./classic/promotion";
import { azureMlTrainingActivities, checkAzureMlJob, v2 } from "./azureml/training";
import { azureMlRolloutActivities } from "./azureml/rollout";
import { parseDataSource, describeDataSource } from "../../shared/storage/data-source";
import { describeModel } from "../../shared/backends/model-ref";
import { DataProfileError, profileCsv } from "../../shared/data/profile";
import { checkData } from "../../shared/data/checks";
import { readDataExpectations } from "../../shared/config/settings";

/**
 * Activities as thin adapters over injected clients; each returns an Outcome. Staging and the
 * record are the same for every backend; training and promotion are the backend's own.
 */
export function createActivities(d: ActivityDependencies) {
  return {
    [ACTIVITY.stageData]: (i: C.StageInput) =>
      toOutcome<C.StageResult>(async () => {
        // Checked again here: a run's input can also come from the Durable API, not only our triggers.
        const source = parseDataSource(i.dataSource, d.options.dataRoot, d.options.sources);
        const staged = await d.staging.stage(i.runId, source);
        const probeRows = await d.staging.writeProbe(i.runId);
        d.telemetry.event("DataStaged", { ...ref(i), source: describeDataSource(source), method: staged.method, sha256: staged.sha256 }, { bytes: staged.bytes, probeRows });
        return { blob: staged.blob, bytes: staged.bytes, method: staged.method, probeRows, ...(staged.sha256 ? { sha256: staged.sha256 } : {}) };
      }),

    // Profiled from the staged copy, so every source (a server-side copy too) gets a sha256 and the same checks.
    [ACTIVITY.checkData]: (i: C.CheckDataInput) =>
      toOutcome<C.CheckDataResult>(async () => {
        const expectations = readDataExpectations(i.expectations);
        if (!expectations.ok) return { failures: [`The run's data checks cannot be applied (${expectations.problem}); nothing is trained on data that was not checked.`] };
        const stored = i.reference === undefined ? undefined : (await d.history.get(i.reference))?.profile;
        const reference = stored && i.reference !== undefined ? { runId: i.reference, profile: stored } : undefined;
        let profile;
        try {
          profile = await profileCsv(await d.staging.readInput(i.runId), reference?.profile);
        } catch (e) {
          if (e instanceof DataProfileError) return { failures: [`The staged data cannot be checked: ${e.message}.`] };
          throw e;
        }
        const failures = checkData(profile, expectations.value, reference);
        d.telemetry.event(failures.length ? "DataRejected" : "DataChecked", { ...ref(i), sha256: profile.sha256, reference: reference?.runId, failures: failures.join(" ") || undefined }, { rows: profile.rows, columns: profile.columns.length, failedChecks: failures.length });
        return { profile, failures, ...(reference ? { reference: reference.runId } : {}) };
      }),

    // One check and one cancel for every backend: the poller does not know which service runs the job.
    [ACTIVITY.checkJob]: (i: C.JobRef) =>
      toOutcome<C.CheckResult>(async () => {
        const s = await (i.backend === "azureml" ? checkAzureMlJob(d, i) : checkClassicJob(d, i));
        if (s.phase === "succeeded") d.telemetry.event("JobFinished", { ...ref(i), jobId: i.jobId });
        if (s.phase === "failed" || s.phase === "cancelled") d.telemetry.event("JobFailed", { ...ref(i), jobId: i.jobId, state: s.state, details: s.details });
        return s;
      }),
    [ACTIVITY.cancelJob]: (i: C.JobRef) => toOutcome<void>(() => (i.backend === "azureml" ? v2(d).jobs.cancel(i.jobId) : d.bes.cancelJob(i.jobId))),

    ...classicTrainingActivities(d),
    ...classicPromotionActivities(d),
    ...azureMlTrainingActivities(d),
    ...azureMlRolloutActivities(d),

    [ACTIVITY.record]: (i: C.RecordInput) =>
      toOutcome<void>(async () => {
        // The audit record first: telemetry may be sampled or delayed, the record must not be lost.
        const record = toRunRecord(i);
        await d.history.upsert(record);
        const props = {
          ...ref(i), backend: i.backend, result: i.result, reason: i.reason, jobId: i.jobId, trigger: i.trigger.kind, caller: i.trigger.caller, dataSource: i.dataSource,
          model: i.location ? describeModel(i.location) : undefined, gate: i.decision?.reasons.join(" "),
        };
        const measurements = Object.fromEntries(Object.entries(i.durationsInSeconds).map(([k, v]) => [`${k}Seconds`, v]));
        d.telemetry.event(i.result === "failed" ? "RetrainFailed" : "RetrainCompleted", props, { ...measurements, ...record.metrics });
        if (i.durationsInSeconds.training !== undefined) d.telemetry.metric("Job duration seconds", i.durationsInSeconds.training, ref(i));
      }),
  } satisfies Record<ActivityName, (input: never) => Promise<Outcome<unknown>>>;
}
