import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostedPipeline } from "../support/host";
import { startV2Pipeline } from "../support/azureml";
import type { RunningAzureMlService } from "../../emulator/azureml/service";
import { seededRandom } from "../../emulator/training/rng";

/**
 * Issue 26, item 5, as a customer meets it: a CSV the training cannot use (columns x1, x2, class)
 * on an endpoint's first run, before any run has left a reference to compare with. Every other
 * check passes (rows, label, missing cells), so only the training's column contract stands
 * between this file and a billed job. On both backends the run ends `data-rejected`, naming the
 * columns the training needs, and the ML service saw no job at all.
 */
const FILE = "x1x2.csv";

/** 600 rows, two numeric columns, a two-valued label with a healthy minority: fit in every way but its columns. */
function x1x2Csv(): string {
  const random = seededRandom(26);
  const lines = ["x1,x2,class"];
  for (let i = 0; i < 600; i++) {
    const x1 = random() * 10;
    const x2 = random() * 5;
    lines.push(`${x1.toFixed(3)},${x2.toFixed(3)},${x1 + x2 + random() * 4 > 10 ? ">50K" : "<=50K"}`);
  }
  return lines.join("\n") + "\n";
}

interface Ended {
  readonly status: Record<string, unknown>;
  readonly jobsSubmitted: number;
}

/** Starts a run, waits for its end, and counts the jobs the ML service holds before and after. */
async function runOn(p: HostedPipeline, jobs: () => Promise<number>, body: Record<string, unknown>): Promise<Ended> {
  const before = await jobs();
  const start = await p.call("POST", "/api/retrain", body);
  expect(start.status, JSON.stringify(start.body)).toBe(202);
  const { id } = start.body as { id: string };
  await p.engine.waitUntilEnded(id);
  const status = (await p.call("GET", `/api/retrain/${id}`)).body as Record<string, unknown>;
  return { status, jobsSubmitted: (await jobs()) - before };
}

/** What the customer must read: the columns the census training needs, named. */
function expectRefusedBeforeAnyJob(r: Ended, backend: string): void {
  console.log(`${backend}, first run on ${FILE}: ${String(r.status.result)}: ${String(r.status.reason)}; jobs submitted: ${r.jobsSubmitted}`);
  expect(r.status).toMatchObject({ runtimeStatus: "Completed", result: "data-rejected" });
  const reason = String(r.status.reason);
  for (const column of ["age", "workclass", "education", "hours-per-week", "native-country"]) expect(reason).toContain(`"${column}"`);
  expect(reason).toMatch(/The training needs \d+ columns the data does not have: "age", "workclass"/);
  expect(r.jobsSubmitted).toBe(0);
}

/** One host for both backends (the app loads once per process): classic endpoint "retrain", v2 endpoint "census-v2". */
const V2 = "census-v2";
let p: HostedPipeline;
let svc: RunningAzureMlService;
let stop: (() => Promise<void>) | undefined;
const classicJobs = async () => ((await p.emulator.admin("GET", "jobs")).body as unknown[]).length;
const v2Jobs = () => Promise.resolve(svc.state.jobs.size);

beforeAll(async () => {
  ({ p, svc, stop } = await startV2Pipeline(V2, {}, 200));
  writeFileSync(path.join(p.values.RETRAIN_DATA_ROOT!, FILE), x1x2Csv());
});
afterAll(() => stop?.());

describe("data the training cannot use, on an endpoint's first run: refused before any job", () => {
  it("Azure ML Studio (classic): x1,x2,class ends data-rejected naming the census columns; the service saw 0 jobs", async () => {
    expectRefusedBeforeAnyJob(await runOn(p, classicJobs, { dataSource: FILE }), "classic");
  });

  it("Azure Machine Learning (v2): x1,x2,class ends data-rejected naming the census columns; the workspace saw 0 jobs", async () => {
    expectRefusedBeforeAnyJob(await runOn(p, v2Jobs, { endpoint: V2, dataSource: FILE }), "azureml");
  });

  it("census data passes the same first-run checks and trains (a dry run): the contract refuses only what the training cannot use", async () => {
    const r = await runOn(p, classicJobs, { dryRun: true });
    expect(r.status).toMatchObject({ runtimeStatus: "Completed", result: "dry-run" });
    expect(r.jobsSubmitted).toBe(1);
  });
});
