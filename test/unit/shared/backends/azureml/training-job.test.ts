import { describe, expect, it } from "vitest";
import { DEFAULT_TRAINING_COMMAND, trainingCommandProblem } from "../../../../../shared/backends/azureml/training-job";
import { loadSettings, SettingsError } from "../../../../../shared/config/settings";
import { parseCodeVersionId } from "../../../../../shared/backends/azureml/workspace";

const WS = "/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/w";
const CODE = `${WS}/codes/3f2a9c1e-0000-4d1f-9b7e-1c2d3e4f5a6b/versions/1`;

/** A v2 app's settings, with `extra` on top. */
const env = (extra: Record<string, string> = {}) => ({
  AML_SERVICES_URL: "https://ussouthcentral.services.azureml.net", AML_WORKSPACE_ID: "ws1", AML_TRAINING_SERVICE_ID: "train1", AML_TRAINING_API_KEY: "k1-fake-training",
  AML_PREDICTIVE_SERVICE_ID: "pred1", AML_MANAGEMENT_API_KEY: "k2-fake-management", RETRAIN_ENDPOINTS: "census-v2", RETRAIN_SCHEDULE: "0 0 3 * * 0",
  RETRAIN_DATA_SOURCE: "blob:training/census.csv", RETRAIN_GATE: "auc>=0.8", STAGING_STORAGE_CONNECTION_STRING: "UseDevelopmentStorage=true",
  RETRAIN_ENDPOINT_SETTINGS: JSON.stringify({ "census-v2": { backend: "azureml" } }), AZUREML_WORKSPACE_ID: WS, AZUREML_ENVIRONMENT_ID: `${WS}/environments/retrainer-census/versions/1`,
  ...extra,
});
const refusal = (e: Record<string, string>): string => {
  try {
    loadSettings(e);
  } catch (err) {
    if (err instanceof SettingsError) return err.message;
    throw err;
  }
  throw new Error("expected the settings to be refused");
};

describe("trainingCommandProblem", () => {
  it("accepts the default, which names probe only in an optional segment", () => {
    expect(DEFAULT_TRAINING_COMMAND).toBe("python train.py --data ${{inputs.data}} $[[--probe ${{inputs.probe}}]]");
    expect(trainingCommandProblem(DEFAULT_TRAINING_COMMAND)).toBeUndefined();
    expect(trainingCommandProblem("python /opt/retrainer/train.py $[[--champion ${{inputs.champion}}]] --model_output ${{outputs.model}}")).toBeUndefined();
  });

  it("refuses probe or champion outside $[[ ]], an input the jobs do not have, and an unreadable command", () => {
    expect(trainingCommandProblem("python train.py --data ${{inputs.data}} --probe ${{inputs.probe}}")).toBe(
      "names ${{inputs.probe}} outside an optional segment, but a run does not always have that input; write it as $[[--probe ${{inputs.probe}}]]");
    expect(trainingCommandProblem("python train.py --champion ${{inputs.champion}}")).toMatch(/^names \$\{\{inputs\.champion\}\} outside an optional segment/);
    expect(trainingCommandProblem("python train.py --lr ${{inputs.lr}}")).toBe("names ${{inputs.lr}}, which the app's jobs do not have (inputs data, probe, champion; output model)");
    expect(trainingCommandProblem("python train.py $[[--probe ${{inputs.probe}}")).toMatch(/^cannot be read: the optional segment at character 17 is not closed/);
  });
});

describe("settings: AZUREML_TRAINING_COMMAND and AZUREML_CODE_ID at the edge", () => {
  it("defaults the command and leaves the code id unset", () => {
    const s = loadSettings(env());
    expect(s.AZUREML_TRAINING_COMMAND).toBe(DEFAULT_TRAINING_COMMAND);
    expect(s.AZUREML_CODE_ID).toBeUndefined();
  });

  it("refuses the old default, which breaks every run without probe rows, naming the fix", () => {
    expect(refusal(env({ AZUREML_TRAINING_COMMAND: "python train.py --data ${{inputs.data}} --probe ${{inputs.probe}}" })))
      .toContain("AZUREML_TRAINING_COMMAND names ${{inputs.probe}} outside an optional segment, but a run does not always have that input; write it as $[[--probe ${{inputs.probe}}]]");
  });

  it("takes a code version's ARM id with or without azureml: (as az ml job show prints it), keeping the plain id", () => {
    expect(loadSettings(env({ AZUREML_CODE_ID: CODE })).AZUREML_CODE_ID).toBe(CODE);
    expect(loadSettings(env({ AZUREML_CODE_ID: `azureml:${CODE}` })).AZUREML_CODE_ID).toBe(CODE);
  });

  it("refuses a code id that is no code version's ARM id, or of another workspace, without echoing it", () => {
    const bad = "azureml:train-code:1\u001b[31m";
    const m = refusal(env({ AZUREML_CODE_ID: bad }));
    expect(m).toContain("AZUREML_CODE_ID must be a code asset version's resource id: /subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.MachineLearningServices/workspaces/{name}/codes/{code}/versions/{version}");
    expect(m).not.toContain("\u001b");
    expect(refusal(env({ AZUREML_CODE_ID: `${WS}/environments/e/versions/1` }))).toContain("AZUREML_CODE_ID must be a code asset version's resource id");
    expect(refusal(env({ AZUREML_CODE_ID: CODE.replace("/workspaces/w/", "/workspaces/other/") })))
      .toContain("AZUREML_CODE_ID names a code asset of another workspace than AZUREML_WORKSPACE_ID");
  });
});

describe("parseCodeVersionId", () => {
  it("gives the plain id and its workspace", () => {
    expect(parseCodeVersionId(` azureml:${CODE} `)).toEqual({ id: CODE, workspaceId: WS });
    expect(parseCodeVersionId("azureml://registries/r/codes/c/versions/1")).toHaveProperty("problem");
  });
});
