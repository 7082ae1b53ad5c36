import { describe, expect, it } from "vitest";
import { azureMlTrainingActivities } from "../../../../functions/activities/azureml/training";
import { classicTrainingActivities } from "../../../../functions/activities/classic/training";
import type { AzureMlDependencies } from "../../../../functions/activities/azureml/dependencies";
import { parseGateRules } from "../../../../shared/evaluation/gate";
import { AZUREML_METRICS } from "../../../../shared/backends/azureml/metrics";
import { CLASSIC_METRICS } from "../../../../shared/backends/classic/metrics";
import { ACTIVITY, AZUREML_ACTIVITY } from "../../../../functions/activities/names";
import { FakeWorld } from "../../../support/fake-world";

/** One model and the one it would replace, as each backend reports them: MLflow keys, Evaluate Model's columns. */
const MLFLOW = {
  accuracy: 0.84, precision: 0.71, recall: 0.6, f1_score: 0.65, auc: 0.88, log_loss: 0.36,
  champion_accuracy: 0.85, champion_precision: 0.72, champion_recall: 0.6, champion_f1_score: 0.66, champion_auc: 0.9, champion_log_loss: 0.35,
  probe_score: 0.5, some_other_key: 3,
};
const CSV = "Accuracy,Precision,Recall,F-Score,AUC,Average Log Loss,Training Log Loss\r\n0.84,0.71,0.6,0.65,0.88,0.36,0.4\r\n0.85,0.72,0.6,0.66,0.9,0.35,0.41\r\n";
const ref = { runId: "census-20300101T000000Z-abc123", endpoint: "census", jobId: "job1" };

function evaluateOnV2(gate: string) {
  const world = new FakeWorld({ now: new Date("2030-01-01T00:00:00Z") });
  const mlflow = { getRun: () => Promise.resolve({ status: "FINISHED", metrics: MLFLOW }), getMetricHistory: () => Promise.resolve([]) };
  // Only the MLflow client is read by the evaluation.
  const azureml = { mlflow } as unknown as AzureMlDependencies;
  return azureMlTrainingActivities({ ...world.deps(), azureml })[AZUREML_ACTIVITY.evaluate]({ ...ref, backend: "azureml", gate: parseGateRules(gate, AZUREML_METRICS) });
}

async function evaluateOnClassic(gate: string) {
  const world = new FakeWorld({ now: new Date("2030-01-01T00:00:00Z") });
  world.evaluationCsv = CSV;
  world.pollsToFinish = 1;
  // A BES job that wrote Evaluate Model's CSV (output2) and finished.
  const jobId = await world.bes.submitJob({ Inputs: {}, Outputs: { output2: { BaseLocation: "https://acct.blob.core.windows.net/", RelativeLocation: "runs/evaluation.csv", SasBlobToken: "" } }, GlobalParameters: {} });
  await world.bes.startJob(jobId);
  await world.bes.getJob(jobId);
  return classicTrainingActivities(world.deps())[ACTIVITY.evaluate]({ ...ref, jobId, gate: parseGateRules(gate, CLASSIC_METRICS) });
}

describe("the evaluate activities report canonical names, whichever backend", () => {
  it("reads MLflow's keys and Evaluate Model's columns as the same metrics, the champion's too", async () => {
    const v2 = await evaluateOnV2("auc>=0.8");
    const classic = await evaluateOnClassic("auc>=0.8");
    expect(v2).toMatchObject({ kind: "ok", value: { metrics: { auc: 0.88, f1_score: 0.65, log_loss: 0.36 }, championMetrics: { auc: 0.9, log_loss: 0.35 } } });
    if (v2.kind !== "ok" || classic.kind !== "ok") throw new Error("an evaluation failed");
    expect(Object.keys(v2.value.metrics)).toEqual(["accuracy", "precision", "recall", "f1_score", "auc", "log_loss"]);
    const { training_log_loss: _, ...shared } = classic.value.metrics;
    expect(shared).toEqual(v2.value.metrics);
  });

  it.each([
    ["AUC>=0.85; F-Score>=0.6", true],
    ["AUC>=champion-0.005", false],
    ["Average Log Loss<=champion+0.02; Accuracy>=0.8", true],
    ["Average Log Loss<=champion", false],
  ])("a gate in Evaluate Model's names, %j, decides on a v2 endpoint as on a classic one", async (gate, passed) => {
    const v2 = await evaluateOnV2(gate);
    const classic = await evaluateOnClassic(gate);
    if (v2.kind !== "ok" || classic.kind !== "ok") throw new Error("an evaluation failed");
    expect(v2.value.decision).toEqual(classic.value.decision);
    expect(v2.value.decision.passed).toBe(passed);
  });
});
