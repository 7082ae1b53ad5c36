import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostedPipeline } from "../support/host";
import { startV2Pipeline } from "../support/azureml";
import type { RunningAzureMlService } from "../../emulator/azureml/service";
import type { RunRecord } from "../../shared/history/run-record";

let p: HostedPipeline;
let svc: RunningAzureMlService;
let stop: () => Promise<void>;
const ENDPOINT = "census-v2";

beforeAll(async () => {
  // A code asset, as a deployed app would name one (AZUREML_CODE_ID), so the job carries codeId.
  ({ p, svc, stop } = await startV2Pipeline(ENDPOINT, (ws) => ({ AZUREML_CODE_ID: `azureml:${ws}/codes/retrainer-census/versions/1` })));
});
afterAll(() => stop?.());

describe("a v2 run through the local host: job, gate, green deployment, staged shift, verification", () => {
  it("trains, gates against the serving model, shifts 10 → 50 → 100 % to the new deployment and keeps the old one at 0 %", async () => {
    const start = await p.call("POST", "/api/retrain", { endpoint: ENDPOINT });
    expect(start.status).toBe(202);
    const { id } = start.body as { id: string };
    const ended = await p.engine.waitUntilEnded(id);
    const status = (await p.call("GET", `/api/retrain/${id}`)).body as Record<string, unknown>;
    expect(status, JSON.stringify(status)).toMatchObject({ runtimeStatus: "Completed", result: "promoted", decision: { passed: true, comparedWithChampion: true } });
    expect(ended.status).toBe("Completed");

    const e = svc.state.endpoint(ENDPOINT)!;
    const green = Object.keys(e.traffic).find((k) => e.traffic[k] === 100)!;
    expect(green).not.toBe("blue");
    expect(e.deployments.get("blue")?.provisioningState).toBe("Succeeded"); // kept as the rollback target
    expect(e.mirrorTraffic).toEqual({});

    const record = (await p.call("GET", `/api/runs/${(status as { runId: string }).runId}`)).body as RunRecord;
    expect(record).toMatchObject({ backend: "azureml", result: "promoted", modelBefore: { backend: "azureml", name: "census", version: "1" }, modelAfter: { backend: "azureml", name: ENDPOINT } });
    expect(record.rollout).toMatchObject({ deployment: green, previousDeployment: "blue", retained: { deployment: "blue" } });
    expect(record.rollout!.steps.map((s) => s.percent)).toEqual([0, 10, 50, 100, 100]);
    for (const s of record.rollout!.steps) expect(s.check).toMatch(/probe rows scored as at training time/);
    expect(Object.keys(record.metrics!)).toEqual(expect.arrayContaining(["auc", "accuracy", "log_loss"]));
    // The job as Azure would run it: MLflow model in and out, the code asset, the probe segment kept (the run has probe rows).
    const job = svc.state.jobs.get(record.jobId!)!;
    expect(job.properties).toMatchObject({ codeId: `${svc.workspaceId}/codes/retrainer-census/versions/1`, outputs: { model: { jobOutputType: "mlflow_model" } }, inputs: { champion: { jobInputType: "mlflow_model" } } });
    expect(job.resolvedCommand).toMatch(/^python train\.py --data \S+\/INPUT_data --probe \S+\/INPUT_probe$/);
    const registered = [...svc.state.models.get(ENDPOINT)!.values()];
    expect(registered.map((m) => [m.properties.jobName, m.properties.modelType])).toEqual([[record.jobId, "mlflow_model"]]);
    console.log(`v2 run: ${record.rollout!.steps.length} checks, ${record.rollout!.operationPolls} operation polls, ${ended.historyEvents} history events; served ${JSON.stringify(e.traffic)}`);
  });
});
