import { describe, expect, it } from "vitest";
import { areaUnderRoc, evaluate, evaluationCsv, EVALUATION_COLUMNS } from "../../emulator/training/metrics";

describe("Evaluate Model metrics", () => {
  it("computes AUC as the probability a positive outranks a negative, ties counting half", () => {
    expect(areaUnderRoc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    expect(areaUnderRoc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    expect(areaUnderRoc([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0])).toBe(1);
    expect(areaUnderRoc([0.3, 0.4], [1, 1])).toBeNaN();
  });

  it("computes the confusion-matrix metrics at threshold 0.5 and log losses", () => {
    const m = evaluate([0.9, 0.6, 0.4, 0.2], [1, 0, 1, 0], 0.5);
    expect(m.Accuracy).toBe(0.5);
    expect(m.Precision).toBe(0.5);
    expect(m.Recall).toBe(0.5);
    expect(m["F-Score"]).toBe(0.5);
    const ll = -(Math.log(0.9) + Math.log(0.4) + Math.log(0.4) + Math.log(0.8)) / 4;
    expect(m["Average Log Loss"]).toBeCloseTo(ll, 12);
    expect(m["Training Log Loss"]).toBeCloseTo(1 - ll / Math.log(2), 12);
  });

  it("writes the CSV with exactly Studio's columns, one row per evaluated model", () => {
    const m = evaluate([0.9, 0.1], [1, 0], 0.5);
    const lines = evaluationCsv([m, m]).trim().split(/\r\n/);
    expect(lines[0]).toBe(EVALUATION_COLUMNS.join(","));
    expect(lines).toHaveLength(3);
    expect(lines[1]!.split(",").map(Number).every(Number.isFinite)).toBe(true);
  });
});
