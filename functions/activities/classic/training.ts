import type { ActivityDependencies } from "../dependencies";
import type * as C from "../contracts";
import { ACTIVITY } from "../names";
import { toOutcome } from "../outcome";
import { ref } from "../ref";
import { championOf, readerOptions, resultHandle } from "./helpers";
import { runBlobs } from "../../../shared/storage/staging";
import { readResult, type ResultHandle } from "../../../shared/storage/result-reader";
import { parseEvaluation } from "../../../shared/backends/classic/evaluation";
import { CLASSIC_PHASE, type BlobLocation } from "../../../shared/backends/classic/types";
import { evaluateGate } from "../../../shared/evaluation/gate";
import { isAmlServiceError } from "../../../shared/backends/classic/aml-error";

/** Training on Studio (classic): a BES job per run, its outputs read through their SAS. */
export function classicTrainingActivities(d: ActivityDependencies) {
  const handle = (job: C.JobRef, output: "output1" | "output2"): Promise<ResultHandle> => resultHandle(d, job.jobId, output);

  return {
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

  };
}

/** BES's state as a phase (the shared check activity calls this for classic jobs). */
export async function checkClassicJob(d: ActivityDependencies, i: C.JobRef): Promise<C.CheckResult> {
  const s = await d.bes.getJob(i.jobId);
  return { phase: CLASSIC_PHASE[s.state], state: s.state, ...(s.details ? { details: s.details } : {}) };
}
