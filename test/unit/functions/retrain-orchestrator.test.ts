import { describe, expect, it } from "vitest";
import { retrainOrchestrator } from "../../../functions/orchestrators/retrain-orchestrator";
import { createActivities } from "../../../functions/activities/activities";
import { ACTIVITY, NOTIFY_ACTIVITY } from "../../../functions/activities/names";
import type { Notification } from "../../../shared/notify/events";
import { POLLS_PER_WINDOW } from "../../../functions/orchestrators/policies";
import type { RetrainInput } from "../../../functions/orchestrators/run-input";
import { AmlServiceError } from "../../../shared/backends/classic/aml-error";
import { parseGateRules } from "../../../shared/evaluation/gate";
import { CLASSIC_METRICS } from "../../../shared/backends/classic/metrics";
import { driveOrchestrator, activityNames, type Step } from "../../support/orchestration-driver";
import { FakeWorld, FAILING_CSV } from "../../support/fake-world";

const input = (over: Partial<RetrainInput> = {}): RetrainInput => ({
  runId: "retrain-20260104T030000Z-abc123",
  endpoint: "retrain",
  dataSource: "census.csv",
  gate: parseGateRules("AUC>=0.85; Accuracy>=0.8", CLASSIC_METRICS),
  dryRun: false,
  trigger: { kind: "schedule" },
  polling: { firstIntervalInSeconds: 10, backoffFactor: 2, maxIntervalInSeconds: 60, deadlineInMinutes: 30 },
  verification: { delayInSeconds: 30 },
  ...over,
});

/** The pipeline stepped through the real activities over a fake ML service and storage. */
async function run(setup: (w: FakeWorld) => void = () => undefined, over: Partial<RetrainInput> = {}) {
  const clock = { now: new Date("2026-01-04T03:00:00Z") };
  const world = new FakeWorld(clock);
  setup(world);
  const activities = createActivities(world.deps());
  const result = await driveOrchestrator(retrainOrchestrator, input(over), activities, { start: clock.now });
  // the driver moved its own clock object; keep the world on it
  return { world, result, names: activityNames(result.steps), events: world.telemetry.events.map((e) => e.name) };
}

const timers = (steps: Step[]) => steps.filter((s): s is Extract<Step, { kind: "timer" }> => s.kind === "timer");
const lastStatus = (statuses: unknown[]) => statuses[statuses.length - 1] as Record<string, unknown>;

describe("retrainOrchestrator", () => {
  it("finished + passing gate: stages, trains, promotes, verifies and records, polling with durable timers", async () => {
    const { world, result, names, events } = await run((w) => (w.pollsToFinish = 3));
    expect(result.error).toBeUndefined();
    expect(names).toEqual([
      ACTIVITY.stageData, ACTIVITY.submitJob, ACTIVITY.startJob,
      ACTIVITY.checkJob, ACTIVITY.checkJob, ACTIVITY.checkJob,
      ACTIVITY.evaluate, ACTIVITY.promote, ACTIVITY.verify, ACTIVITY.record,
    ]);
    // backoff: 10 s, then 20 s between polls; then the 30 s propagation wait before the live check
    const t = timers(result.steps);
    expect(t.map((s) => (s.fireAt.getTime() - s.at.getTime()) / 1000)).toEqual([10, 20, 30]);
    expect(world.submitted).toHaveLength(1);
    expect(world.patches).toHaveLength(1);
    expect(world.patches[0]!.RelativeLocation).toBe("retrainer-runs/retrain-20260104T030000Z-abc123/model.ilearner");
    expect(result.output).toMatchObject({ stage: "done", result: "promoted", jobId: "job1" });
    expect(events).toEqual(["DataStaged", "JobSubmitted", "JobFinished", "GatePassed", "ModelPromoted", "PromotionVerified", "RetrainCompleted"]);
    // the replaced model was archived before the PATCH, and the canary compared the probe
    expect(world.copies).toEqual([{ from: "models/seed.ilearner", to: "retrainer-archive/retrain/retrain-20260104T030000Z-abc123/previous.ilearner" }]);
    expect(result.output).toMatchObject({ verification: ["the endpoint lists the new model retrainer-runs/retrain-20260104T030000Z-abc123/model.ilearner", "canary: all 2 probe rows scored as at training time (largest difference 0.0e+0)"] });
    expect(world.submitted[0]!.Inputs.input2!.RelativeLocation).toBe("retrainer-runs/retrain-20260104T030000Z-abc123/probe.csv");
    // the audit record
    expect(world.records.get("retrain-20260104T030000Z-abc123")).toMatchObject({
      endpoint: "retrain", trigger: { kind: "schedule" }, dataSource: "file census.csv", dataBytes: 1234, dataSha256: "ab", jobId: "job1",
      gateRules: "auc>=0.85; accuracy>=0.8", result: "promoted", decision: { passed: true },
      modelBefore: { RelativeLocation: "models/seed.ilearner" },
      modelAfter: { RelativeLocation: "retrainer-runs/retrain-20260104T030000Z-abc123/model.ilearner" },
      archivedModel: { RelativeLocation: "retrainer-archive/retrain/retrain-20260104T030000Z-abc123/previous.ilearner" },
      startedAt: "2026-01-04T03:00:00.000Z",
    });
    // the SAS tokens handed to BES: read on input, create/write on outputs, never an account key
    const req = world.submitted[0]!;
    expect(req.Inputs.input1!.SasBlobToken).toMatch(/sp=r&/);
    expect(req.Outputs.output1!.SasBlobToken).toMatch(/sp=cw&/);
    expect(JSON.stringify(req)).not.toMatch(/AccountKey|ConnectionString/);
  });

  it("finished + failing gate: rejects with one reason per rule and never touches the endpoint", async () => {
    const { world, result, names, events } = await run((w) => (w.evaluationCsv = FAILING_CSV));
    expect(result.error).toBeUndefined();
    expect(names).not.toContain(ACTIVITY.promote);
    expect(world.patches).toHaveLength(0);
    const out = result.output as { result: string; decision: { passed: boolean; reasons: string[] } };
    expect(out.result).toBe("rejected");
    expect(out.decision.reasons).toEqual(["auc is 0.71, fails the rule: at least 0.85.", "accuracy is 0.7, fails the rule: at least 0.8."]);
    expect(events).toContain("GateRejected");
  });

  it("failed job: the run fails with the service's Details and nothing is evaluated or promoted", async () => {
    const { world, result, names, events } = await run((w) => (w.finalState = "Failed"));
    expect(result.error?.message).toMatch(/training job job1 ended Failed: ModuleExecutionError: Train Model failed/);
    expect(names).not.toContain(ACTIVITY.evaluate);
    expect(world.patches).toHaveLength(0);
    expect(lastStatus(result.statuses)).toMatchObject({ stage: "done", result: "failed" });
    expect(events).toEqual(expect.arrayContaining(["JobFailed", "RetrainFailed"]));
  });

  it("deadline: a job that never finishes is cancelled (DELETE) and the run fails; polling never overshoots the deadline", async () => {
    const { world, result, names } = await run((w) => (w.pollsToFinish = Number.POSITIVE_INFINITY));
    expect(result.error?.message).toMatch(/did not finish within 30 minutes \(still Running\); it was cancelled/);
    expect(world.cancelled).toEqual(["job1"]);
    expect(names.filter((n) => n === ACTIVITY.cancelJob)).toHaveLength(1);
    expect(world.patches).toHaveLength(0);
    const t = timers(result.steps);
    const deadline = new Date("2026-01-04T03:00:00Z").getTime() + 30 * 60_000;
    expect(Math.max(...t.map((s) => s.fireAt.getTime()))).toBeLessThanOrEqual(deadline + 3 * 1000);
    // intervals grow 10, 20, 40 then stay at the 60 s cap
    const gaps = t.map((s) => (s.fireAt.getTime() - s.at.getTime()) / 1000);
    expect(gaps.slice(0, 5)).toEqual([10, 20, 40, 60, 60]);
    expect(names.filter((n) => n === ACTIVITY.checkJob).length).toBeLessThan(40);
  });

  it("a long job: polling continues as new every window, keeping its count and backoff, so no history holds every poll", async () => {
    const { result, names } = await run((w) => (w.pollsToFinish = 60), { polling: { firstIntervalInSeconds: 10, backoffFactor: 2, maxIntervalInSeconds: 60, deadlineInMinutes: 600 } });
    expect(result.output).toMatchObject({ result: "promoted", polls: 60, jobState: "Finished" });
    const checks = names.filter((n) => n === ACTIVITY.checkJob).length;
    expect(checks).toBe(60);
    const windows = result.steps.filter((s) => s.kind === "continueAsNew");
    expect(windows).toHaveLength(Math.ceil(checks / POLLS_PER_WINDOW) - 1);
    expect(result.steps.filter((s) => s.kind === "sub")).toEqual([expect.objectContaining({ name: "pollJobOrchestrator", instanceId: "retrain-retrain-poll-job1" })]);
    // the backoff does not restart at 10 s in a new window: every gap after the first four is the cap
    const gaps = timers(result.steps).slice(0, checks - 1).map((s) => (s.fireAt.getTime() - s.at.getTime()) / 1000);
    expect(gaps.slice(0, 4)).toEqual([10, 20, 40, 60]);
    expect(new Set(gaps.slice(3))).toEqual(new Set([60]));
  });

  it("a job whose duration the run history knows: the first poll waits 80 % of it, then the normal backoff", async () => {
    const { world, result, names } = await run((w) => (w.pollsToFinish = 2), { polling: { firstIntervalInSeconds: 10, backoffFactor: 2, maxIntervalInSeconds: 60, deadlineInMinutes: 60, expectedTrainingSeconds: 600 } });
    expect(result.output).toMatchObject({ result: "promoted" });
    const firstCheck = result.steps.findIndex((s) => s.kind === "activity" && s.name === ACTIVITY.checkJob);
    const before = result.steps.slice(0, firstCheck).filter((s): s is Extract<Step, { kind: "timer" }> => s.kind === "timer");
    expect(before.map((s) => (s.fireAt.getTime() - s.at.getTime()) / 1000)).toEqual([480]);
    expect(names.filter((n) => n === ACTIVITY.checkJob)).toHaveLength(2);
    // the record keeps when the job was last seen running (after the 480 s wait and the first poll):
    // what the next run's hint is taken from, since the training stage includes how late the end was noticed
    const { durationsInSeconds: d } = [...world.records.values()][0]!;
    expect(d.trainingAtLeast).toBeGreaterThanOrEqual(480);
    expect(d.trainingAtLeast).toBeLessThan(d.training!);
  });

  it("SAS expired at the evaluation read: one job GET brings a fresh token and the run completes", async () => {
    // the first status GET after the job finished mints expired tokens (the check), then fresh ones
    const { world, result } = await run((w) => {
      w.pollsToFinish = 1;
      w.expiredTokenGets = 2;
    });
    expect(result.error).toBeUndefined();
    expect(result.output).toMatchObject({ result: "promoted" });
    expect(world.patches).toHaveLength(1);
  });

  it("SAS expiring before the PATCH: the model location is refreshed with a job GET first", async () => {
    const { world, result } = await run((w) => (w.tokenLifetimeInMs = 60_000)); // inside the 5-minute margin
    expect(result.error).toBeUndefined();
    expect(world.patches).toHaveLength(1);
    const statusGetsAfterFinish = world.statusCalls.length;
    // check (finished) + evaluate (get + proactive refresh) + promote (get + proactive refresh)
    expect(statusGetsAfterFinish).toBeGreaterThanOrEqual(2 + 2 + 2);
  });

  it("throttled submit: waits the advertised Retry-After with a durable timer, then submits once", async () => {
    const { world, result, names } = await run((w) => {
      w.failures.submit = [new AmlServiceError("BES submit failed with 503", { operation: "BES submit", code: "ServiceUnavailable", retryable: true, statusCode: 503, detailCode: "RequestThrottled", retryAfterInMs: 7_000 })];
    });
    expect(result.error).toBeUndefined();
    expect(names.filter((n) => n === ACTIVITY.submitJob)).toHaveLength(2);
    expect(world.submitted).toHaveLength(1);
    const wait = timers(result.steps)[0]!;
    expect(wait.fireAt.getTime() - wait.at.getTime()).toBe(7_000);
    expect(result.steps.indexOf(wait)).toBe(2); // stage, submit (throttled), timer, submit again
  });

  it("dry run: evaluates and reports, promotes nothing", async () => {
    const { world, result, names } = await run(undefined, { dryRun: true });
    expect(result.error).toBeUndefined();
    expect(result.output).toMatchObject({ result: "dry-run", decision: { passed: true } });
    expect(names).not.toContain(ACTIVITY.promote);
    expect(world.patches).toHaveLength(0);
  });

  it("malformed evaluation: fails closed, no PATCH", async () => {
    const { world, result } = await run((w) => (w.evaluationCsv = "Accuracy,AUC\n0.9,0.95\n"));
    expect(result.error?.message).toMatch(/evaluation could not be used, so nothing was promoted: .*lacks the column/);
    expect(world.patches).toHaveLength(0);
  });

  it("PATCH accepted but the endpoint keeps its old model: verification fails, the archived model is restored, the run fails", async () => {
    const { world, result, names, events } = await run((w) => (w.patchIgnored = true));
    expect(names.filter((n) => n === ACTIVITY.verify)).toHaveLength(3);
    expect(world.patches.map((p) => p.RelativeLocation)).toEqual([
      "retrainer-runs/retrain-20260104T030000Z-abc123/model.ilearner",
      "retrainer-archive/retrain/retrain-20260104T030000Z-abc123/previous.ilearner",
    ]);
    expect(result.error?.message).toMatch(/did not pass live verification after 3 checks \(the endpoint lists models\/seed\.ilearner, not the new model .*\); rolled back to retrainer-archive\/retrain\/.*\/previous\.ilearner/);
    expect(events).toEqual(expect.arrayContaining(["VerificationFailed", "ModelRolledBack", "RetrainFailed"]));
  });

  it("endpoint lists the new model but answers the probe differently (canary): rollback and a loud failure", async () => {
    const { world, result } = await run((w) => (w.servesStaleModel = true));
    expect(world.patches).toHaveLength(2);
    expect(result.error?.message).toMatch(/canary: 2 of 2 probe rows scored differently from training time .*: the endpoint is not serving the new model\); rolled back to/);
    expect(lastStatus(result.statuses)).toMatchObject({ stage: "done", result: "failed" });
  });

  it("a bad data source fails the run at staging, before any job exists", async () => {
    const { world, result, names } = await run(undefined, { dataSource: "../../etc/passwd" });
    expect(result.error?.message).toMatch(/staging the training data failed: .*leaves the data folder/);
    expect(world.submitted).toHaveLength(0);
    expect(names).toEqual([ACTIVITY.stageData, ACTIVITY.record]);
  });

  it("an activity that keeps failing after its retries fails the run with the reason, and the job it gave up on is cancelled", async () => {
    const { result, world } = await run((w) => {
      // every attempt the policy allows (RETRY.amlCall: 6) fails
      w.failures.start = Array.from({ length: 6 }, () => new AmlServiceError("BES start could not connect (ECONNRESET)", { operation: "BES start", code: "NetworkError", retryable: true }));
    });
    expect(result.error?.message).toMatch(/starting training job job1 failed: startTrainingJob failed after 6 attempts in [\d.]+ s \(retry window 600 s\): BES start could not connect \(ECONNRESET\); the job was cancelled$/);
    expect(world.cancelled).toEqual(["job1"]);
  });
});

describe("retrainOrchestrator against the champion", () => {
  const header = "Accuracy,Precision,Recall,F-Score,AUC,Average Log Loss,Training Log Loss";
  const gate = parseGateRules("AUC>=0.85; AUC>=champion-0.005", CLASSIC_METRICS);

  it("rejects a challenger worse than the serving model though it clears the absolute threshold", async () => {
    const { world, result, names } = await run((w) => {
      w.evaluationCsv = `${header}\r\n0.84,0.7,0.6,0.65,0.88,0.33,0.4\r\n0.85,0.72,0.6,0.66,0.9,0.32,0.41\r\n`;
    }, { gate });
    expect(names).not.toContain(ACTIVITY.promote);
    expect(world.patches).toHaveLength(0);
    // the job was asked to evaluate the serving model too
    expect(world.submitted[0]!.GlobalParameters["Champion Model"]).toMatch(/^https:\/\/acct\.blob\.core\.windows\.net\/models\/seed\.ilearner\?sp=r&/);
    expect(result.output).toMatchObject({
      result: "rejected",
      championMetrics: { auc: 0.9 },
      decision: {
        passed: false,
        comparedWithChampion: true,
        reasons: ["auc is 0.88, meets the rule: at least 0.85.", "auc is 0.88 against the champion's 0.9, fails the rule: at least champion-0.005 = 0.895."],
      },
    });
  });

  it("a run started before the metric vocabulary (its input's rules say AUC) decides as before and is recorded under canonical names", async () => {
    const oldGate = JSON.parse('[{"metric":"AUC","op":">=","threshold":0.85},{"metric":"AUC","op":">=","champion":{"factor":1,"offset":-0.005}}]') as RetrainInput["gate"];
    const csv = `${header}\r\n0.84,0.7,0.6,0.65,0.88,0.33,0.4\r\n0.85,0.72,0.6,0.66,0.9,0.32,0.41\r\n`;
    const old = await run((w) => (w.evaluationCsv = csv), { gate: oldGate });
    const today = await run((w) => (w.evaluationCsv = csv), { gate });
    expect(old.result.output).toEqual(today.result.output);
    expect(old.result.output).toMatchObject({ result: "rejected", decision: { passed: false } });
    expect(old.world.records.get("retrain-20260104T030000Z-abc123")).toMatchObject({ gateRules: "auc>=0.85; auc>=champion-0.005", metrics: { auc: 0.88 }, championMetrics: { auc: 0.9 } });
  });

  it("first run (no champion row): relative rules are skipped, the decision says so, and the model is promoted", async () => {
    const { world, result } = await run(undefined, { gate });
    expect(world.patches).toHaveLength(1);
    expect(result.output).toMatchObject({
      result: "promoted",
      decision: { passed: true, comparedWithChampion: false, reasons: [expect.stringMatching(/meets/) as unknown, "auc rule auc>=champion-0.005 skipped: there is no champion model to compare with (first run)."] },
    });
  });

  it("a serving model outside the run storage cannot be read: no champion parameter is sent", async () => {
    const { world, result } = await run((w) => (w.endpointModel = { BaseLocation: "https://elsewhere.blob.core.windows.net/", RelativeLocation: "m/x.ilearner" }), { gate });
    expect(world.submitted[0]!.GlobalParameters).toEqual({});
    expect(result.output).toMatchObject({ result: "promoted", decision: { comparedWithChampion: false } });
  });
});

describe("retrainOrchestrator with approval", () => {
  const withApproval = { approval: { timeoutInHours: 24 } };
  async function decide(events: { afterMs: number; value: unknown }[] | undefined) {
    const clock = { now: new Date("2026-01-04T03:00:00Z") };
    const world = new FakeWorld(clock);
    const activities = createActivities(world.deps()) as unknown as Record<string, (i: never) => Promise<unknown>>;
    const result = await driveOrchestrator(retrainOrchestrator, input(withApproval), activities, {
      start: clock.now,
      events: (events ?? []).map((e) => ({ name: "ApprovalDecision", ...e })),
    });
    return { world, result };
  }

  it("holds a passing model until approved, shows the pending run, then promotes", async () => {
    const { world, result } = await decide([{ afterMs: 3_600_000, value: { approved: true, by: "ana@contoso.com", comment: "looks good" } }]);
    expect(result.statuses).toContainEqual(expect.objectContaining({ stage: "awaiting-approval", approval: { deadline: "2026-01-05T03:00:16.000Z" } })); // 24 h after the gate passed
    expect(world.patches).toHaveLength(1);
    expect(result.output).toMatchObject({ result: "promoted", approval: { approved: true, by: "ana@contoso.com", comment: "looks good" } });
  });

  it("a rejection ends the run rejected, naming who and why, and promotes nothing", async () => {
    const { world, result } = await decide([{ afterMs: 60_000, value: { approved: false, by: "ana@contoso.com", comment: "holiday freeze" } }]);
    expect(world.patches).toHaveLength(0);
    expect(result.output).toMatchObject({ result: "rejected", reason: "rejected by ana@contoso.com: holiday freeze" });
  });

  it("nobody answering before the deadline ends the run rejected", async () => {
    const { world, result } = await decide(undefined);
    expect(world.patches).toHaveLength(0);
    expect(result.output).toMatchObject({ result: "rejected", reason: "nobody approved the model within 24 hours, so it was not promoted" });
  });

  it("a failing gate never asks for approval", async () => {
    const clock = { now: new Date("2026-01-04T03:00:00Z") };
    const world = new FakeWorld(clock);
    world.evaluationCsv = FAILING_CSV;
    const activities = createActivities(world.deps()) as unknown as Record<string, (i: never) => Promise<unknown>>;
    const result = await driveOrchestrator(retrainOrchestrator, input(withApproval), activities, { start: clock.now });
    expect(result.statuses.some((s) => (s as { stage: string }).stage === "awaiting-approval")).toBe(false);
    expect(result.output).toMatchObject({ result: "rejected" });
  });
});

describe("retrainOrchestrator with approval bound to the run (issue 26)", () => {
  const RUN = "retrain-20260104T030000Z-abc123";
  async function decide(events: { afterMs: number; value: unknown }[] | undefined) {
    const clock = { now: new Date("2026-01-04T03:00:00Z") };
    const world = new FakeWorld(clock);
    const activities = createActivities(world.deps()) as unknown as Record<string, (i: never) => Promise<unknown>>;
    const result = await driveOrchestrator(retrainOrchestrator, input({ approval: { timeoutInHours: 24, boundToRun: true } }), activities, {
      start: clock.now,
      events: (events ?? []).map((e) => ({ name: "ApprovalDecision", ...e })),
    });
    return { world, result };
  }

  it("a decision for another run, one naming no run and an unreadable one are ignored and recorded; the decision for this run is taken", async () => {
    const { world, result } = await decide([
      { afterMs: 60_000, value: { approved: true, by: "mallory", runId: "retrain-20260101T000000Z-ffffff" } },
      { afterMs: 120_000, value: { approved: true, by: "old script" } },
      { afterMs: 180_000, value: { approved: "yes", by: "x", runId: RUN } },
      { afterMs: 240_000, value: { approved: false, by: "ana@contoso.com", comment: "not now", runId: RUN } },
    ]);
    expect(world.patches).toHaveLength(0);
    expect(result.output).toMatchObject({ result: "rejected", reason: "rejected by ana@contoso.com: not now", approval: { approved: false, by: "ana@contoso.com" } });
    const ignored = (result.output as { approval: { ignored: { problem: string; runId?: string; by?: string }[] } }).approval.ignored;
    expect(ignored.map((i) => i.problem)).toEqual([
      "it is for run retrain-20260101T000000Z-ffffff, not this one",
      "it names no run",
      'it could not be read ("approved" is the text "yes", not true or false)',
    ]);
    expect(ignored[0]).toMatchObject({ runId: "retrain-20260101T000000Z-ffffff", by: "mallory" });
    // Shown while the run still waits, not only at the end.
    expect(result.statuses).toContainEqual(expect.objectContaining({ stage: "awaiting-approval", approval: expect.objectContaining({ ignored: [expect.objectContaining({ by: "mallory" })] }) as unknown }));
  });

  it("an approval for this run promotes; the deadline still holds after ignored decisions", async () => {
    const approved = await decide([{ afterMs: 60_000, value: { approved: true, by: "ana", runId: RUN } }]);
    expect(approved.world.patches).toHaveLength(1);
    expect(approved.result.output).toMatchObject({ result: "promoted", approval: { approved: true, by: "ana" } });
    const late = await decide([{ afterMs: 60_000, value: { approved: true, by: "mallory", runId: "other" } }]);
    expect(late.world.patches).toHaveLength(0);
    expect(late.result.output).toMatchObject({ result: "rejected", reason: "nobody approved the model within 24 hours, so it was not promoted" });
  });

  it("a flood of decisions for other runs ends the wait after 10, promoting nothing", async () => {
    const flood = Array.from({ length: 12 }, (_, i) => ({ afterMs: 1_000 * (i + 1), value: { approved: true, by: `bot ${i}`, runId: `other-${i}` } }));
    const { world, result } = await decide([...flood, { afterMs: 60_000, value: { approved: true, by: "ana", runId: RUN } }]);
    expect(world.patches).toHaveLength(0);
    expect(result.output).toMatchObject({ result: "rejected", reason: expect.stringMatching(/^10 decisions that were not for this run arrived/) as unknown });
  });

  it("a run started before decisions named their run still takes a decision without a run id, and ignores one for another run", async () => {
    const clock = { now: new Date("2026-01-04T03:00:00Z") };
    const world = new FakeWorld(clock);
    const activities = createActivities(world.deps()) as unknown as Record<string, (i: never) => Promise<unknown>>;
    const result = await driveOrchestrator(retrainOrchestrator, input({ approval: { timeoutInHours: 24 } }), activities, {
      start: clock.now,
      events: [
        { name: "ApprovalDecision", afterMs: 60_000, value: { approved: true, by: "mallory", runId: "other" } },
        { name: "ApprovalDecision", afterMs: 120_000, value: { approved: true, by: "ana" } },
      ],
    });
    expect(world.patches).toHaveLength(1);
    expect(result.output).toMatchObject({ result: "promoted", approval: { by: "ana", ignored: [{ runId: "other" }] } });
  });
});

describe("retrainOrchestrator telling the webhooks", () => {
  /** The run with webhooks configured (`notify`), the notifications it handed on, and a start that may fail. */
  async function notified(setup: (w: FakeWorld) => void, over: Partial<RetrainInput>, o: { startFails?: boolean; events?: { afterMs: number; value: unknown }[] } = {}) {
    const clock = { now: new Date("2026-01-04T03:00:00Z") };
    const world = new FakeWorld(clock);
    setup(world);
    const told: Notification[] = [];
    const activities = {
      ...(createActivities(world.deps()) as unknown as Record<string, (i: never) => Promise<unknown>>),
      [NOTIFY_ACTIVITY.start]: (n: Notification) => (told.push(n), o.startFails ? Promise.reject(new Error("the durable client is unreachable")) : Promise.resolve({ kind: "ok", value: { webhooks: 1 } })),
    };
    const result = await driveOrchestrator(retrainOrchestrator, input({ notify: true, ...over }), activities, { start: clock.now, events: (o.events ?? []).map((e) => ({ name: "ApprovalDecision", ...e })) });
    return { result, told, names: activityNames(result.steps) };
  }

  it("a promotion: one notification after the record, with the model, the scores and the gate's reasons", async () => {
    const { result, told, names } = await notified(() => undefined, {});
    expect(names.slice(-2)).toEqual([ACTIVITY.record, NOTIFY_ACTIVITY.start]);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ event: "promoted", runId: "retrain-20260104T030000Z-abc123", instanceId: "retrain-retrain", model: "retrainer-runs/retrain-20260104T030000Z-abc123/model.ilearner", metrics: { auc: 0.907 } });
    expect(told[0]!.summary).toMatch(/^endpoint retrain serves retrainer-runs\/.*: auc is 0\.907, meets the rule/);
    expect(result.output).toMatchObject({ result: "promoted" });
  });

  it.each<[string, (w: FakeWorld) => void, string]>([
    ["rejected", (w) => (w.evaluationCsv = FAILING_CSV), "rejected"],
    ["failed", (w) => (w.finalState = "Failed"), "failed"],
  ])("a run that ends %s says so, with its reason", async (_n, setup, event) => {
    const { told } = await notified(setup, {});
    expect(told.map((t) => t.event)).toEqual([event]);
    expect(told[0]!.summary.length).toBeGreaterThan(10);
  });

  it("a dry run tells nobody; a run started without webhooks calls no notification at all", async () => {
    expect((await notified(() => undefined, { dryRun: true })).told).toEqual([]);
    const { names } = await run();
    expect(names).not.toContain(NOTIFY_ACTIVITY.start);
  });

  it("a verification that fails and is rolled back tells of the rollback, then of the failure", async () => {
    const { told } = await notified((w) => (w.patchIgnored = true), {});
    expect(told.map((t) => t.event)).toEqual(["rolled-back", "failed"]);
    expect(told[0]!.summary).toMatch(/did not pass live verification, so it was rolled back to retrainer-archive\//);
  });

  it("awaiting approval: told before the wait; the decision still promotes", async () => {
    const { told, result } = await notified(() => undefined, { approval: { timeoutInHours: 24 } }, { events: [{ afterMs: 60_000, value: { approved: true, by: "ana@contoso.com" } }] });
    expect(told.map((t) => t.event)).toEqual(["awaiting-approval", "promoted"]);
    expect(told[0]!.summary).toContain("waits for approval until 2026-01-05T03:00:16.000Z");
    // the deadline travels as data too: the chat cards' confirmation links expire then
    expect(told[0]!.approvalDeadline).toBe("2026-01-05T03:00:16.000Z");
    expect(told[1]!.approvalDeadline).toBeUndefined();
    expect(result.output).toMatchObject({ result: "promoted" });
  });

  it("a notification that cannot even be started changes nothing about the run", async () => {
    const { result, told } = await notified(() => undefined, {}, { startFails: true });
    expect(told.length).toBeGreaterThan(1); // retried by its policy
    expect(result.error).toBeUndefined();
    expect(result.output).toMatchObject({ result: "promoted" });
  });
});
