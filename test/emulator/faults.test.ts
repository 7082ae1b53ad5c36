import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ContainerClient } from "@azure/storage-blob";
import { startTestEmulator, upload, waitForJob, type TestEmulator } from "../support/emulator";
import { runBatchJob } from "../support/bes-client";
import { getEndpoint, score } from "../support/rrs-client";
import { adultSample, csvRows } from "../support/census";

let e: TestEmulator;
let c: ContainerClient;
const probe = csvRows(adultSample(10));

beforeAll(async () => {
  e = await startTestEmulator();
  c = await e.container();
  await upload(c, "input.csv", adultSample(1500));
});
afterEach(() => e.admin("DELETE", "faults"));
afterAll(() => e.stop());

const key = () => e.config.trainingApiKey;
const jobRequest = () => ({ Inputs: { input1: { ConnectionString: e.storageConnectionString, RelativeLocation: `${c.containerName}/input.csv` } } });
const calls = async () => (await e.admin("GET", "calls")).body as Record<string, number>;

describe("fault injection", () => {
  it("throttles the next N matching calls with 503 RequestThrottled and Retry-After, then serves normally", async () => {
    await e.admin("POST", "faults", { throttle: { count: 2, retryAfterSeconds: 7, operations: ["submit"] } });
    const before = (await calls()).submit!;
    for (let i = 0; i < 2; i++) {
      const r = await e.call("POST", `${e.besBase}/jobs?api-version=2.0`, key(), jobRequest());
      expect(r.status).toBe(503);
      expect(r.headers.get("retry-after")).toBe("7");
      expect((r.body as { error: { code: string; details: { code: string }[] } }).error).toMatchObject({ code: "ServiceUnavailable", details: [{ code: "RequestThrottled" }] });
    }
    expect((await e.call("POST", `${e.besBase}/jobs?api-version=2.0`, key(), jobRequest())).status).toBe(200);
    expect((await calls()).submit! - before).toBe(3);
    // A throttled submit created no job: only the third made one.
    const jobs = (await e.admin("GET", "jobs")).body as unknown[];
    expect(jobs.length).toBe(1);
  });

  it("resets the connection of the next matching call", async () => {
    await e.admin("POST", "faults", { reset: { count: 1, operations: ["status"] } });
    await expect(fetch(`${e.besBase}/jobs/x?api-version=2.0`, { headers: { Authorization: `Bearer ${key()}` } })).rejects.toThrow();
    expect((await e.call("GET", `${e.besBase}/jobs/x?api-version=2.0`, key())).status).toBe(404);
  });

  it("adds latency to matching calls", async () => {
    await e.admin("POST", "faults", { latency: { ms: 300, operations: ["listEndpoints"] } });
    const t = Date.now();
    expect((await e.call("GET", e.endpointsUrl, e.config.managementToken)).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(290);
  });

  it("fails the next job with the given Details", async () => {
    await e.admin("POST", "faults", { failJobs: ["ModuleExecutionError: Train Model ran out of memory"] });
    const id = (await e.call("POST", `${e.besBase}/jobs?api-version=2.0`, key(), jobRequest())).body as string;
    await e.call("POST", `${e.besBase}/jobs/${id}/start?api-version=2.0`, key());
    expect(await waitForJob(e, id)).toMatchObject({ StatusCode: "Failed", Results: null, Details: "ModuleExecutionError: Train Model ran out of memory" });
  });

  it("fails the next PATCH with a 5xx and changes nothing; an ignored PATCH answers 200 but the old model keeps serving", async () => {
    const { results } = await runBatchJob(e.besBase, key(), jobRequest());
    const ep = await getEndpoint(e, "retrain");
    const before = await score(e, ep, probe.columns, probe.rows);
    const body = { Resources: [{ Name: "Census Model [trained model]", Location: results.output1 }] };
    await e.admin("POST", "faults", { patchFailures: { count: 1, status: 502 }, patchIgnored: { count: 1 } });
    expect((await e.call("PATCH", `${e.endpointsUrl}/retrain`, ep.PrimaryKey, body)).status).toBe(502);
    expect(await score(e, ep, probe.columns, probe.rows)).toEqual(before);
    expect((await e.call("PATCH", `${e.endpointsUrl}/retrain`, ep.PrimaryKey, body)).status).toBe(200);
    expect(await score(e, ep, probe.columns, probe.rows)).toEqual(before);
    expect((await e.call("PATCH", `${e.endpointsUrl}/retrain`, ep.PrimaryKey, body)).status).toBe(200);
    expect(await score(e, ep, probe.columns, probe.rows)).not.toEqual(before);
  });

  it("refuses unknown or malformed fault settings by name, and needs the management token", async () => {
    const r = await e.admin("POST", "faults", { throttel: { count: 1 } });
    expect(r.status).toBe(400);
    expect((r.body as { error: { message: string } }).error.message).toMatch(/throttel/);
    const bad = await e.admin("POST", "faults", { patchFailures: { count: 1, status: 404 } });
    expect((bad.body as { error: { message: string } }).error.message).toMatch(/5xx/);
    expect((await e.call("GET", `${e.managementUrl}/_admin/calls`, key())).status).toBe(401);
    expect((await e.admin("GET", "faults")).body).toEqual({});
  });
});
