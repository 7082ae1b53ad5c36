import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzureMlService, type RunningAzureMlService } from "../../../emulator/azureml/service";
import { MlflowClient } from "../../../shared/backends/azureml/mlflow-client";

/**
 * The local v2 service's MLflow write calls (runs/create, runs/update, runs/log-metric,
 * runs/log-batch) as MLflow's REST API defines them, read back through the app's MLflow reader.
 */
let svc: RunningAzureMlService;
let base: string;
let mlflow: MlflowClient;

async function post(path: string, body: unknown, token = svc.config.armToken): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}/api/2.0/mlflow/${path}`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

async function newRun(): Promise<string> {
  const r = await post("runs/create", { experiment_id: "0", start_time: 1_000 });
  expect(r.status).toBe(200);
  return (r.body.run as { info: { run_id: string } }).info.run_id;
}

beforeAll(async () => {
  svc = await startAzureMlService({ endpoints: [] });
  base = `${svc.armUrl}/mlflow/v1.0${svc.workspaceId}`;
  mlflow = new MlflowClient({ workspace: { armUrl: svc.armUrl, workspaceId: svc.workspaceId }, credential: { getToken: () => Promise.resolve({ token: svc.config.armToken, expiresOnTimestamp: Date.now() + 3_600_000 }) } });
});

afterAll(async () => {
  await svc?.stop();
});

describe("the local v2 service's MLflow logging", () => {
  it("keeps what a script logs: the latest value per key by step, every step in the history, the status it ends with", async () => {
    const id = await newRun();
    expect((await mlflow.getRun(id)).status).toBe("RUNNING");
    expect((await post("runs/log-batch", { run_id: id, metrics: [{ key: "auc", value: 0.91, timestamp: 5, step: 0 }, { key: "log_loss", value: "NaN", timestamp: 5 }] })).status).toBe(200);
    for (const step of [2, 0, 1]) expect((await post("runs/log-metric", { run_id: id, key: "probe_score", value: step / 10, timestamp: 10 - step, step })).status).toBe(200);
    expect((await post("runs/update", { run_id: id, status: "FINISHED", end_time: 20 })).status).toBe(200);
    const run = await mlflow.getRun(id);
    expect(run.status).toBe("FINISHED");
    expect(run.metrics).toEqual({ auc: 0.91, log_loss: Number.NaN, probe_score: 0.2 });
    expect(await mlflow.getMetricHistory(id, "probe_score")).toEqual([{ step: 0, value: 0 }, { step: 1, value: 0.1 }, { step: 2, value: 0.2 }]);
  });

  it("refuses bad calls with MLflow's error body and keeps nothing of a bad batch", async () => {
    const id = await newRun();
    const cases: [string, unknown, number, string][] = [
      ["runs/log-metric", { run_id: "no-such-run", key: "auc", value: 1, timestamp: 1 }, 404, "RESOURCE_DOES_NOT_EXIST"],
      ["runs/log-metric", { key: "auc", value: 1, timestamp: 1 }, 400, "INVALID_PARAMETER_VALUE"],
      ["runs/log-metric", { run_id: id, key: "auc", value: "high", timestamp: 1 }, 400, "INVALID_PARAMETER_VALUE"],
      ["runs/log-metric", { run_id: id, key: "auc", value: 1 }, 400, "INVALID_PARAMETER_VALUE"],
      ["runs/log-metric", { run_id: id, key: "a\u001b[31m", value: 1, timestamp: 1 }, 400, "INVALID_PARAMETER_VALUE"],
      ["runs/log-batch", { run_id: id, metrics: [{ key: "auc", value: 0.9, timestamp: 1 }, { key: "", value: 1, timestamp: 1 }] }, 400, "INVALID_PARAMETER_VALUE"],
      ["runs/log-batch", { run_id: id, metrics: Array.from({ length: 1001 }, (_, i) => ({ key: "m", value: i, timestamp: 1 })) }, 400, "INVALID_PARAMETER_VALUE"],
      ["runs/update", { run_id: id, status: "DONE" }, 400, "INVALID_PARAMETER_VALUE"],
      ["runs/create", "not json", 400, "INVALID_PARAMETER_VALUE"],
    ];
    for (const [path, body, status, code] of cases) {
      const r = await post(path, body);
      expect([r.status, r.body.error_code], `${path} ${JSON.stringify(body).slice(0, 80)}`).toEqual([status, code]);
    }
    expect((await mlflow.getRun(id)).metrics).toEqual({});
    expect((await post("runs/log-metric", { run_id: id, key: "auc", value: 1, timestamp: 1 }, "wrong-token")).status).toBe(401);
  });

  it("ends a run made by runs/create as its client says (KILLED on a failed script)", async () => {
    const id = await newRun();
    await post("runs/update", { run_id: id, status: "KILLED" });
    expect((await mlflow.getRun(id)).status).toBe("KILLED");
  });
});
