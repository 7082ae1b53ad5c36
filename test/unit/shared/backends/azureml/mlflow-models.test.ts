import { describe, expect, it } from "vitest";
import { MlflowClient } from "../../../../../shared/backends/azureml/mlflow-client";
import { CHAMPION_TAG, ModelsClient } from "../../../../../shared/backends/azureml/models-client";
import { fakeTransport, jsonBody } from "../../../../support/fake-transport";
import { countingCredential, TOKEN, v, WS, WS_ID, WS_URL } from "./fixtures";

const TRACKING = `azureml://eastus.api.azureml.ms/mlflow/v1.0${WS_ID}`;
const RUNS_GET = `https://eastus.api.azureml.ms/mlflow/v1.0${WS_ID}/api/2.0/mlflow/runs/get?run_id=job-1`;

describe("MlflowClient", () => {
  it("reads the tracking URI from the workspace once, then a run's metrics by job name, with the ARM token", async () => {
    const t = fakeTransport([
      { method: "GET", url: v(WS_URL), times: 1, reply: () => ({ status: 200, body: { properties: { mlFlowTrackingUri: TRACKING } } }) },
      { method: "GET", url: RUNS_GET, reply: () => ({ status: 200, body: { run: { info: { run_id: "job-1", status: "FINISHED" }, data: {
        metrics: [{ key: "auc", value: 0.91, timestamp: 2, step: 0 }, { key: "champion_auc", value: 0.89, timestamp: 2 }, { key: "log_loss", value: "NaN", timestamp: 1 }, { key: "__proto__", value: 1 }],
      } } } }) },
    ]);
    const mlflow = new MlflowClient({ workspace: WS, credential: countingCredential(), transport: t });
    expect(await mlflow.getRun("job-1")).toEqual({ status: "FINISHED", metrics: { auc: 0.91, champion_auc: 0.89, log_loss: Number.NaN } });
    await mlflow.getRun("job-1");
    expect(t.requests.map((r) => r.url)).toEqual([v(WS_URL), RUNS_GET, RUNS_GET]);
    for (const r of t.requests) expect(r.headers.Authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("keeps the later value when a key comes twice, and reports MLflow's error code", async () => {
    const twice = fakeTransport([
      { method: "GET", url: v(WS_URL), reply: () => ({ status: 200, body: { properties: { mlFlowTrackingUri: TRACKING } } }) },
      { method: "GET", url: RUNS_GET, times: 1, reply: () => ({ status: 200, body: { run: { info: { status: "FINISHED" }, data: { metrics: [{ key: "auc", value: 0.7, timestamp: 9 }, { key: "auc", value: 0.9, timestamp: 3 }] } } } }) },
      { method: "GET", url: RUNS_GET, reply: () => ({ status: 404, body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "Run 'job-1' not found" } }) },
    ]);
    const mlflow = new MlflowClient({ workspace: WS, credential: countingCredential(), transport: twice });
    expect((await mlflow.getRun("job-1")).metrics).toEqual({ auc: 0.7 });
    await expect(mlflow.getRun("job-1")).rejects.toMatchObject({ name: "AzureMlError", code: "RESOURCE_DOES_NOT_EXIST", statusCode: 404, retryable: false });
  });

  it("refuses a workspace without a tracking URI, and asks again next time", async () => {
    const t = fakeTransport([{ method: "GET", url: v(WS_URL), reply: () => ({ status: 200, body: { properties: {} } }) }]);
    const mlflow = new MlflowClient({ workspace: WS, credential: countingCredential(), transport: t });
    await expect(mlflow.getRun("job-1")).rejects.toMatchObject({ code: "InvalidResponse" });
    await expect(mlflow.getRun("job-1")).rejects.toMatchObject({ code: "InvalidResponse" });
    expect(t.requests).toHaveLength(2);
  });
});

describe("ModelsClient", () => {
  const VERSION = `${WS_URL}/models/census/versions/7`;
  const URI = "azureml://jobs/job-1/outputs/model";
  const version = (uri: string, tags: Record<string, string> = {}) => ({ name: "7", properties: { modelType: "mlflow_model", modelUri: uri, jobName: "job-1", tags } });

  it("registers a job's model output as a new version, and a retried registration finds it", async () => {
    const t = fakeTransport([
      { method: "GET", url: v(VERSION), times: 1, reply: () => ({ status: 404, body: { error: { code: "UserError" } } }) },
      { method: "PUT", url: v(VERSION), reply: () => ({ status: 201, body: version(URI, { "retrainer.run": "r1" }) }) },
      { method: "GET", url: v(VERSION), reply: () => ({ status: 200, body: version(URI, { "retrainer.run": "r1" }) }) },
    ]);
    const models = new ModelsClient({ workspace: WS, credential: countingCredential(), transport: t });
    const first = await models.register("census", "7", { modelUri: URI, jobName: "job-1", tags: { "retrainer.run": "r1" } });
    expect(first).toEqual({ alreadyRegistered: false, model: { name: "census", version: "7", modelUri: URI, modelType: "mlflow_model", jobName: "job-1", tags: { "retrainer.run": "r1" } } });
    expect(jsonBody(t.requests[1])).toEqual({ properties: { modelType: "mlflow_model", modelUri: URI, jobName: "job-1", tags: { "retrainer.run": "r1" } } });
    expect((await models.register("census", "7", { modelUri: URI })).alreadyRegistered).toBe(true);
  });

  it("retags a version as it was registered: a version registered as custom_model stays one (a PUT without the type would change it)", async () => {
    const custom = { name: "7", properties: { modelType: "custom_model", modelUri: URI, jobName: "job-1", tags: {} } };
    const t = fakeTransport([
      { method: "GET", url: v(VERSION), reply: () => ({ status: 200, body: custom }) },
      { method: "PUT", url: v(VERSION), reply: () => ({ status: 200, body: { ...custom, properties: { ...custom.properties, tags: { [CHAMPION_TAG]: "true" } } } }) },
    ]);
    const models = new ModelsClient({ workspace: WS, credential: countingCredential(), transport: t });
    const found = await models.get("census", "7");
    expect(found?.modelType).toBe("custom_model");
    await models.setTags(found!, { [CHAMPION_TAG]: "true" });
    expect(jsonBody(t.requests[1])).toEqual({ properties: { modelType: "custom_model", modelUri: URI, jobName: "job-1", tags: { [CHAMPION_TAG]: "true" } } });
  });

  it("refuses to reuse a version for another model", async () => {
    const t = fakeTransport([{ method: "GET", url: v(VERSION), reply: () => ({ status: 200, body: version("azureml://jobs/other/outputs/model") }) }]);
    await expect(new ModelsClient({ workspace: WS, credential: countingCredential(), transport: t }).register("census", "7", { modelUri: URI }))
      .rejects.toMatchObject({ code: "VersionInUse", retryable: false, message: expect.stringContaining("already registered for azureml://jobs/other/outputs/model") as unknown });
  });

  it("lists the champion by its tag across pages, and never follows a next link off the workspace", async () => {
    const list = v(`${WS_URL}/models/census/versions?$orderBy=${encodeURIComponent("createdtime desc")}&tags=${encodeURIComponent(CHAMPION_TAG)}`);
    const next = `${WS_URL}/models/census/versions?$skipToken=2&api-version=2025-12-01`;
    const t = fakeTransport([
      { method: "GET", url: list, reply: () => ({ status: 200, body: { value: [{ ...version(URI, { [CHAMPION_TAG]: "true" }), name: "7" }], nextLink: next } }) },
      { method: "GET", url: next, reply: () => ({ status: 200, body: { value: [{ ...version(URI), name: "6" }], nextLink: "https://evil.example/steal" } }) },
    ]);
    const found = await new ModelsClient({ workspace: WS, credential: countingCredential(), transport: t }).listTagged("census", CHAMPION_TAG);
    expect(found.map((m) => m.version)).toEqual(["7", "6"]);
    expect(t.requests).toHaveLength(2);
  });
});
