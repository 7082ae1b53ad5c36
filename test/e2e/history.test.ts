import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import type { RunRecord } from "../../shared/history/run-record";

let p: HostedPipeline;

beforeAll(async () => {
  p = await startHostedPipeline({ speed: 200 });
});
afterAll(() => p.stop());

async function runToEnd(body: unknown): Promise<string> {
  expect((await p.call("POST", "/api/retrain", body)).status).toBe(202);
  await p.engine.waitUntilEnded("retrain-retrain");
  return ((await p.call("GET", "/api/retrain/retrain-retrain")).body as { runId: string }).runId;
}

describe("run history through the local host", () => {
  it("records every run completely, lists them newest first, and serves one by id", async () => {
    const promoted = await runToEnd({});
    const rejected = await runToEnd({ gate: "AUC>=0.99; AUC>=champion" });

    const list = await p.call("GET", "/api/runs?endpoint=retrain");
    expect(list.status).toBe(200);
    const runs = (list.body as { runs: RunRecord[] }).runs;
    expect(runs.map((r) => r.runId)).toEqual([rejected, promoted]);
    // a page leaves each run's data profile out; the record by id has it
    expect(runs.every((x) => x.profile === undefined && x.dataSha256 !== undefined)).toBe(true);

    const one = await p.call("GET", `/api/runs/${promoted}`);
    const r = one.body as RunRecord;
    expect(r).toMatchObject({
      runId: promoted, endpoint: "retrain", instanceId: "retrain-retrain", trigger: { kind: "http", caller: "function key" },
      dataSource: expect.stringMatching(/^file .*census\.csv$/) as unknown, result: "promoted", gateRules: "AUC>=0.85; Accuracy>=0.78",
      decision: { passed: true }, modelAfter: { RelativeLocation: expect.stringMatching(new RegExp(`${promoted}/model\\.ilearner$`)) as unknown },
    });
    expect(r.dataBytes).toBeGreaterThan(100_000);
    expect(r.dataSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.profile).toMatchObject({ sha256: r.dataSha256, rows: expect.any(Number) as unknown, malformedRows: 0 });
    expect(r.jobId).toMatch(/^[0-9a-f]{32}$/);
    expect(Object.keys(r.metrics!)).toEqual(["Accuracy", "Precision", "Recall", "F-Score", "AUC", "Average Log Loss", "Training Log Loss"]);
    expect(r.championMetrics?.AUC).toBeGreaterThan(0);
    expect(r.modelBefore).toMatchObject({ backend: "classic", RelativeLocation: expect.stringMatching(/\.ilearner$/) as unknown });
    expect(r.archivedModel).toMatchObject({ backend: "classic", RelativeLocation: expect.stringMatching(new RegExp(`^retrainer-archive/retrain/${promoted}/previous\\.ilearner$`)) as unknown });
    // trainingAtLeast: until the last poll that found the job running (absent if none did)
    expect(Object.keys(r.durationsInSeconds).filter((k) => k !== "trainingAtLeast").sort()).toEqual(["checks", "evaluation", "promotion", "staging", "submit", "total", "training", "verification"]);
    expect(r.durationsInSeconds.trainingAtLeast ?? 0).toBeLessThanOrEqual(r.durationsInSeconds.training!);
    expect(Date.parse(r.endedAt!)).toBeGreaterThanOrEqual(Date.parse(r.startedAt));

    const rej = (await p.call("GET", `/api/runs/${rejected}`)).body as RunRecord;
    expect(rej).toMatchObject({ result: "rejected", decision: { passed: false, comparedWithChampion: true } });
    console.log(`decision texts as a user sees them:\n  promoted: ${r.decision!.reasons.join(" ")}\n  rejected: ${rej.decision!.reasons.join(" ")} → ${rej.reason}`);
  });

  it("answers unknown runs with 404 and bad queries with 400", async () => {
    expect((await p.call("GET", "/api/runs/nope-123")).status).toBe(404);
    expect((await p.call("GET", "/api/runs?limit=0")).status).toBe(400);
    expect((await p.call("GET", "/api/runs?endpoint=a%2Fb")).status).toBe(400);
    expect((await p.call("GET", "/api/runs", undefined, null)).status).toBe(401);
  });
});
