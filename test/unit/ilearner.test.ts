import { describe, expect, it } from "vitest";
import { runExperiment } from "../../emulator/training/experiment";
import { makeScorer, parseModel, serializeModel } from "../../emulator/training/ilearner";
import { syntheticCensusCsv } from "../../emulator/training/synthetic-census";
import { TrainingError } from "../../emulator/training/errors";

describe(".ilearner", () => {
  it("round-trips a trained model and scores the same after loading", async () => {
    const { model } = await runExperiment(syntheticCensusCsv(1_000, 3), { seed: 1, splitFraction: 0.8 });
    const loaded = parseModel(serializeModel(model));
    const row: Record<string, string> = { age: "45", education: "Masters", "education-num": "14", "marital-status": "Married-civ-spouse", "hours-per-week": "50" };
    expect(makeScorer(loaded).probability((c) => row[c])).toBe(makeScorer(model).probability((c) => row[c]));
  });

  it.each([
    ["not JSON", "PK\u0003\u0004binary", /cannot be parsed/],
    ["a foreign format", JSON.stringify({ format: "onnx" }), /unknown format/],
    ["a newer version", JSON.stringify({ format: "retrainer.ilearner", formatVersion: 99 }), /version 99/],
    ["inconsistent weights", JSON.stringify({ format: "retrainer.ilearner", formatVersion: 1, learner: "TwoClassLogisticRegression", labels: ["a", "b"], features: [{ name: "x", type: "numeric", fill: 0, mean: 0, std: 1 }], weights: [1, 2], bias: 0 }), /inconsistent/],
    ["non-finite weights", JSON.stringify({ format: "retrainer.ilearner", formatVersion: 1, learner: "TwoClassLogisticRegression", labels: ["a", "b"], features: [{ name: "x", type: "numeric", fill: 0, mean: 0, std: 1 }], weights: [null], bias: 0 }), /non-finite/],
  ])("refuses %s", (_what, text, message) => {
    expect(() => parseModel(text)).toThrow(message);
  });
});

describe("training experiment input checks", () => {
  it.each([
    ["an empty file", "", /empty/],
    ["a duplicate column", "a,a,class\n1,2,x\n", /"a" twice/],
    ["a ragged row", "a,class\n1,x\n2\n", /not a valid CSV/],
    ["a single-class label", "a,class\n1,x\n2,x\n3,x\n", /exactly 2 distinct values/],
    ["too few rows to split", "a,class\n1,x\n2,y\n", /too few/],
  ])("fails %s with a clear message", async (_what, csv, message) => {
    await expect(runExperiment(csv, { seed: 1, splitFraction: 0.75 })).rejects.toThrow(TrainingError);
    await expect(runExperiment(csv, { seed: 1, splitFraction: 0.75 })).rejects.toThrow(message);
  });

  it("is reproducible from its seed and differs across seeds", async () => {
    const csv = syntheticCensusCsv(800, 9);
    const a = await runExperiment(csv, { seed: 4, splitFraction: 0.75 });
    const b = await runExperiment(csv, { seed: 4, splitFraction: 0.75 });
    const c = await runExperiment(csv, { seed: 5, splitFraction: 0.75 });
    expect(b.evaluationCsv).toBe(a.evaluationCsv);
    expect(c.evaluationCsv).not.toBe(a.evaluationCsv);
  });
});
