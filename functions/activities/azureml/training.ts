import type { ActivityDependencies } from "../dependencies";
import type { AzureMlDependencies } from "./dependencies";
import type * as C from "../contracts";
import { AZUREML_ACTIVITY } from "../names";
import { toOutcome } from "../outcome";
import { ref } from "../ref";
import { runBlobs } from "../../../shared/storage/staging";
import { jobNameFor } from "../../../shared/backends/azureml/jobs-client";
import { AZUREML_METRICS, CHAMPION_PREFIX } from "../../../shared/backends/azureml/metrics";
import { MODEL_TYPE } from "../../../shared/backends/azureml/training-job";
import { AzureMlError } from "../../../shared/backends/azureml/azureml-error";
import { evaluateGate } from "../../../shared/evaluation/gate";
import { fromReported } from "../../../shared/evaluation/metrics";
import { servingOf } from "./serving";

/** The v2 clients, or a clear failure when the app was configured without them. */
export function v2(d: ActivityDependencies): AzureMlDependencies {
  if (!d.azureml) throw new AzureMlError("Azure Machine Learning (v2) is not configured: set AZUREML_WORKSPACE_ID and AZUREML_ENVIRONMENT_ID", { operation: "configure", code: "NotConfigured", retryable: false });
  return d.azureml;
}

/** Training on Azure ML (v2): a command job per run, named from the run; metrics from its MLflow run. */
export function azureMlTrainingActivities(d: ActivityDependencies) {
  const blobUrl = async (blob: string) => {
    const sas = await d.signer.sign(d.runStorage.container, blob, "r", new Date(d.now() + d.options.jobSasLifetimeInMs));
    return `${d.runStorage.blobEndpoint}${d.runStorage.container}/${blob}${sas}`;
  };

  return {
    [AZUREML_ACTIVITY.submitJob]: (i: C.SubmitInput) =>
      toOutcome<C.SubmitResult>(async () => {
        const ml = v2(d);
        const names = runBlobs(i.runId);
        // The model serving now goes in as an input: the job scores it on the same held-out rows.
        const serving = await servingOf(ml, i.endpoint);
        const name = jobNameFor(i.runId);
        const { alreadySubmitted } = await ml.jobs.submit(name, {
          command: ml.options.command, environmentId: ml.options.environmentId, ...(ml.options.computeId ? { computeId: ml.options.computeId } : {}), ...(ml.options.codeId ? { codeId: ml.options.codeId } : {}),
          experimentName: `retrainer-${i.endpoint}`, displayName: `retrain ${i.endpoint} (${i.runId})`,
          inputs: {
            data: { jobInputType: "uri_file", uri: await blobUrl(names.input) },
            ...(i.probe ? { probe: { jobInputType: "uri_file" as const, uri: await blobUrl(names.probe) } } : {}),
            // The serving version as an MLflow model: the job loads it with mlflow.pyfunc, as the deployment serves it.
            ...(serving.model ? { champion: { jobInputType: MODEL_TYPE, uri: `azureml:${serving.model.name}:${serving.model.version}` } } : {}),
          },
          outputs: { model: { jobOutputType: MODEL_TYPE } },
          tags: { "retrainer.run": i.runId, "retrainer.endpoint": i.endpoint },
          timeoutInSeconds: d.options.jobSasLifetimeInMs / 1000,
        });
        d.telemetry.event("JobSubmitted", { ...ref(i), jobId: name, backend: "azureml", champion: serving.model ? `${serving.model.name}:${serving.model.version}` : serving.note, alreadySubmitted: String(alreadySubmitted) });
        return { jobId: name, ...(serving.model ? { champion: serving.model } : {}), ...(serving.note ? { championNote: serving.note } : {}) };
      }),

    [AZUREML_ACTIVITY.evaluate]: (i: C.EvaluateInput) =>
      toOutcome<C.EvaluateResult>(async () => {
        const run = await v2(d).mlflow.getRun(i.jobId);
        // The catalogued MLflow keys, under their canonical names; anything else the job logged is not a gate metric.
        const metrics = fromReported(AZUREML_METRICS, run.metrics);
        const champion = fromReported(AZUREML_METRICS, run.metrics, CHAMPION_PREFIX);
        const compared = Object.keys(champion).length > 0 ? champion : undefined;
        const decision = evaluateGate(i.gate, metrics, compared);
        for (const [name, value] of Object.entries(metrics)) d.telemetry.metric(`Evaluation ${name}`, value, ref(i));
        d.telemetry.event(decision.passed ? "GatePassed" : "GateRejected", { ...ref(i), jobId: i.jobId, reasons: decision.reasons.join(" ") }, metrics);
        return { metrics, ...(compared ? { championMetrics: compared } : {}), decision, sasRefreshes: 0 };
      }),
  };
}

/** A v2 job's state as a phase (the shared check activity calls this for v2 jobs). */
export async function checkAzureMlJob(d: ActivityDependencies, i: C.JobRef): Promise<C.CheckResult> {
  const job = await v2(d).jobs.get(i.jobId);
  if (!job) throw new AzureMlError(`job ${i.jobId} does not exist in the workspace`, { operation: "get job", code: "NotFound", retryable: false, statusCode: 404 });
  const details = job.phase === "failed" ? `${job.error ?? "the service gave no reason"} (${job.studioUrl ?? "see the job in Azure ML studio"})` : undefined;
  return { phase: job.phase, state: job.status, ...(details ? { details } : {}) };
}
