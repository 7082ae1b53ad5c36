import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ContainerClient } from "@azure/storage-blob";
import { startTestEmulator, upload, waitForJob, type TestEmulator } from "../../support/emulator";
import { runBatchJob } from "../../support/bes-client";
import { getEndpoint, score } from "../../support/rrs-client";
import { adultSample, csvRows } from "../../support/census";

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

  it("with a count, delays only the next N matching calls: they hang past the client's timeout, then the service recovers", async () => {
    await e.admin("POST", "faults", { latency: { ms: 1_000, count: 2, operations: ["listEndpoints"] } });
    const before = await calls();
    // A client that gives up after 150 ms; answering within 900 ms means the call was not delayed.
    const get = (url: string, timeoutInMs: number) => fetch(url, { headers: { Authorization: `Bearer ${e.config.managementToken}` }, signal: AbortSignal.timeout(timeoutInMs) });
    for (let i = 0; i < 2; i++) await expect(get(e.endpointsUrl, 150)).rejects.toMatchObject({ name: "TimeoutError" });
    expect((await get(`${e.endpointsUrl}/retrain`, 900)).status).toBe(200); // another operation: never delayed
    expect((await get(e.endpointsUrl, 900)).status).toBe(200);
    const after = await calls();
    expect([after.listEndpoints! - before.listEndpoints!, after.getEndpoint! - before.getEndpoint!]).toEqual([3, 1]);
    expect((await e.admin("GET", "faults")).body).toMatchObject({ latency: { ms: 1_000, count: 0 } });
  });

  it("still handles a delayed call after its client gave up, as a real server would: a timed-out submit creates its job, counted as abandoned", async () => {
    const jobsNow = async () => ((await e.admin("GET", "jobs")).body as unknown[]).length;
    const abandoned = async () => ((await e.admin("GET", "abandoned")).body as Record<string, number>).submit;
    const before = await jobsNow();
    const abandonedBefore = await abandoned();
    await e.admin("POST", "faults", { latency: { ms: 1_000, count: 1, operations: ["submit"] } });
    const submit = fetch(`${e.besBase}/jobs?api-version=2.0`, {
      method: "POST", headers: { Authorization: `Bearer ${key()}`, "Content-Type": "application/json" }, body: JSON.stringify(jobRequest()), signal: AbortSignal.timeout(50),
    });
    await expect(submit).rejects.toMatchObject({ name: "TimeoutError" });
    expect(await jobsNow()).toBe(before);
    await expect.poll(jobsNow, { timeout: 5_000, interval: 25 }).toBe(before + 1);
    expect(await abandoned()).toBe(abandonedBefore! + 1);
    // an answered submit and an injected reset are not the client giving up
    await e.call("POST", `${e.besBase}/jobs?api-version=2.0`, key(), jobRequest());
    await e.admin("POST", "faults", { reset: { count: 1, operations: ["submit"] } });
    await expect(e.call("POST", `${e.besBase}/jobs?api-version=2.0`, key(), jobRequest())).rejects.toThrow();
    expect(await abandoned()).toBe(abandonedBefore! + 1);
  });

  it("fails the next job with the given Details", async () => {
    await e.admin("POST", "faults", { failJobs: ["ModuleExecutionError: Train Model ran out of memory"] });
    const id = (await e.call("POST", `${e.besBase}/jobs?api-version=2.0`, key(), jobRequest())).body as string;
    await e.call("POST", `${e.besBase}/jobs/${id}/start?api-version=2.0`, key());
    expect(await waitForJob(e, id)).toMatchObject({ StatusCode: "Failed", Results: null, Details: "ModuleExecutionError: Train Model ran out of memory" });
  });

  it("reports calls in flight: a delayed call counts until it has been handled", async () => {
    await e.admin("POST", "faults", { latency: { ms: 300, count: 1, operations: ["listEndpoints"] } });
    const inFlight = async () => ((await e.admin("GET", "inflight")).body as { count: number }).count;
    const pending = e.call("GET", e.endpointsUrl, e.config.managementToken);
    await expect.poll(inFlight, { interval: 10 }).toBe(1);
    expect((await pending).status).toBe(200);
    await expect.poll(inFlight, { interval: 10 }).toBe(0);
  });

  it("holds a job Running until it has been polled N times, then it finishes", async () => {
    await e.admin("POST", "faults", { holdRunningPolls: 30 });
    const id = (await e.call("POST", `${e.besBase}/jobs?api-version=2.0`, key(), jobRequest())).body as string;
    await e.call("POST", `${e.besBase}/jobs/${id}/start?api-version=2.0`, key());
    // poll until it ends: it answers Running at least 30 times (queued answers, NotStarted, do not count)
    const states: string[] = [];
    while (states.length < 1_000 && !["Finished", "Failed"].includes(states.at(-1) ?? "")) {
      states.push(((await e.call("GET", `${e.besBase}/jobs/${id}?api-version=2.0`, key())).body as { StatusCode: string }).StatusCode);
    }
    expect(states.filter((st) => st === "Running").length).toBeGreaterThanOrEqual(30);
    expect(states.at(-1)).toBe("Finished");
  });

  it("hands out already-expired result tokens for the next N finished-job answers; storage refuses them, the next answer's work", async () => {
    const id = (await e.call("POST", `${e.besBase}/jobs?api-version=2.0`, key(), jobRequest())).body as string;
    await e.call("POST", `${e.besBase}/jobs/${id}/start?api-version=2.0`, key());
    await waitForJob(e, id);
    await e.admin("POST", "faults", { expiredSas: { count: 1 } });
    type Loc = { BaseLocation: string; RelativeLocation: string; SasBlobToken: string };
    const results = async () => ((await e.call("GET", `${e.besBase}/jobs/${id}?api-version=2.0`, key())).body as { Results: Record<string, Loc> }).Results;
    const url = (l: Loc) => `${l.BaseLocation}${l.RelativeLocation}${l.SasBlobToken}`;
    const stale = (await results()).output2!;
    expect(new Date(new URLSearchParams(stale.SasBlobToken).get("se")!).getTime()).toBeLessThan(Date.now());
    expect((await fetch(url(stale))).status).toBe(403);
    const fresh = (await results()).output2!;
    expect((await fetch(url(fresh))).status).toBe(200);
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

  it.each([
    [{ latency: { ms: 100, count: 0 } }, /latency\.count must be an integer ≥ 1, got 0/],
    [{ latency: { ms: 100, count: "2" } }, /latency\.count must be an integer ≥ 1, got "2"/],
    [{ latency: { ms: 100, cuont: 2 } }, /Unknown setting "latency\.cuont"; latency takes: ms, count, operations/],
    [{ latency: { ms: 2 ** 31 } }, /latency\.ms must be an integer ≥ 0 and ≤ 2147483647/],
    [{ latency: { count: 1 } }, /latency\.ms must be an integer ≥ 0 and ≤ 2147483647, got nothing/],
    [{ corruptEvaluation: { count: 1, kind: "garbled" } }, /corruptEvaluation\.kind must be one of: malformed, missing-metric, nan; got "garbled"/],
    [{ corruptEvaluation: { count: 1 } }, /corruptEvaluation\.kind must be one of: .*; got nothing/],
    [{ corruptEvaluation: { kind: "nan" } }, /corruptEvaluation\.count must be an integer ≥ 1, got nothing/],
    [{ corruptEvaluation: { count: 1.5, kind: "nan" } }, /corruptEvaluation\.count must be an integer ≥ 1, got 1\.5/],
    [{ corruptEvaluation: "nan" }, /corruptEvaluation must be an object, got "nan"/],
    [{ corruptEvaluation: { count: 1, kind: "nan", metric: "AUC" } }, /Unknown setting "corruptEvaluation\.metric"; corruptEvaluation takes: count, kind/],
  ])("refuses %j with 400 naming the setting, and keeps the faults it had", async (settings, message) => {
    await e.admin("POST", "faults", { holdRunningMs: 5 });
    const r = await e.admin("POST", "faults", { patchIgnored: { count: 1 }, ...settings });
    expect(r.status).toBe(400);
    expect((r.body as { error: { code: string; message: string; details: { code: string }[] } }).error).toMatchObject({ code: "BadArgument", message: expect.stringMatching(message) as unknown, details: [{ code: "InvalidFaultSettings" }] });
    expect((await e.admin("GET", "faults")).body).toEqual({ holdRunningMs: 5 });
  });
});
