import { describe, expect, it } from "vitest";
import { azureMlTrainingActivities } from "../../../../functions/activities/azureml/training";
import { azureMlRolloutActivities } from "../../../../functions/activities/azureml/rollout";
import type { AzureMlDependencies } from "../../../../functions/activities/azureml/dependencies";
import type { CommandJobSpec } from "../../../../shared/backends/azureml/jobs-client";
import type { RegisterModelOptions } from "../../../../shared/backends/azureml/models-client";
import { loadSettings } from "../../../../shared/config/settings";
import { FakeWorld } from "../../../support/fake-world";

const WS = "/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/w";
const CODE = `${WS}/codes/train/versions/3`;
const ref = { runId: "census-v2-20300101T000000Z-abc123", endpoint: "census-v2" };
/** The command as the settings default it: what a deployed app sends unless told otherwise. */
const DEFAULT_COMMAND = loadSettings({
  AML_SERVICES_URL: "https://ussouthcentral.services.azureml.net", AML_WORKSPACE_ID: "ws1", AML_TRAINING_SERVICE_ID: "t", AML_TRAINING_API_KEY: "k1-fake", AML_PREDICTIVE_SERVICE_ID: "p",
  AML_MANAGEMENT_API_KEY: "k2-fake", RETRAIN_ENDPOINTS: "census-v2", RETRAIN_SCHEDULE: "0 0 3 * * 0", RETRAIN_DATA_SOURCE: "blob:training/census.csv", RETRAIN_GATE: "auc>=0.8",
  STAGING_STORAGE_CONNECTION_STRING: "UseDevelopmentStorage=true",
}).AZUREML_TRAINING_COMMAND;

/** Fake v2 clients over one endpoint: what it serves, and every job and registration asked for. */
function v2(o: { readonly serving?: string; readonly codeId?: string }) {
  const submitted: CommandJobSpec[] = [];
  const registered: RegisterModelOptions[] = [];
  const traffic: Record<string, number> = o.serving ? { blue: 100 } : {};
  const deps: AzureMlDependencies = {
    workspace: { armUrl: "https://management.azure.com", workspaceId: WS },
    jobs: {
      submit: (name, spec) => (submitted.push(spec), Promise.resolve({ alreadySubmitted: false, job: { name, status: "NotStarted", phase: "pending", outputs: {}, tags: {} } })),
      get: () => Promise.resolve(undefined),
      cancel: () => Promise.resolve(),
    },
    mlflow: { getRun: () => Promise.reject(new Error("unused")), getMetricHistory: () => Promise.resolve([]) },
    models: { register: (name, version, r) => (registered.push(r), Promise.resolve({ alreadyRegistered: false, model: { name, version, modelUri: r.modelUri, tags: {} } })) },
    online: {
      getEndpoint: () => Promise.resolve({ name: "census-v2", authMode: "Key", traffic, mirrorTraffic: {}, provisioningState: "Succeeded" }),
      getDeployment: () => Promise.resolve(o.serving ? { name: "blue", provisioningState: "Succeeded", model: `${WS}/models/census-v2/versions/${o.serving}` } : undefined),
      setTraffic: () => Promise.reject(new Error("unused")), putDeployment: () => Promise.reject(new Error("unused")), deleteDeployment: () => Promise.reject(new Error("unused")),
      pollOperation: () => Promise.reject(new Error("unused")), listKeys: () => Promise.reject(new Error("unused")), score: () => Promise.reject(new Error("unused")),
    },
    options: { environmentId: `${WS}/environments/retrainer-census/versions/1`, command: DEFAULT_COMMAND, instanceType: "Standard_DS3_v2", instanceCount: 1, ...(o.codeId ? { codeId: o.codeId } : {}) },
  };
  const d = { ...new FakeWorld({ now: new Date("2030-01-01T00:00:00Z") }).deps(), azureml: deps };
  return { submitted, registered, training: azureMlTrainingActivities(d), rollout: azureMlRolloutActivities(d) };
}

describe("azuremlSubmitJob: the command job body", () => {
  it("declares the model output and the champion input as MLflow models, with the default command", async () => {
    const { submitted, training } = v2({ serving: "7" });
    expect(await training.azuremlSubmitJob({ ...ref, probe: true })).toMatchObject({ kind: "ok", value: { champion: { name: "census-v2", version: "7" } } });
    const [spec] = submitted;
    expect(spec!.outputs).toEqual({ model: { jobOutputType: "mlflow_model" } });
    expect(spec!.inputs.champion).toEqual({ jobInputType: "mlflow_model", uri: "azureml:census-v2:7" });
    expect(Object.keys(spec!.inputs).sort()).toEqual(["champion", "data", "probe"]);
    expect(spec!.command).toBe("python train.py --data ${{inputs.data}} $[[--probe ${{inputs.probe}}]]");
  });

  it("sends no probe input for a run without probe rows, and no champion when no version serves", async () => {
    const { submitted, training } = v2({});
    await training.azuremlSubmitJob({ ...ref, probe: false });
    expect(Object.keys(submitted[0]!.inputs)).toEqual(["data"]);
  });

  it("sends codeId only when a code asset is configured", async () => {
    const without = v2({});
    await without.training.azuremlSubmitJob({ ...ref, probe: true });
    expect(without.submitted[0]).not.toHaveProperty("codeId");
    const withCode = v2({ codeId: CODE });
    await withCode.training.azuremlSubmitJob({ ...ref, probe: true });
    expect(withCode.submitted[0]!.codeId).toBe(CODE);
  });
});

describe("azuremlRegisterModel", () => {
  it("registers the job's model output as an MLflow model, so it deploys without a scoring script", async () => {
    const { registered, rollout } = v2({});
    expect(await rollout.azuremlRegisterModel({ ...ref, jobId: "retrainer-x" })).toMatchObject({ kind: "ok" });
    expect(registered).toEqual([{ modelUri: "azureml://jobs/retrainer-x/outputs/model", jobName: "retrainer-x", modelType: "mlflow_model", tags: { "retrainer.run": ref.runId } }]);
  });
});
