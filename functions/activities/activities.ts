import type { ActivityDependencies } from "./dependencies";
import type * as C from "./contracts";
import { ACTIVITY, type ActivityName } from "./names";
import { promotionActivities } from "./promotion";
import { toRunRecord } from "./run-record";
import { championOf, readerOptions, ref, resultHandle } from "./helpers";
import { toOutcome, type Outcome } from "./outcome";
import { parseDataSource, describeDataSource } from "../../shared/storage/data-source";
import { runBlobs } from "../../shared/storage/staging";
import { readResult, type ResultHandle } from "../../shared/storage/result-reader";
import { parseEvaluation } from "../../shared/evaluation/evaluation";
import { evaluateGate } from "../../shared/evaluation/gate";
import { isAmlServiceError } from "../../shared/aml/aml-error";
import type { BlobLocation } from "../../shared/aml/types";

/** Activities as thin adapters over injected clients; each returns an Outcome. */
export function createActivities(d: ActivityDependencies) {
  const handle = (job: C.JobRef, output: "output1" | "output2"): Promise<ResultHandle> => resultHandle(d, job.jobId, output);

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

    [ACTIVITY.submitJob]: (i: C.SubmitInput) =>
      toOutcome<C.SubmitResult>(async () => {
        const names = runBlobs(i.runId);
        const expiresOn = new Date(d.now() + d.options.jobSasLifetimeInMs);
        const at = async (blob: string, permissions: string): Promise<BlobLocation> => ({
          BaseLocation: d.runStorage.blobEndpoint,
          RelativeLocation: `${d.runStorage.container}/${blob}`,
          SasBlobToken: await d.signer.sign(d.runStorage.container, blob, permissions, expiresOn),
        });
        // The model serving today is evaluated on the same held-out rows (Evaluate Model's second input).
        const champion = await championOf(d, i.endpoint, expiresOn);
        // Read-only on the input, create/write on the outputs, all scoped to this run's blobs.
        // The probe (input2) comes back scored by the new model (output3): the canary's expected answers.
        const jobId = await d.bes.submitJob({
          Inputs: { input1: await at(names.input, "r"), ...(i.probe ? { input2: await at(names.probe, "r") } : {}) },
          Outputs: {
            output1: await at(names.model, "cw"),
            output2: await at(names.evaluation, "cw"),
            ...(i.probe ? { output3: await at(names.probeScored, "cw") } : {}),
          },
          GlobalParameters: champion.url ? { "Champion Model": champion.url } : {},
        });
        d.telemetry.event("JobSubmitted", { ...ref(i), jobId, champion: champion.location?.RelativeLocation ?? champion.note });
        return { jobId, ...(champion.location ? { champion: champion.location } : {}), ...(champion.note ? { championNote: champion.note } : {}) };
      }),

    [ACTIVITY.startJob]: (i: C.JobRef) =>
      toOutcome<C.StartResult>(async () => {
        try {
          await d.bes.startJob(i.jobId);
          return { alreadyStarted: false };
        } catch (e) {
          // A retried start whose first attempt got through: the job is already past NotStarted.
          if (isAmlServiceError(e) && e.detailCode === "CannotStartJob" && (await d.bes.getJob(i.jobId)).state !== "NotStarted") {
            return { alreadyStarted: true };
          }
          throw e;
        }
      }),

    [ACTIVITY.checkJob]: (i: C.JobRef) =>
      toOutcome<C.CheckResult>(async () => {
        const s = await d.bes.getJob(i.jobId);
        if (s.state === "Finished") d.telemetry.event("JobFinished", { ...ref(i), jobId: i.jobId });
        if (s.state === "Failed" || s.state === "Cancelled") d.telemetry.event("JobFailed", { ...ref(i), jobId: i.jobId, state: s.state, details: s.details });
        return { state: s.state, ...(s.details ? { details: s.details } : {}) };
      }),

    [ACTIVITY.cancelJob]: (i: C.JobRef) => toOutcome<void>(() => d.bes.cancelJob(i.jobId)),

    [ACTIVITY.evaluate]: (i: C.EvaluateInput) =>
      toOutcome<C.EvaluateResult>(async () => {
        const { text, refreshes } = await readResult(await handle(i, "output2"), readerOptions(d));
        const { model: metrics, compared } = parseEvaluation(text);
        const decision = evaluateGate(i.gate, metrics, compared);
        for (const [name, value] of Object.entries(metrics)) d.telemetry.metric(`Evaluation ${name}`, value, ref(i));
        for (const [name, value] of Object.entries(compared ?? {})) d.telemetry.metric(`Champion ${name}`, value, ref(i));
        d.telemetry.event(decision.passed ? "GatePassed" : "GateRejected", { ...ref(i), jobId: i.jobId, reasons: decision.reasons.join(" ") }, metrics);
        return { metrics, ...(compared ? { championMetrics: compared } : {}), decision, sasRefreshes: refreshes };
      }),

    ...promotionActivities(d),

    [ACTIVITY.record]: (i: C.RecordInput) =>
      toOutcome<void>(async () => {
        // The audit record first: telemetry may be sampled or delayed, the record must not be lost.
        await d.history.upsert(toRunRecord(i));
        const props = {
          ...ref(i), result: i.result, reason: i.reason, jobId: i.jobId, trigger: i.trigger.kind, caller: i.trigger.caller, dataSource: i.dataSource,
          model: i.location?.RelativeLocation, gate: i.decision?.reasons.join(" "),
        };
        const measurements = Object.fromEntries(Object.entries(i.durationsInSeconds).map(([k, v]) => [`${k}Seconds`, v]));
        d.telemetry.event(i.result === "failed" ? "RetrainFailed" : "RetrainCompleted", props, { ...measurements, ...i.metrics });
        if (i.durationsInSeconds.training !== undefined) d.telemetry.metric("Job duration seconds", i.durationsInSeconds.training, ref(i));
      }),
  } satisfies Record<ActivityName, (input: never) => Promise<Outcome<unknown>>>;
}
