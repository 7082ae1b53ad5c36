import type { ActivityDependencies } from "../dependencies";
import type * as C from "../contracts";
import type * as A from "./contracts";
import { AZUREML_ACTIVITY } from "../names";
import { toOutcome } from "../outcome";
import { ref } from "../ref";
import { v2 } from "./training";
import { modelOfId, servingOf } from "./serving";
import { modelVersionId } from "../../../shared/backends/azureml/workspace";
import { CHAMPION_PREFIX, PROBE_METRIC } from "../../../shared/backends/azureml/metrics";
import { MODEL_TYPE } from "../../../shared/backends/azureml/training-job";
import type { AsyncOperation, OperationStatus } from "../../../shared/backends/azureml/async-operation";
import type { AzureMlModelRef } from "../../../shared/backends/model-ref";
import { compareProbabilities } from "../../../shared/evaluation/canary";
import { AzureMlError } from "../../../shared/backends/azureml/azureml-error";
import { parse } from "csv-parse/sync";
import { RestError } from "@azure/storage-blob";

/** A run's model version: from its run id, so a retried registration finds its own. */
export const modelVersionFor = (runId: string) => runId.replace(/[^a-zA-Z0-9]/g, "").slice(-40);

/**
 * The v2 rollout's steps as thin adapters: register, read the endpoint, create and delete a
 * deployment, set traffic, poll a long-running operation (one poll per call: the orchestrator
 * waits between polls with durable timers), and check the probe rows through one deployment.
 */
export function azureMlRolloutActivities(d: ActivityDependencies) {
  return {
    [AZUREML_ACTIVITY.register]: (i: A.RegisterInput) =>
      toOutcome<AzureMlModelRef>(async () => {
        const ml = v2(d);
        const version = modelVersionFor(i.runId);
        const { model, alreadyRegistered } = await ml.models.register(i.endpoint, version, {
          modelUri: `azureml://jobs/${i.jobId}/outputs/model`, jobName: i.jobId, modelType: MODEL_TYPE, tags: { "retrainer.run": i.runId },
        });
        d.telemetry.event("ModelRegistered", { ...ref(i), jobId: i.jobId, model: `${model.name}:${model.version}`, alreadyRegistered: String(alreadyRegistered) });
        return { backend: "azureml", name: model.name, version: model.version };
      }),

    [AZUREML_ACTIVITY.readEndpoint]: (i: C.RunRef) =>
      toOutcome<A.EndpointState>(async () => {
        const s = await servingOf(v2(d), i.endpoint);
        return { traffic: s.traffic, mirrorTraffic: s.mirrorTraffic, ...(s.serving ? { serving: s.serving } : {}), ...(s.model ? { servingModel: s.model } : {}) };
      }),

    [AZUREML_ACTIVITY.createDeployment]: (i: A.CreateDeploymentInput) =>
      toOutcome<AsyncOperation>(async () => {
        const ml = v2(d);
        const op = await ml.online.putDeployment(i.endpoint, i.deployment, {
          model: modelVersionId(ml.workspace, i.model.name, i.model.version), instanceType: ml.options.instanceType, instanceCount: ml.options.instanceCount, tags: { "retrainer.run": i.runId },
        });
        d.telemetry.event("DeploymentCreating", { ...ref(i), deployment: i.deployment, model: `${i.model.name}:${i.model.version}` });
        return op;
      }),

    [AZUREML_ACTIVITY.pollOperation]: (i: A.OperationInput) => toOutcome<OperationStatus>(() => v2(d).online.pollOperation(i.operation)),

    [AZUREML_ACTIVITY.setTraffic]: (i: A.TrafficInput) =>
      toOutcome<AsyncOperation>(async () => {
        const op = await v2(d).online.setTraffic(i.endpoint, i.traffic, i.mirrorTraffic ?? {});
        d.telemetry.event("TrafficSet", { ...ref(i), traffic: JSON.stringify(i.traffic), mirrorTraffic: JSON.stringify(i.mirrorTraffic ?? {}) });
        return op;
      }),

    [AZUREML_ACTIVITY.deleteDeployment]: (i: A.DeploymentInput) =>
      toOutcome<AsyncOperation>(async () => {
        const op = await v2(d).online.deleteDeployment(i.endpoint, i.deployment);
        d.telemetry.event("DeploymentDeleting", { ...ref(i), deployment: i.deployment });
        return op;
      }),

    [AZUREML_ACTIVITY.readDeployment]: (i: A.DeploymentInput) =>
      toOutcome<A.DeploymentState>(async () => {
        const ml = v2(d);
        const found = await ml.online.getDeployment(i.endpoint, i.deployment);
        if (!found) return { exists: false };
        const model = modelOfId(ml, found.model);
        return { exists: true, provisioningState: found.provisioningState, ...(model ? { model } : {}) };
      }),

    [AZUREML_ACTIVITY.probe]: (i: A.ProbeInput) =>
      toOutcome<A.ProbeResult>(async () => {
        const ml = v2(d);
        // The probe rows as the model scored them at training time, one MLflow step per row.
        const metric = i.scoresOf === "champion" ? `${CHAMPION_PREFIX}${PROBE_METRIC}` : PROBE_METRIC;
        const expected = (await ml.mlflow.getMetricHistory(i.jobId, metric)).map((m) => m.value);
        if (expected.length === 0) return { matched: false, unavailable: true, summary: `job ${i.jobId} logged no ${metric}, so there is nothing to check the deployment against` };
        const rowsOf = i.rowsOf ?? i.runId;
        const text = await d.staging.readProbe(rowsOf).catch((e: unknown) => {
          if (e instanceof RestError && e.statusCode === 404) return undefined;
          throw e;
        });
        if (text === undefined) return { matched: false, unavailable: true, summary: `the probe rows of run ${rowsOf} are no longer staged, so there is nothing to check the deployment against` };
        const records: string[][] = parse(text, { skip_empty_lines: true, bom: true });
        const [columns, ...data] = records;
        const e = await ml.online.getEndpoint(i.endpoint);
        if (!e.scoringUri || !columns) throw new AzureMlError(`endpoint ${i.endpoint} has no scoring URI`, { operation: "probe", code: "InvalidResponse", retryable: false });
        const { primaryKey } = await ml.online.listKeys(i.endpoint);
        const answer = await ml.online.score(e.scoringUri, primaryKey, { input_data: { columns, data } }, i.deployment);
        const served = Array.isArray(answer) ? answer.map((v) => (typeof v === "number" ? v : Number.NaN)) : [];
        const r = compareProbabilities(expected, served);
        const result = { matched: r.matched, summary: `${i.deployment ? `deployment ${i.deployment}` : `endpoint ${i.endpoint}`}: ${r.summary}` };
        d.telemetry.event(r.matched ? "ProbeMatched" : "ProbeMismatched", { ...ref(i), deployment: i.deployment ?? "", summary: result.summary });
        return result;
      }),
  };
}
