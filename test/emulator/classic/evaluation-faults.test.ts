import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ContainerClient } from "@azure/storage-blob";
import { startTestEmulator, upload, waitForJob, type TestEmulator } from "../../support/emulator";
import { readResult, runBatchJob, type BlobResult } from "../../support/bes-client";
import { adultSample } from "../../support/census";
import { parseEvaluation } from "../../../shared/backends/classic/evaluation";

let e: TestEmulator;
let c: ContainerClient;
/** Outputs of a normal job over the same inputs, seed and champion: what every other output must equal. */
let normal: { model: string; evaluation: string; probe: string };
let championUrl: string;

const key = () => e.config.trainingApiKey;
const ref = (blob: string) => ({ ConnectionString: e.storageConnectionString, RelativeLocation: `${c.containerName}/${blob}` });
const url = (r: BlobResult) => `${r.BaseLocation}${r.RelativeLocation}${r.SasBlobToken}`;

/** Submits, starts and waits for one job with a champion, so the evaluation has its two rows. */
async function run(): Promise<{ state: unknown; outputs?: { model: string; evaluation: string; probe: string } }> {
  const id = (await e.call("POST", `${e.besBase}/jobs?api-version=2.0`, key(), {
    Inputs: { input1: ref("input.csv"), input2: ref("probe.csv") },
    GlobalParameters: { "Random Seed": "7", "Champion Model": championUrl },
  })).body as string;
  await e.call("POST", `${e.besBase}/jobs/${id}/start?api-version=2.0`, key());
  const done = await waitForJob(e, id);
  if (done.StatusCode !== "Finished") return { state: done.StatusCode };
  const r = done.Results as Record<string, BlobResult>;
  return { state: done.StatusCode, outputs: { model: await readResult(r.output1!), evaluation: await readResult(r.output2!), probe: await readResult(r.output3!) } };
}

const table = (csv: string) => csv.split(/\r?\n/).filter(Boolean).map((l) => l.split(","));

beforeAll(async () => {
  e = await startTestEmulator({ maxConcurrentJobs: 1 });
  c = await e.container();
  await upload(c, "input.csv", adultSample(800));
  await upload(c, "probe.csv", adultSample(20));
  const champion = await runBatchJob(e.besBase, key(), { Inputs: { input1: ref("input.csv") }, GlobalParameters: { "Random Seed": "1" } });
  championUrl = url(champion.results.output1!);
  normal = (await run()).outputs!;
  expect(table(normal.evaluation)).toHaveLength(3);
});
afterEach(() => e.admin("DELETE", "faults"));
afterAll(() => e.stop());

describe("fault injection: corrupted evaluation output", () => {
  it.each([
    ["malformed", /Evaluation row 1 has \d values for 7 columns/, (csv: string) => {
      const [header, row, ...rest] = table(csv);
      expect(header).toEqual(table(normal.evaluation)[0]);
      expect(row!.length).toBeLessThan(header!.length);
      expect(rest).toEqual([]);
    }],
    ["missing-metric", /lacks the column\(s\): AUC/, (csv: string) => {
      const rows = table(csv);
      const auc = table(normal.evaluation)[0]!.indexOf("AUC");
      expect(rows).toEqual(table(normal.evaluation).map((r) => r.filter((_, i) => i !== auc)));
    }],
    ["nan", /row 1: AUC is "NaN", not a finite number/, (csv: string) => {
      const rows = table(csv);
      const auc = rows[0]!.indexOf("AUC");
      expect(rows[1]![auc]).toBe("NaN");
      expect(rows[1]!.filter((_, i) => i !== auc)).toEqual(table(normal.evaluation)[1]!.filter((_, i) => i !== auc));
      expect(rows[2]).toEqual(table(normal.evaluation)[2]); // the champion's row is untouched
    }],
  ] as const)("%s: the next job writes a broken output2 the pipeline's parser refuses; model and scored probe are as normal", async (kind, refusal, check) => {
    await e.admin("POST", "faults", { corruptEvaluation: { count: 1, kind } });
    const { state, outputs } = await run();
    expect(state).toBe("Finished");
    check(outputs!.evaluation);
    expect(() => parseEvaluation(outputs!.evaluation)).toThrow(refusal);
    expect(outputs!.model).toBe(normal.model);
    expect(outputs!.probe).toBe(normal.probe);
    expect((await e.admin("GET", "faults")).body).toMatchObject({ corruptEvaluation: { count: 0, kind } });
  });

  it("counts only jobs that finish: a failed job leaves the count alone; after `count` jobs the output is normal again", async () => {
    const logged = e.logs.length;
    await e.admin("POST", "faults", { failJobs: ["ModuleExecutionError: injected"], corruptEvaluation: { count: 2, kind: "nan" } });
    expect((await run()).state).toBe("Failed");
    for (let i = 0; i < 2; i++) expect(table((await run()).outputs!.evaluation)[1]).toContain("NaN");
    expect((await run()).outputs!.evaluation).toBe(normal.evaluation);
    expect(e.logs.slice(logged).filter((l) => /writing a corrupted evaluation output \(nan\)/.test(l))).toHaveLength(2);
  });
});
