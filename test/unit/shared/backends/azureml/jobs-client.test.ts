import { describe, expect, it } from "vitest";
import { JobsClient, jobNameFor, type CommandJobSpec } from "../../../../../shared/backends/azureml/jobs-client";
import { azureMlPhase } from "../../../../../shared/backends/azureml/job-status";
import { fakeTransport, jsonBody } from "../../../../support/fake-transport";
import { countingCredential, NOW, TOKEN, v, WS, WS_URL } from "./fixtures";

const NAME = "retrainer-census-20300101T000000Z-abc123";
const JOB = `${WS_URL}/jobs/${NAME}`;
const SPEC: CommandJobSpec = {
  command: "python train.py --data ${{inputs.data}}", environmentId: "azureml:sklearn:1", experimentName: "retrainer-census", displayName: "census retrain",
  inputs: { data: { jobInputType: "uri_file", uri: "https://acct.blob.core.windows.net/runs/x/input.csv" } }, outputs: { model: { jobOutputType: "mlflow_model" } },
  tags: { "retrainer.run": "r1" }, timeoutInSeconds: 3600,
};
const resource = (status: string) => ({ name: NAME, properties: { jobType: "Command", status, services: { Studio: { endpoint: "https://ml.azure.com/runs/x" } }, outputs: { model: { jobOutputType: "mlflow_model", uri: `azureml://jobs/${NAME}/outputs/model` } }, tags: { a: "b" } } });

describe("JobsClient", () => {
  it("submits a command job under its name: GET finds none, PUT creates it, with a bearer token and the api-version", async () => {
    const t = fakeTransport([
      { method: "GET", url: v(JOB), reply: () => ({ status: 404, body: { error: { code: "UserError", message: "not found" } } }) },
      { method: "PUT", url: v(JOB), reply: () => ({ status: 201, body: resource("NotStarted") }) },
    ]);
    const credential = countingCredential();
    const r = await new JobsClient({ workspace: WS, credential, transport: t, now: () => NOW }).submit(NAME, SPEC);
    expect(r).toEqual({ alreadySubmitted: false, job: { name: NAME, status: "NotStarted", phase: "pending", studioUrl: "https://ml.azure.com/runs/x", outputs: resource("x").properties.outputs, tags: { a: "b" } } });
    expect(jsonBody(t.requests[1])).toEqual({ properties: {
      jobType: "Command", command: SPEC.command, environmentId: "azureml:sklearn:1", experimentName: "retrainer-census", displayName: "census retrain",
      tags: SPEC.tags, inputs: SPEC.inputs, outputs: SPEC.outputs, limits: { jobLimitsType: "Command", timeout: "PT3600S" },
    } });
    for (const r of t.requests) expect(r.headers.Authorization).toBe(`Bearer ${TOKEN}`);
    expect(credential.calls).toEqual(["https://management.azure.com/.default"]); // one token for both calls
  });

  it("sends codeId, the code asset version's ARM id, only when the spec has one", async () => {
    const codeId = "/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/w/codes/train/versions/3";
    const t = fakeTransport([
      { method: "GET", url: v(JOB), reply: () => ({ status: 404, body: { error: { code: "UserError", message: "not found" } } }) },
      { method: "PUT", url: v(JOB), reply: () => ({ status: 201, body: resource("NotStarted") }) },
    ]);
    const jobs = new JobsClient({ workspace: WS, credential: countingCredential(), transport: t });
    await jobs.submit(NAME, { ...SPEC, codeId });
    await jobs.submit(NAME, SPEC);
    const [withCode, without] = [jsonBody(t.requests[1]), jsonBody(t.requests[3])] as { properties: Record<string, unknown> }[];
    expect(withCode!.properties.codeId).toBe(codeId);
    expect(without!.properties).not.toHaveProperty("codeId");
  });

  it("a retried submit finds the job its first attempt created and does not PUT again", async () => {
    const t = fakeTransport([{ method: "GET", url: v(JOB), reply: () => ({ status: 200, body: resource("Running") }) }]);
    const r = await new JobsClient({ workspace: WS, credential: countingCredential(), transport: t }).submit(NAME, SPEC);
    expect(r).toMatchObject({ alreadySubmitted: true, job: { status: "Running", phase: "running" } });
    expect(t.requests.map((x) => x.method)).toEqual(["GET"]);
  });

  it("reads a job's phase, reports a missing job as undefined, and cancels", async () => {
    const t = fakeTransport([
      { method: "GET", url: v(JOB), times: 1, reply: () => ({ status: 200, body: resource("Completed") }) },
      { method: "GET", url: v(JOB), reply: () => ({ status: 404, body: { error: { code: "UserError" } } }) },
      { method: "POST", url: v(`${JOB}/cancel`), reply: () => ({ status: 202, headers: { Location: JOB, "Retry-After": "10" } }) },
    ]);
    const jobs = new JobsClient({ workspace: WS, credential: countingCredential(), transport: t });
    expect((await jobs.get(NAME))?.phase).toBe("succeeded");
    expect(await jobs.get(NAME)).toBeUndefined();
    await expect(jobs.cancel(NAME)).resolves.toBeUndefined();
  });

  it("throws one error shape: 429 with a hint is throttled, a 500 is a plain retry, a 400 is final, and no token in any message", async () => {
    const failing = (status: number, headers: Record<string, string> = {}) => new JobsClient({ workspace: WS, credential: countingCredential(), now: () => NOW,
      transport: fakeTransport([{ method: "GET", url: v(JOB), reply: () => ({ status, headers, body: { error: { code: `C${status}`, message: "m" } } }) }]) }).get(NAME).catch((e: unknown) => e);
    expect(await failing(429, { "Retry-After": "12" })).toMatchObject({ name: "AzureMlError", statusCode: 429, code: "C429", retryable: true, retryAfterInMs: 12_000 });
    expect(await failing(500, { "Retry-After": "12" })).toMatchObject({ retryable: true, retryAfterInMs: undefined });
    const bad = (await failing(400)) as Error;
    expect(bad).toMatchObject({ retryable: false, message: "get job failed with 400 C400: m" });
    expect(bad.message).not.toContain(TOKEN);
  });

  it("refuses a job resource without a status", async () => {
    const t = fakeTransport([{ method: "GET", url: v(JOB), reply: () => ({ status: 200, body: { name: NAME, properties: {} } }) }]);
    await expect(new JobsClient({ workspace: WS, credential: countingCredential(), transport: t }).get(NAME)).rejects.toMatchObject({ code: "InvalidResponse", retryable: false });
  });
});

describe("job names and phases", () => {
  it("names a run's job deterministically, within the service's pattern", () => {
    expect(jobNameFor("census-20300101T000000Z-abc123")).toBe("retrainer-census-20300101T000000Z-abc123");
    expect(jobNameFor("a.b c")).toBe("retrainer-a-b-c");
    expect(jobNameFor("x".repeat(300))).toHaveLength(255);
  });

  it("maps all fourteen states; only Completed, Failed and Canceled end a job", () => {
    const states = ["NotStarted", "Starting", "Provisioning", "Preparing", "Queued", "Running", "Finalizing", "CancelRequested", "Completed", "Failed", "Canceled", "NotResponding", "Paused", "Unknown"];
    expect(Object.fromEntries(states.map((s) => [s, azureMlPhase(s)]))).toEqual({
      NotStarted: "pending", Starting: "pending", Provisioning: "pending", Preparing: "pending", Queued: "pending",
      Running: "running", Finalizing: "running", CancelRequested: "running", Completed: "succeeded", Failed: "failed", Canceled: "cancelled",
      NotResponding: "running", Paused: "running", Unknown: "running",
    });
    expect(azureMlPhase("Scheduled")).toBe("running");
    expect(azureMlPhase("constructor")).toBe("running");
  });
});
