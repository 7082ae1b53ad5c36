import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ContainerClient } from "@azure/storage-blob";
import { startTestEmulator, upload, type TestEmulator } from "../support/emulator";
import { runBatchJob, readResult } from "../support/bes-client";
import { getEndpoint, score } from "../support/rrs-client";
import { adultCsv, csvRows } from "../support/census";

let e: TestEmulator;
let c: ContainerClient;

beforeAll(async () => {
  e = await startTestEmulator();
  c = await e.container();
  await upload(c, "adult.csv", adultCsv());
});
afterAll(() => e.stop());

describe("training on the real Adult data", () => {
  it("reaches AUC ≥ 0.89 and accuracy ≥ 0.84 on its own test split, and PATCH changes what the endpoint serves", async () => {
    const cs = e.storageConnectionString;
    const started = Date.now();
    const { results } = await runBatchJob(e.besBase, e.config.trainingApiKey, {
      Inputs: { input1: { ConnectionString: cs, RelativeLocation: `${c.containerName}/adult.csv` } },
      Outputs: {
        output1: { ConnectionString: cs, RelativeLocation: `${c.containerName}/run1/model.ilearner` },
        output2: { ConnectionString: cs, RelativeLocation: `${c.containerName}/run1/evaluation.csv` },
      },
      GlobalParameters: {},
    });
    const elapsedInMs = Date.now() - started;
    const evaluation = csvRows(await readResult(results.output2!));
    expect(evaluation.columns).toEqual(["Accuracy", "Precision", "Recall", "F-Score", "AUC", "Average Log Loss", "Training Log Loss"]);
    expect(evaluation.rows).toHaveLength(1);
    const m = Object.fromEntries(evaluation.columns.map((col, i) => [col, Number(evaluation.rows[0]![i])]));
    console.log(`Adult: AUC ${m.AUC!.toFixed(4)}, accuracy ${m.Accuracy!.toFixed(4)}, job wall time ${elapsedInMs} ms`);
    expect(m.AUC).toBeGreaterThanOrEqual(0.89);
    expect(m.Accuracy).toBeGreaterThanOrEqual(0.84);
    expect(m.AUC).toBeLessThanOrEqual(1);

    // Same rows, scored before and after Update Resource with the new model.
    const probe = csvRows(adultCsv());
    const rows = probe.rows.slice(0, 50);
    const endpoint = await getEndpoint(e, "retrain");
    const before = await score(e, endpoint, probe.columns, rows);
    const model = results.output1!;
    const patch = await e.call("PATCH", `${e.endpointsUrl}/retrain`, endpoint.PrimaryKey, {
      Resources: [{ Name: "Census Model [trained model]", Location: model }],
    });
    expect(patch.status).toBeGreaterThanOrEqual(200);
    expect(patch.status).toBeLessThan(300);
    const after = await score(e, endpoint, probe.columns, rows);
    expect(after).not.toEqual(before);
    // The model trained on real data ranks the real rows' labels well.
    const labels = rows.map((r) => (r[r.length - 1] === ">50K" ? 1 : 0));
    const meanScore = (label: number) => after.filter((_, i) => labels[i] === label).reduce((a, b) => a + b, 0) / labels.filter((l) => l === label).length;
    expect(meanScore(1)).toBeGreaterThan(meanScore(0));
    expect((await getEndpoint(e, "retrain")).Resources[0]!.Location.RelativeLocation).toBe(model.RelativeLocation);
  });
});
