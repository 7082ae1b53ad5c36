import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import type { TokenCredential } from "@azure/identity";
import { startAzureMlService, SEED_MODEL, type RunningAzureMlService } from "../../../emulator/azureml/service";
import { JobsClient, jobNameFor, type CommandJobSpec } from "../../../shared/backends/azureml/jobs-client";
import { MlflowClient } from "../../../shared/backends/azureml/mlflow-client";
import { CHAMPION_TAG, ModelsClient } from "../../../shared/backends/azureml/models-client";
import { OnlineEndpointsClient } from "../../../shared/backends/azureml/online-endpoints-client";
import type { AsyncOperation } from "../../../shared/backends/azureml/async-operation";
import { modelVersionId, type WorkspaceAddress } from "../../../shared/backends/azureml/workspace";
import { AZUREML_METRICS } from "../../../shared/backends/azureml/metrics";
import { adultSample, csvRows } from "../../support/census";
import { sasFor, upload } from "../../support/emulator";

/**
 * The local Azure ML (v2) service held to the contract through the app's own v2 clients, unmodified
 * but for the base URL and the credential, over the suite's Azurite for the job's data.
 */
let svc: RunningAzureMlService;
let ws: WorkspaceAddress;
let c: ContainerClient;
let dataUrl: string;
const credential: TokenCredential = { getToken: () => Promise.resolve({ token: "local-arm-token-change-me", expiresOnTimestamp: Date.now() + 3_600_000 }) };
const clients = () => ({
  jobs: new JobsClient({ workspace: ws, credential }),
  mlflow: new MlflowClient({ workspace: ws, credential }),
  models: new ModelsClient({ workspace: ws, credential }),
  online: new OnlineEndpointsClient({ workspace: ws, credential }),
});
const sample = adultSample(800);
const probe = csvRows(adultSample(20));
const probeBody = { input_data: { columns: probe.columns, data: probe.rows } };

/** Polls `read` until `done` says so, at most `timeoutInMs`: the wait is bounded, and says what it saw. */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutInMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutInMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > end) throw new Error(`still not done after ${timeoutInMs} ms: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const settled = (op: AsyncOperation) => until(() => clients().online.pollOperation(op), (s) => s.state !== "running");

const spec = (inputs: CommandJobSpec["inputs"] = {}): CommandJobSpec => ({
  command: "python train.py", environmentId: "azureml:sklearn:1", experimentName: "retrainer", displayName: "census",
  inputs: { data: { jobInputType: "uri_file", uri: dataUrl }, ...inputs }, outputs: { model: { jobOutputType: "mlflow_model" } }, tags: {},
});
async function trainedJob(inputs: CommandJobSpec["inputs"] = {}) {
  const name = jobNameFor(`t-${randomUUID()}`);
  await clients().jobs.submit(name, spec(inputs));
  return until(() => clients().jobs.get(name), (j) => j!.phase !== "pending" && j!.phase !== "running", 60_000).then((j) => j!);
}

beforeAll(async () => {
  svc = await startAzureMlService({ provisioningDelayInMs: 200, updateDelayInMs: 50 });
  ws = { armUrl: svc.armUrl, workspaceId: svc.workspaceId };
  const blobs = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
  c = blobs.getContainerClient(`t-${randomUUID()}`);
  await c.create();
  await upload(c, "input.csv", sample);
  dataUrl = `${c.getBlobClient("input.csv").url}${await sasFor(c, "input.csv", "r")}`;
});
afterAll(() => svc.stop());

describe("the local Azure ML (v2) service", () => {
  it("refuses calls without the bearer token, with a wrong one, or without api-version, in ARM's error shape", async () => {
    const url = `${svc.armUrl}${svc.workspaceId}?api-version=2025-12-01`;
    const none = await fetch(url);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: { code: "AuthenticationFailed", message: expect.stringContaining("bearer token") as unknown } });
    expect((await fetch(url, { headers: { Authorization: "Bearer nope" } })).status).toBe(401);
    const noVersion = await fetch(url.split("?")[0]!, { headers: { Authorization: "Bearer local-arm-token-change-me" } });
    expect(noVersion.status).toBe(400);
    expect(((await noVersion.json()) as { error: { code: string } }).error.code).toBe("MissingApiVersionParameter");
    expect((await fetch(url.replace("ws-retrainer-local", "other"), { headers: { Authorization: "Bearer local-arm-token-change-me" } })).status).toBe(404);
  });

  it("trains a command job NotStarted → Completed on the staged data, and logs the catalogue's metrics to MLflow", async () => {
    const name = jobNameFor(`t-${randomUUID()}`);
    const submitted = await clients().jobs.submit(name, spec());
    expect(submitted.job).toMatchObject({ status: "NotStarted", phase: "pending" });
    const job = await until(() => clients().jobs.get(name), (j) => j!.phase === "succeeded" || j!.phase === "failed", 60_000);
    expect(job).toMatchObject({ status: "Completed", outputs: { model: { uri: `azureml://jobs/${name}/outputs/model` } } });
    const run = await clients().mlflow.getRun(name);
    expect(run.status).toBe("FINISHED");
    expect(Object.keys(run.metrics).sort()).toEqual(Object.keys(AZUREML_METRICS.reports).sort());
    expect(run.metrics.auc).toBeGreaterThan(0.7);
    expect((await clients().jobs.submit(name, spec())).alreadySubmitted).toBe(true);
  });

  it("evaluates the champion model input on the same rows and logs it with a champion_ prefix", async () => {
    const job = await trainedJob({ champion: { jobInputType: "mlflow_model", uri: `azureml:${SEED_MODEL.name}:${SEED_MODEL.version}` } });
    const { metrics } = await clients().mlflow.getRun(job.name);
    expect(metrics.champion_auc).toBeGreaterThan(0);
    expect(metrics.champion_auc).not.toBe(metrics.auc);
  });

  it("runs the command as Azure ML would: $[[ ]] kept with its input, dropped without it; a bare missing input refused, nothing created", async () => {
    const command = "python train.py --data ${{inputs.data}} $[[--probe ${{inputs.probe}}]] --model_output ${{outputs.model}}";
    const probeInput = { probe: { jobInputType: "uri_file" as const, uri: dataUrl } };
    const submit = async (c: string, inputs: CommandJobSpec["inputs"] = {}) => {
      const name = jobNameFor(`t-${randomUUID()}`);
      const r = await clients().jobs.submit(name, { ...spec(inputs), command: c }).then(() => "created", (e: Error) => e.message);
      return { name, r };
    };
    const wd = (name: string) => `/mnt/azureml/cr/j/${name}/cap/data-capability/wd`;
    const kept = await submit(command, probeInput);
    expect(kept.r).toBe("created");
    expect(svc.state.jobs.get(kept.name)!.resolvedCommand).toBe(`python train.py --data ${wd(kept.name)}/INPUT_data --probe ${wd(kept.name)}/INPUT_probe --model_output ${wd(kept.name)}/model`);
    const dropped = await submit(command);
    expect(svc.state.jobs.get(dropped.name)!.resolvedCommand).toBe(`python train.py --data ${wd(dropped.name)}/INPUT_data --model_output ${wd(dropped.name)}/model`);

    const bare = await submit("python train.py --data ${{inputs.data}} --probe ${{inputs.probe}}");
    expect(bare.r).toMatch(/^submit job failed with 400 BadRequest: Inputs to job does not contain 'probe' referenced in command/);
    expect(svc.state.jobs.has(bare.name)).toBe(false);
    expect((await submit("python train.py $[[--probe ${{inputs.probe}}")).r).toMatch(/400 BadRequest: The command cannot be read: the optional segment at character 17 is not closed/);
    // Both finish as jobs do.
    for (const name of [kept.name, dropped.name]) await until(() => clients().jobs.get(name), (j) => j!.phase === "succeeded", 60_000);
  });

  it("takes codeId as a code version's ARM id, keeps it, and refuses anything else or a change", async () => {
    const codeId = `${svc.workspaceId}/codes/train/versions/3`;
    const name = jobNameFor(`t-${randomUUID()}`);
    await clients().jobs.submit(name, { ...spec(), codeId });
    const got = (await (await fetch(`${svc.armUrl}${svc.workspaceId}/jobs/${name}?api-version=2025-12-01`, { headers: { Authorization: "Bearer local-arm-token-change-me" } })).json()) as { properties: { codeId?: string } };
    expect(got.properties.codeId).toBe(codeId);
    const put = (body: unknown, job = jobNameFor(`t-${randomUUID()}`)) => fetch(`${svc.armUrl}${svc.workspaceId}/jobs/${job}?api-version=2025-12-01`, {
      method: "PUT", headers: { Authorization: "Bearer local-arm-token-change-me", "Content-Type": "application/json" },
      body: JSON.stringify({ properties: { jobType: "Command", command: "python train.py", environmentId: "azureml:sklearn:1", inputs: { data: { jobInputType: "uri_file", uri: dataUrl } }, ...(body as object) } }),
    }).then(async (r) => ({ status: r.status, error: ((await r.json()) as { error?: { code: string; message: string } }).error }));
    const bad = await put({ codeId: "azureml:train:3" });
    expect(bad).toEqual({ status: 400, error: { code: "BadRequest", message: expect.stringContaining("properties.codeId must be the ARM resource id of a code asset version") as unknown } });
    expect((await put({ codeId: `${svc.workspaceId}/codes/train/versions/4` }, name)).error?.message).toBe(`Property codeId of job ${name} cannot be changed after it is created.`);
  });

  it("deploys an MLflow model with the model alone, and refuses a custom_model without a scoring script and environment", async () => {
    const { models, online } = clients();
    const job = await trainedJob();
    const version = `c${Date.now()}`;
    await models.register("census", version, { modelUri: `azureml://jobs/${job.name}/outputs/model`, jobName: job.name, modelType: "custom_model" });
    await expect(online.putDeployment("census-v2", "plain", { model: modelVersionId(ws, "census", version), instanceType: "Standard_DS3_v2", instanceCount: 1 }))
      .rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining(`Model census:${version} is a custom_model, not an MLflow model`) as unknown });
    expect(await online.getDeployment("census-v2", "plain")).toBeUndefined();
  });

  it("fails a job as told, with its reason, and reports an unknown run as MLflow does", async () => {
    await fetch(`${svc.armUrl}/admin/faults`, { method: "POST", headers: { Authorization: "Bearer local-arm-token-change-me", "Content-Type": "application/json" }, body: JSON.stringify({ failNextJob: "out of quota" }) });
    const job = await trainedJob();
    expect(job).toMatchObject({ status: "Failed", phase: "failed" });
    await expect(clients().mlflow.getRun("no-such-job")).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST", statusCode: 404 });
  });

  it("registers a job's model as a version, lists it by tag, and deploys it green at 0 % beside blue", async () => {
    const { models, online } = clients();
    const job = await trainedJob();
    const version = `v${Date.now()}`;
    const { model } = await models.register("census", version, { modelUri: `azureml://jobs/${job.name}/outputs/model`, jobName: job.name, tags: { [CHAMPION_TAG]: "candidate" } });
    expect((await models.listTagged("census", CHAMPION_TAG)).map((m) => m.version)).toContain(model.version);

    const op = await online.putDeployment("census-v2", "green", { model: modelVersionId(ws, "census", version), instanceType: "Standard_DS3_v2", instanceCount: 1 });
    expect(op.done).toBe(false);
    expect(await online.getDeployment("census-v2", "green")).toMatchObject({ provisioningState: "Creating" });
    expect(await settled(op)).toEqual({ state: "succeeded" });
    expect(await online.getDeployment("census-v2", "green")).toMatchObject({ provisioningState: "Succeeded", model: modelVersionId(ws, "census", version) });

    const ep = await online.getEndpoint("census-v2");
    expect(ep.traffic).toEqual({ blue: 100 });
    const { primaryKey } = await online.listKeys("census-v2");
    const green = (await online.score(ep.scoringUri!, primaryKey, probeBody, "green")) as number[];
    const blue = (await online.score(ep.scoringUri!, primaryKey, probeBody, "blue")) as number[];
    expect(green).toHaveLength(20);
    expect(green).not.toEqual(blue);
    await expect(online.score(ep.scoringUri!, "wrong-key", probeBody)).rejects.toMatchObject({ statusCode: 401 });

    // Staged shift: 90/10 applies when its operation ends; then 100 requests split exactly 90/10.
    expect(await settled(await online.setTraffic("census-v2", { blue: 90, green: 10 }))).toEqual({ state: "succeeded" });
    expect((await online.getEndpoint("census-v2")).traffic).toEqual({ blue: 90, green: 10 });
    const served: Record<string, number> = {};
    for (let i = 0; i < 100; i++) {
      const res = await fetch(ep.scoringUri!, { method: "POST", headers: { Authorization: `Bearer ${primaryKey}`, "Content-Type": "application/json" }, body: JSON.stringify(probeBody) });
      const by = res.headers.get("azureml-model-deployment")!;
      served[by] = (served[by] ?? 0) + 1;
    }
    expect(served).toEqual({ blue: 90, green: 10 });

    // The rules, as Azure enforces them; nothing changes on a refusal.
    const refused = (t: Record<string, number>, m: Record<string, number> = {}) => online.setTraffic("census-v2", t, m).then(() => "accepted", (e: Error) => e.message);
    expect(await refused({ blue: 90, green: 5 })).toMatch(/sums to 95; it must sum to 0 or 100/);
    expect(await refused({ blue: 100 }, { green: 60 })).toMatch(/at most 50 % can be mirrored/);
    expect(await refused({ blue: 90, green: 10 }, { green: 10 })).toMatch(/takes live traffic, so it cannot also take mirror traffic/);
    expect(await refused({ blue: 50, purple: 50 })).toMatch(/Deployment purple does not exist/);
    await expect(online.deleteDeployment("census-v2", "green")).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining("set both to 0 before deleting it") as unknown });
    expect((await online.getEndpoint("census-v2")).traffic).toEqual({ blue: 90, green: 10 });

    // Back to blue, then green can go.
    await settled(await online.setTraffic("census-v2", { blue: 100, green: 0 }));
    expect(await settled(await online.deleteDeployment("census-v2", "green"))).toEqual({ state: "succeeded" });
    expect(await online.getDeployment("census-v2", "green")).toBeUndefined();
  });

  it("injects throttling, resets, a failed provisioning and a deployment that serves the wrong model", async () => {
    const { online } = clients();
    const admin = (body: unknown) => fetch(`${svc.armUrl}/admin/faults`, { method: "POST", headers: { Authorization: "Bearer local-arm-token-change-me", "Content-Type": "application/json" }, body: JSON.stringify(body) });
    expect((await admin({ throttle: { count: 1, retryAfterSeconds: 7 } })).status).toBe(204);
    await expect(online.getEndpoint("census-v2")).rejects.toMatchObject({ statusCode: 429, retryable: true, retryAfterInMs: 7_000 });
    expect((await admin({ resets: 1 })).status).toBe(204);
    await expect(online.getEndpoint("census-v2")).rejects.toMatchObject({ code: "NetworkError", retryable: true });
    expect((await admin({ resets: "lots" })).status).toBe(400);

    const seed = modelVersionId(ws, SEED_MODEL.name, SEED_MODEL.version);
    await admin({ failNextDeployment: "the scoring container did not start" });
    const failed = await settled(await online.putDeployment("census-v2", "red", { model: seed, instanceType: "Standard_DS3_v2", instanceCount: 1 }));
    expect(failed).toEqual({ state: "failed", reason: "the operation ended Failed (DeploymentFailed: the scoring container did not start)" });
    expect(await online.getDeployment("census-v2", "red")).toMatchObject({ provisioningState: "Failed" });

    await admin({ wrongModelNextDeployment: true });
    await settled(await online.putDeployment("census-v2", "teal", { model: seed, instanceType: "Standard_DS3_v2", instanceCount: 1 }));
    const ep = await online.getEndpoint("census-v2");
    const { primaryKey } = await online.listKeys("census-v2");
    const blue = (await online.score(ep.scoringUri!, primaryKey, probeBody, "blue")) as number[];
    const teal = (await online.score(ep.scoringUri!, primaryKey, probeBody, "teal")) as number[];
    expect(teal.map((p, i) => p + blue[i]!).every((s) => Math.abs(s - 1) < 1e-9)).toBe(true); // same model, answers turned around
  });

  it("a deployment named like an Object.prototype member (constructor, a valid Azure name) is a deployment like any other", async () => {
    const { online } = clients();
    const seed = modelVersionId(ws, SEED_MODEL.name, SEED_MODEL.version);
    await settled(await online.putDeployment("census-v2", "constructor", { model: seed, instanceType: "Standard_DS3_v2", instanceCount: 1 }));
    expect(await settled(await online.setTraffic("census-v2", { blue: 100 }, { constructor: 20 }))).toEqual({ state: "succeeded" });
    expect(await online.getEndpoint("census-v2")).toMatchObject({ traffic: { blue: 100 }, mirrorTraffic: { constructor: 20 } });
    await expect(online.deleteDeployment("census-v2", "constructor")).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining("0 % of live and 20 % of mirror traffic") as unknown });
    expect(await settled(await online.setTraffic("census-v2", { blue: 90, constructor: 10 }))).toEqual({ state: "succeeded" });
    expect((await online.getEndpoint("census-v2")).traffic).toEqual({ blue: 90, constructor: 10 });
    await settled(await online.setTraffic("census-v2", { blue: 100 }));
    expect(await settled(await online.deleteDeployment("census-v2", "constructor"))).toEqual({ state: "succeeded" });
    expect(await online.getDeployment("census-v2", "constructor")).toBeUndefined();
  });
});
