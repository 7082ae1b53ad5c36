import { describe, expect, it } from "vitest";
import type { Metrics } from "../../../shared/evaluation/metrics";
import { CLASSIC_METRICS } from "../../../shared/backends/classic/metrics";
import { AZUREML_METRICS } from "../../../shared/backends/azureml/metrics";
import { evaluateGate, formatGateRules, GatePolicyError, parseGateRules as parseWith } from "../../../shared/evaluation/gate";

const parseGateRules = (text: string) => parseWith(text, CLASSIC_METRICS);

const METRICS: Metrics = { Accuracy: 0.82, Precision: 0.7, Recall: 0.6, "F-Score": 0.65, AUC: 0.912345, "Average Log Loss": 0.45, "Training Log Loss": 0.3 };

describe("parseGateRules", () => {
  it.each([
    ["AUC>=0.85; Accuracy >= 0.8", [{ metric: "AUC", op: ">=", threshold: 0.85 }, { metric: "Accuracy", op: ">=", threshold: 0.8 }]],
    ["Average Log Loss<=0.4", [{ metric: "Average Log Loss", op: "<=", threshold: 0.4 }]],
    [" F-Score >= 0.6 , Training Log Loss >= -0.5 ;", [{ metric: "F-Score", op: ">=", threshold: 0.6 }, { metric: "Training Log Loss", op: ">=", threshold: -0.5 }]],
  ])("parses %j", (text, rules) => {
    expect(parseGateRules(text)).toEqual(rules);
  });

  it("round-trips through formatGateRules", () => {
    const rules = parseGateRules("AUC >= 0.85; Average Log Loss <= 0.4");
    expect(formatGateRules(rules)).toBe("AUC>=0.85; Average Log Loss<=0.4");
    expect(parseGateRules(formatGateRules(rules))).toEqual(rules);
  });

  it.each([
    ["Gini>=0.5", 'unknown metric "Gini"'],
    ["auc>=0.5", 'unknown metric "auc"'],
    ["AUC > 0.8", 'Gate rule "AUC > 0.8" must look like'],
    ["AUC>=", 'Gate rule "AUC>=" must look like'],
    ["AUC>=high", "neither a number nor \"champion\""],
    ["AUC>=champion-x", "neither a number nor"],
    ["AUC>=champ+0.1", "neither a number nor"],
    ["", "no rules"],
    [" ; , ", "no rules"],
  ])("refuses %j", (text, message) => {
    expect(() => parseGateRules(text)).toThrow(GatePolicyError);
    expect(() => parseGateRules(text)).toThrow(message);
  });
});

describe("evaluateGate", () => {
  it("passes when every rule holds, explaining each", () => {
    expect(evaluateGate(parseGateRules("AUC>=0.9; Accuracy>=0.82"), METRICS)).toEqual({
      passed: true,
      comparedWithChampion: false,
      reasons: ["AUC is 0.9123, meets the rule: at least 0.9.", "Accuracy is 0.82, meets the rule: at least 0.82."],
    });
  });

  it("fails when any rule fails and reports every rule, passing ones included", () => {
    const decision = evaluateGate(parseGateRules("Average Log Loss<=0.4; AUC>=0.85; Recall>=0.7"), METRICS);
    expect(decision).toEqual({
      passed: false,
      comparedWithChampion: false,
      reasons: [
        "Average Log Loss is 0.45, fails the rule: at most 0.4.",
        "AUC is 0.9123, meets the rule: at least 0.85.",
        "Recall is 0.6, fails the rule: at least 0.7.",
      ],
    });
  });
});

describe("rules against the champion", () => {
  const m = (auc: number, logLoss = 0.35) => ({ Accuracy: 0.85, Precision: 0.7, Recall: 0.6, "F-Score": 0.65, AUC: auc, "Average Log Loss": logLoss, "Training Log Loss": 0.4 });

  it("parses champion bounds: plain, ±offset and ×factor, and formats them back", () => {
    const rules = parseGateRules("AUC>=champion-0.005; AUC >= champion + 0.002; AUC>=champion*1.01; Average Log Loss<=champion");
    expect(rules).toEqual([
      { metric: "AUC", op: ">=", champion: { factor: 1, offset: -0.005 } },
      { metric: "AUC", op: ">=", champion: { factor: 1, offset: 0.002 } },
      { metric: "AUC", op: ">=", champion: { factor: 1.01, offset: 0 } },
      { metric: "Average Log Loss", op: "<=", champion: { factor: 1, offset: 0 } },
    ]);
    expect(formatGateRules(rules)).toBe("AUC>=champion-0.005; AUC>=champion+0.002; AUC>=champion*1.01; Average Log Loss<=champion");
  });

  it("rejects a challenger worse than the champion though it clears the absolute bar", () => {
    const d = evaluateGate(parseGateRules("AUC>=0.85; AUC>=champion-0.005"), m(0.89), m(0.9));
    expect(d).toEqual({
      passed: false,
      comparedWithChampion: true,
      reasons: [
        "AUC is 0.89, meets the rule: at least 0.85.",
        "AUC is 0.89 against the champion's 0.9, fails the rule: at least champion-0.005 = 0.895.",
      ],
    });
  });

  it("passes a challenger within the allowed drop, and one that must improve only when it does", () => {
    expect(evaluateGate(parseGateRules("AUC>=champion-0.005"), m(0.897), m(0.9)).passed).toBe(true);
    expect(evaluateGate(parseGateRules("AUC>=champion*1.01"), m(0.905), m(0.9)).passed).toBe(false);
    expect(evaluateGate(parseGateRules("AUC>=champion*1.01"), m(0.91), m(0.9)).passed).toBe(true);
    expect(evaluateGate(parseGateRules("Average Log Loss<=champion+0.01"), m(0.9, 0.37), m(0.9, 0.35)).passed).toBe(false);
  });

  it("skips champion rules on a first run and says so, still applying absolute rules", () => {
    const d = evaluateGate(parseGateRules("AUC>=0.85; AUC>=champion-0.005"), m(0.86));
    expect(d).toEqual({
      passed: true,
      comparedWithChampion: false,
      reasons: ["AUC is 0.86, meets the rule: at least 0.85.", "AUC rule AUC>=champion-0.005 skipped: there is no champion model to compare with (first run)."],
    });
    expect(evaluateGate(parseGateRules("AUC>=0.9; AUC>=champion"), m(0.86)).passed).toBe(false);
  });
});

describe("rules that cannot tell models apart are refused, and the gate fails closed", () => {
  it.each([
    ["a threshold that overflows to Infinity", `Average Log Loss>=${"9".repeat(400)}`, "has a number longer than 24 characters"],
    ["a threshold that overflows in fewer characters", `AUC>=${"9".repeat(20)}`, "would never pass: AUC is between 0 and 1"],
    ["a loss rule every model meets", "Average Log Loss>=0", "would always pass: Average Log Loss is 0 or more"],
    ["an AUC rule every model meets", "AUC<=1", "would always pass: AUC is between 0 and 1"],
    ["a Training Log Loss above its maximum", "Training Log Loss>=1.5", "would never pass: Training Log Loss is at most 1"],
    ["a zero factor", "AUC>=champion*0", "multiplies the champion by 0"],
    ["a huge factor", "Average Log Loss<=champion*10", "multiplies the champion by 10"],
    ["an offset that always passes", "AUC>=champion-1", "moves the champion's AUC by -1; at most 0.5"],
    ["a loss offset past 1", "Average Log Loss<=champion+5", "moves the champion's Average Log Loss by 5; at most 1"],
  ])("refuses %s", (_what, text, message) => {
    expect(() => parseGateRules(text)).toThrow(GatePolicyError);
    expect(() => parseGateRules(text)).toThrow(message);
  });

  it("keeps the edges that a perfect model can still meet, and loss rules in both directions", () => {
    expect(parseGateRules("AUC>=1; Average Log Loss<=0; Training Log Loss>=-3; AUC>=champion*0.5; AUC>=champion+0.5")).toHaveLength(5);
  });

  it("does not echo a huge rule back whole", () => {
    const e = (() => { try { parseGateRules(`AUC>=${"x".repeat(5_000)}`); } catch (err) { return err as Error; } })()!;
    expect(e.message.length).toBeLessThan(400);
  });

  // Rules reach the gate through JSON (the orchestrator's input): Infinity arrives as null.
  const m = { Accuracy: 0.8, Precision: 0.7, Recall: 0.6, "F-Score": 0.65, AUC: 0.9, "Average Log Loss": 0.4, "Training Log Loss": 0.3 };
  const viaJson = <T,>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

  it("fails a rule whose threshold became null on the way (an overflowed number), never passes it", () => {
    const d = evaluateGate(viaJson([{ metric: "Average Log Loss", op: ">=", threshold: Number.POSITIVE_INFINITY }]), m);
    expect(d.passed).toBe(false);
    expect(d.reasons).toEqual(["Gate rule Average Log Loss>=null cannot be applied (its threshold is not a finite number), so it fails."]);
  });

  it("fails on a metric or champion value that is not finite, and on a malformed rule", () => {
    expect(evaluateGate(parseGateRules("AUC>=0.5"), { ...m, AUC: Number.NaN }).reasons).toEqual(["AUC is NaN, not a finite number, so the rule AUC>=0.5 fails."]);
    expect(evaluateGate(parseGateRules("AUC>=0.5"), { ...m, AUC: Number.NaN }).passed).toBe(false);
    const champion = evaluateGate(parseGateRules("AUC>=champion"), m, { ...m, AUC: Number.POSITIVE_INFINITY });
    expect([champion.passed, champion.reasons]).toEqual([false, ["The champion's AUC is Infinity, not a finite number, so the rule AUC>=champion fails."]]);
    const odd = evaluateGate(viaJson([{ metric: "AUC", op: ">", threshold: 0.5 }]) as never, m);
    expect([odd.passed, odd.reasons[0]]).toEqual([false, "Gate rule AUC>0.5 cannot be applied (its comparison is neither >= nor <=), so it fails."]);
    expect(evaluateGate(viaJson([{ metric: "Gini", op: ">=", threshold: 0.5 }]) as never, m).passed).toBe(false);
  });

  it("fails with no rules, and when no rule could be applied (only champion rules, no champion)", () => {
    expect(evaluateGate([], m)).toEqual({ passed: false, reasons: ["The gate has no rules, so no model can pass it."], comparedWithChampion: false });
    const d = evaluateGate(parseGateRules("AUC>=champion"), m);
    expect(d.passed).toBe(false);
    expect(d.reasons.at(-1)).toMatch(/^No rule could be applied, so the model does not pass: add an absolute rule/);
  });
});

describe("gate rules name the metrics of the endpoint's backend", () => {
  it("parses a v2 gate against the MLflow metric names, and refuses classic names there", () => {
    expect(parseWith("auc>=0.85; log_loss<=champion+0.01", AZUREML_METRICS)).toEqual([
      { metric: "auc", op: ">=", threshold: 0.85 },
      { metric: "log_loss", op: "<=", champion: { factor: 1, offset: 0.01 } },
    ]);
    expect(() => parseWith("AUC>=0.85", AZUREML_METRICS)).toThrow('names an unknown metric "AUC"; metrics (the training job\'s MLflow run): accuracy, precision, recall, f1_score, auc, log_loss.');
    expect(() => parseWith("auc>=0.85", CLASSIC_METRICS)).toThrow(/unknown metric "auc"; metrics \(Evaluate Model\): Accuracy, Precision/);
  });

  it("takes each metric's range from the catalogue", () => {
    expect(() => parseWith("log_loss>=0", AZUREML_METRICS)).toThrow("would always pass: log_loss is 0 or more");
    expect(() => parseWith("auc>=1.5", AZUREML_METRICS)).toThrow("would never pass: auc is between 0 and 1");
    expect(() => parseWith("toString>=0.5", CLASSIC_METRICS)).toThrow('unknown metric "toString"');
  });

  it("fails a rule whose metric the evaluation did not report", () => {
    const d = evaluateGate(parseWith("auc>=0.8", AZUREML_METRICS), { accuracy: 0.9 });
    expect(d).toEqual({ passed: false, reasons: ["The evaluation reports no auc, so the rule auc>=0.8 fails."], comparedWithChampion: false });
  });
});
