import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TableClient } from "@azure/data-tables";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import type { RunRecord } from "../../shared/history/run-record";
import { RunHistoryClient } from "../../shared/history/run-history";

let p: HostedPipeline;
const CONSOLE_KEY = "console-key-for-the-history-tests";

beforeAll(async () => {
  p = await startHostedPipeline({ speed: 200, settings: { RETRAIN_CONSOLE_KEY: CONSOLE_KEY, RETRAIN_CONSOLE_SECRET: "console-secret-for-the-history-tests-0123456789" } });
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
      dataSource: expect.stringMatching(/^file .*census\.csv$/) as unknown, result: "promoted", gateRules: "auc>=0.85; accuracy>=0.78",
      decision: { passed: true }, modelAfter: { RelativeLocation: expect.stringMatching(new RegExp(`${promoted}/model\\.ilearner$`)) as unknown },
    });
    expect(r.dataBytes).toBeGreaterThan(100_000);
    expect(r.dataSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.profile).toMatchObject({ sha256: r.dataSha256, rows: expect.any(Number) as unknown, malformedRows: 0 });
    expect(r.jobId).toMatch(/^[0-9a-f]{32}$/);
    // Evaluate Model's columns, under the canonical names.
    expect(Object.keys(r.metrics!)).toEqual(["accuracy", "precision", "recall", "f1_score", "auc", "log_loss", "training_log_loss"]);
    expect(r.championMetrics?.auc).toBeGreaterThan(0);
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

  it("shows a record written before the metric vocabulary under the canonical names: API, run page, and one chart series with today's runs", async () => {
    const history = new RunHistoryClient(TableClient.fromConnectionString(p.emulator.storageConnectionString, p.values.HISTORY_TABLE ?? "RetrainerRuns", { allowInsecureConnection: true }));
    const runId = "retrain-20200101T000000Z-01d01d";
    // As the code before the vocabulary wrote it: Evaluate Model's names everywhere.
    await history.upsert({
      runId, endpoint: "retrain", backend: "classic", instanceId: "retrain-retrain", trigger: { kind: "schedule" }, dataSource: "file census.csv",
      metrics: { Accuracy: 0.81, Precision: 0.7, Recall: 0.6, "F-Score": 0.65, AUC: 0.8765, "Average Log Loss": 0.39, "Training Log Loss": 0.35 },
      championMetrics: { Accuracy: 0.8, Precision: 0.69, Recall: 0.6, "F-Score": 0.64, AUC: 0.8712, "Average Log Loss": 0.4, "Training Log Loss": 0.34 },
      gateRules: "AUC>=0.85; AUC>=champion-0.005", decision: { passed: true, comparedWithChampion: true, reasons: ["AUC is 0.8765, meets the rule: at least 0.85."] },
      result: "rejected", durationsInSeconds: { total: 60 }, startedAt: "2020-01-01T00:00:00.000Z", endedAt: "2020-01-01T00:01:00.000Z",
    });

    const one = (await p.call("GET", `/api/runs/${runId}`)).body as RunRecord;
    expect(one).toMatchObject({ gateRules: "auc>=0.85; auc>=champion-0.005", metrics: { auc: 0.8765, f1_score: 0.65, log_loss: 0.39, training_log_loss: 0.35 }, championMetrics: { auc: 0.8712 } });
    expect(Object.keys(one.metrics!)).toEqual(["accuracy", "precision", "recall", "f1_score", "auc", "log_loss", "training_log_loss"]);
    const listed = ((await p.call("GET", "/api/runs?endpoint=retrain")).body as { runs: RunRecord[] }).runs.find((r) => r.runId === runId)!;
    expect(Object.keys(listed.championMetrics!)).toEqual(Object.keys(one.metrics!));

    // The console, signed in with its key.
    const login = await fetch(`${p.host.url}/api/console/login`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `key=${CONSOLE_KEY}` });
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const page = async (path: string) => {
      const res = await fetch(`${p.host.url}/api/console${path}`, { headers: { cookie } });
      expect(res.status).toBe(200);
      return res.text();
    };
    const run = await page(`/runs/${runId}`);
    const metricsTable = /<table id="metrics">[\s\S]*?<\/table>/.exec(run)![0];
    expect([...metricsTable.matchAll(/<th scope="row">([^<]*)<\/th><td class="num">([^<]*)<\/td><td class="num">([^<]*)</g)].map((m) => m.slice(1))).toEqual([
      ["accuracy", "0.81", "0.8"], ["precision", "0.7", "0.69"], ["recall", "0.6", "0.6"], ["f1_score", "0.65", "0.64"],
      ["auc", "0.8765", "0.8712"], ["log_loss", "0.39", "0.4"], ["training_log_loss", "0.35", "0.34"],
    ]);
    expect(run).toContain("<code>auc&gt;=0.85; auc&gt;=champion-0.005</code>");
    expect(run).not.toMatch(/>AUC<|F-Score|Average Log Loss/);

    // The endpoint's auc chart draws the old run and today's runs as one series.
    const endpoint = await page("/endpoints/retrain");
    const chart = /<svg class="chart"[^>]*data-metric="auc">[\s\S]*?<\/svg>/.exec(endpoint)![0];
    const points = [...chart.matchAll(/class="challenger point"[^>]*data-run="([^"]+)"/g)].map((m) => m[1]);
    expect(points[0]).toBe(runId);
    expect(points.length).toBeGreaterThan(1);
    expect(endpoint).not.toContain('data-metric="AUC"');
  });

  it("answers unknown runs with 404 and bad queries with 400", async () => {
    expect((await p.call("GET", "/api/runs/nope-123")).status).toBe(404);
    expect((await p.call("GET", "/api/runs?limit=0")).status).toBe(400);
    expect((await p.call("GET", "/api/runs?endpoint=a%2Fb")).status).toBe(400);
    expect((await p.call("GET", "/api/runs", undefined, null)).status).toBe(401);
  });
});
