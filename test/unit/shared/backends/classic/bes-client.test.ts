import { describe, expect, it } from "vitest";
import { BesClient } from "../../../../../shared/backends/classic/bes-client";
import type { BatchExecutionRequest, BlobLocation } from "../../../../../shared/backends/classic/types";
import { fakeTransport, jsonBody, type Route } from "../../../../support/fake-transport";

const BASE = "https://ussouthcentral.services.azureml.net/workspaces/ws1/services/train1";
const KEY = "bes-key-DO-NOT-LEAK-0123456789";
const JOBS = `${BASE}/jobs?api-version=2.0`;
const JOB = `${BASE}/jobs/job-1?api-version=2.0`;

const blob = (relative: string): BlobLocation => ({ BaseLocation: "https://acct.blob.core.windows.net/", RelativeLocation: relative, SasBlobToken: "?sv=2024&sig=abc" });
const request: BatchExecutionRequest = {
  Inputs: { input1: blob("runs/r1/census.csv") },
  Outputs: { output1: blob("runs/r1/model.ilearner"), output2: blob("runs/r1/evaluation.csv") },
  GlobalParameters: {},
};

function client(routes: Route[], serviceUrl = BASE) {
  const transport = fakeTransport(routes);
  return { bes: new BesClient({ serviceUrl, apiKey: KEY, transport, timeoutInMs: 1234 }), transport };
}

const status = (body: unknown): Route[] => [{ method: "GET", url: JOB, reply: () => ({ status: 200, body }) }];

describe("BesClient.submitJob", () => {
  it("POSTs the request as JSON with the bearer key and returns the job id", async () => {
    const { bes, transport } = client([{ method: "POST", url: JOBS, reply: () => ({ status: 200, body: '"job-1"' }) }], `${BASE}/`);
    await expect(bes.submitJob(request)).resolves.toBe("job-1");
    const [sent] = transport.requests;
    expect(sent).toMatchObject({ method: "POST", url: JOBS, timeoutInMs: 1234 });
    expect(sent?.headers).toMatchObject({ Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" });
    expect(jsonBody(sent)).toEqual(request);
  });

  it.each(['{"id":"job-1"}', "42", '""', "null", "job-1 (not JSON)"])("refuses a response body of %s", async (body) => {
    const { bes } = client([{ method: "POST", url: JOBS, reply: () => ({ status: 200, body }) }]);
    await expect(bes.submitJob(request)).rejects.toMatchObject({ name: "AmlServiceError", code: "InvalidResponse", retryable: false });
  });
});

describe("BesClient.startJob and cancelJob", () => {
  it("starts with an empty POST and cancels with a DELETE, both answered 204", async () => {
    const { bes, transport } = client([
      { method: "POST", url: `${BASE}/jobs/job-1/start?api-version=2.0`, reply: () => ({ status: 204 }) },
      { method: "DELETE", url: JOB, reply: () => ({ status: 204 }) },
    ]);
    await expect(bes.startJob("job-1")).resolves.toBeUndefined();
    await expect(bes.cancelJob("job-1")).resolves.toBeUndefined();
    expect(transport.requests.map((r) => [r.method, r.body, r.headers["Content-Type"]])).toEqual([["POST", undefined, undefined], ["DELETE", undefined, undefined]]);
  });

  it("escapes the job id in the path", async () => {
    const { bes, transport } = client([{ method: "DELETE", url: `${BASE}/jobs/a%2Fb%20c?api-version=2.0`, reply: () => ({ status: 204 }) }]);
    await bes.cancelJob("a/b c");
    expect(transport.requests).toHaveLength(1);
  });
});

describe("BesClient.getJob", () => {
  it.each([
    ["NotStarted", "NotStarted"], ["Running", "Running"], ["Failed", "Failed"], ["Cancelled", "Cancelled"], ["Finished", "Finished"],
    [0, "NotStarted"], [1, "Running"], [2, "Failed"], [3, "Cancelled"], [4, "Finished"],
  ])("maps StatusCode %j to %s", async (code, state) => {
    const { bes } = client(status({ StatusCode: code, Results: null, Details: null }));
    await expect(bes.getJob("job-1")).resolves.toEqual({ state, results: {} });
  });

  it("returns the results and the failure details", async () => {
    const results = { output1: blob("runs/r1/model.ilearner") };
    const { bes, transport } = client(status({ StatusCode: "Failed", Results: results, Details: "Module execution failed" }));
    await expect(bes.getJob("job-1")).resolves.toEqual({ state: "Failed", results, details: "Module execution failed" });
    expect(transport.requests[0]?.headers.Authorization).toBe(`Bearer ${KEY}`);
  });

  it.each([["Exploded"], [7], ["1"], [-1], [null]])("refuses an unknown StatusCode %j", async (code) => {
    const { bes } = client(status({ StatusCode: code }));
    await expect(bes.getJob("job-1")).rejects.toMatchObject({ name: "AmlServiceError", detailCode: "UnknownJobStatusCode", retryable: false });
  });

  it("refuses a status without StatusCode", async () => {
    const { bes } = client(status({ Results: {} }));
    await expect(bes.getJob("job-1")).rejects.toMatchObject({ detailCode: "UnknownJobStatusCode", retryable: false });
  });
});
