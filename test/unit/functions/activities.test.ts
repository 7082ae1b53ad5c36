import { describe, expect, it } from "vitest";
import { RestError } from "@azure/storage-blob";
import { createActivities } from "../../../functions/activities/activities";
import { toOutcome } from "../../../functions/activities/outcome";
import { AmlServiceError } from "../../../shared/backends/classic/aml-error";
import { EvaluationError } from "../../../shared/backends/classic/evaluation";
import { FakeWorld } from "../../support/fake-world";

const ref = { runId: "r1", endpoint: "retrain" };

function world() {
  const w = new FakeWorld({ now: new Date("2026-01-04T03:00:00Z") });
  return { w, a: createActivities(w.deps()) };
}

async function finishedJob(w: FakeWorld, a: ReturnType<typeof createActivities>): Promise<string> {
  const submitted = await a.submitTrainingJob({ ...ref, probe: true });
  if (submitted.kind !== "ok") throw new Error("submit failed");
  await w.bes.startJob(submitted.value.jobId);
  w.pollsToFinish = 1;
  await w.bes.getJob(submitted.value.jobId);
  return submitted.value.jobId;
}

describe("activity outcomes", () => {
  it("sorts errors: Retry-After → throttled, other retryable → throw, permanent → failed", async () => {
    const throttled = new AmlServiceError("503", { operation: "BES submit", code: "ServiceUnavailable", retryable: true, statusCode: 503, detailCode: "RequestThrottled", retryAfterInMs: 5_000 });
    expect(await toOutcome(() => Promise.reject(throttled))).toEqual({ kind: "throttled", retryAfterInMs: 5_000, reason: "503" });
    await expect(toOutcome(() => Promise.reject(new AmlServiceError("502", { operation: "x", code: "Http502", retryable: true, statusCode: 502 })))).rejects.toThrow("502");
    expect(await toOutcome(() => Promise.reject(new AmlServiceError("401", { operation: "x", code: "Unauthorized", retryable: false, statusCode: 401 })))).toEqual({ kind: "failed", reason: "401" });
    expect(await toOutcome(() => Promise.reject(new EvaluationError("bad csv")))).toEqual({ kind: "failed", reason: "bad csv" });
    await expect(toOutcome(() => Promise.reject(new RestError("busy", { statusCode: 503 })))).rejects.toThrow("busy");
    expect((await toOutcome(() => Promise.reject(new RestError("denied", { statusCode: 403, code: "AuthorizationFailure" })))).kind).toBe("failed");
  });
});

describe("activities over fake clients", () => {
  it("stageTrainingData refuses a blob source outside the data containers, whoever started the run, and stages nothing", async () => {
    const { w, a } = world();
    // A run's input can be crafted through the Durable API, so the activity checks it too.
    expect(await a.stageTrainingData({ ...ref, dataSource: "blob:azure-webjobs-secrets/host.json" })).toEqual({
      kind: "failed", reason: 'Blob data source "blob:azure-webjobs-secrets/host.json" is not in a container this app reads training data from: training-data.',
    });
    expect(await a.stageTrainingData({ ...ref, dataSource: "blob:training-data/census.csv" })).toMatchObject({ kind: "ok" });
    expect(w.telemetry.events.filter((e) => e.name === "DataStaged")).toHaveLength(1);
  });

  it("startTrainingJob treats CannotStartJob on an already-running job as started (a retried start)", async () => {
    const { w, a } = world();
    const submitted = await a.submitTrainingJob({ ...ref, probe: true });
    const jobId = submitted.kind === "ok" ? submitted.value.jobId : "";
    expect(await a.startTrainingJob({ ...ref, jobId })).toEqual({ kind: "ok", value: { alreadyStarted: false } });
    expect(await a.startTrainingJob({ ...ref, jobId })).toEqual({ kind: "ok", value: { alreadyStarted: true } });
    expect(w.submitted).toHaveLength(1);
  });

  it("evaluateModel refreshes an expired result token with exactly one job GET", async () => {
    const { w, a } = world();
    const jobId = await finishedJob(w, a);
    w.expiredTokenGets = 1;
    const before = w.statusCalls.length;
    const r = await a.evaluateModel({ ...ref, jobId, gate: [{ metric: "AUC", op: ">=", threshold: 0.85 }] });
    expect(r).toMatchObject({ kind: "ok", value: { decision: { passed: true }, sasRefreshes: 1 } });
    expect(w.statusCalls.length - before).toBe(2);
  });

  it("promoteModel refreshes once when the service could not read the model through its token", async () => {
    const { w, a } = world();
    const jobId = await finishedJob(w, a);
    w.failures.patch = [new AmlServiceError("update resource failed with 400 BadArgument/InvalidBlob: storage refused to read (403)", { operation: "update resource", code: "BadArgument", retryable: false, statusCode: 400, detailCode: "InvalidBlob" })];
    const r = await a.promoteModel({ ...ref, jobId });
    expect(r).toMatchObject({ kind: "ok", value: { sasRefreshes: 1, previous: { RelativeLocation: "models/seed.ilearner" } } });
    expect(w.patches).toHaveLength(1);
  });

  it("promoteModel run again after its PATCH landed (answer lost, host died) PATCHes nothing and keeps the archive of the old model", async () => {
    const { w, a } = world();
    const jobId = await finishedJob(w, a);
    const first = await a.promoteModel({ ...ref, jobId });
    expect(first).toMatchObject({ kind: "ok", value: { previous: { RelativeLocation: "models/seed.ilearner" } } });
    const again = await a.promoteModel({ ...ref, jobId });
    expect(w.patches).toHaveLength(1);
    // the archive still holds the seed model: nothing copied the new model over it
    expect(w.copies).toEqual([{ from: "models/seed.ilearner", to: "retrainer-archive/retrain/r1/previous.ilearner" }]);
    expect(again).toEqual({ kind: "ok", value: { ...(first.kind === "ok" ? first.value : {}), sasRefreshes: 0, alreadyApplied: true } });
  });

  it("promoteModel reports a refused PATCH as a failed outcome, not a retry", async () => {
    const { w, a } = world();
    const jobId = await finishedJob(w, a);
    w.failures.patch = [new AmlServiceError("update resource failed with 401 Unauthorized", { operation: "update resource", code: "Unauthorized", retryable: false, statusCode: 401 })];
    expect(await a.promoteModel({ ...ref, jobId })).toEqual({ kind: "failed", reason: "update resource failed with 401 Unauthorized" });
  });

  it("recordRunOutcome emits RetrainFailed with the reason and durations, and no secrets", async () => {
    const { w, a } = world();
    await a.recordRunOutcome({
      ...ref, instanceId: "retrain-retrain", startedAt: "2026-01-04T03:00:00.000Z", endedAt: "2026-01-04T03:00:12.000Z", result: "failed", reason: "boom",
      trigger: { kind: "http", caller: "ana" }, dataSource: "x.csv", gateRules: "AUC>=0.85", durationsInSeconds: { total: 12, training: 8 },
    });
    expect(w.telemetry.events).toEqual([
      { name: "RetrainFailed", properties: expect.objectContaining({ result: "failed", reason: "boom", runId: "r1" }) as unknown, measurements: { totalSeconds: 12, trainingSeconds: 8 } },
    ]);
    expect(w.telemetry.metrics).toEqual([{ name: "Job duration seconds", value: 8, properties: ref }]);
    // the audit record is written too, with the caller and both times
    expect(w.records.get("r1")).toMatchObject({ result: "failed", reason: "boom", trigger: { kind: "http", caller: "ana" }, dataSource: "file x.csv", startedAt: "2026-01-04T03:00:00.000Z", endedAt: "2026-01-04T03:00:12.000Z" });
  });
});

describe("checkTrainingData over fake clients", () => {
  const X = { minRows: 100, minRowsShareOfReference: 0.5, minMinorityShare: 0.05, maxMissingShare: 0.2, maxPsi: 0.25 };

  it("profiles the staged data, passes it, and compares it with the reference run's profile from the history", async () => {
    const { w, a } = world();
    const first = await a.checkTrainingData({ ...ref, expectations: X });
    expect(first).toMatchObject({ kind: "ok", value: { failures: [], profile: { rows: 200 } } });
    const profile = first.kind === "ok" ? first.value.profile! : undefined;
    w.records.set("r0", { runId: "r0", endpoint: "retrain", instanceId: "retrain-retrain", trigger: { kind: "http" }, dataSource: "d", gateRules: "", result: "promoted", durationsInSeconds: {}, startedAt: "2026-01-01T00:00:00Z", ...(profile ? { profile } : {}) });
    w.stagedCsv = ["age,class", ...Array.from({ length: 200 }, (_, i) => `${80 + (i % 5)},${i % 3 === 0 ? ">50K" : "<=50K"}`)].join("\n") + "\n";
    const drifted = await a.checkTrainingData({ ...ref, expectations: X, reference: "r0" });
    expect(drifted).toMatchObject({ kind: "ok", value: { reference: "r0", failures: [expect.stringMatching(/^The column "age" drifted from run r0's data: population stability index \d+\.\d{3}, above the limit of 0\.25\.$/)] } });
  });

  it("refuses checks a crafted input carries that cannot mean anything, naming them, and reads no data", async () => {
    const { a } = world();
    // JSON has no NaN or Infinity: a hand-made input carries null, or a string
    const r = await a.checkTrainingData({ ...ref, expectations: { ...X, minRows: null, maxPsi: "high" } as never });
    expect(r).toEqual({ kind: "ok", value: { failures: [expect.stringMatching(/^The run's data checks cannot be applied \(minRows: .*; maxPsi: maxPsi must be a number\); nothing is trained on data that was not checked\.$/)] } });
  });
});
