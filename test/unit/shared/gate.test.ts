import { describe, expect, it } from "vitest";
import type { Metrics } from "../../../shared/evaluation/evaluation";
import { evaluateGate, formatGateRules, GatePolicyError, parseGateRules } from "../../../shared/evaluation/gate";

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
    ["AUC>=high", "must look like"],
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
      reasons: ["AUC is 0.9123, meets the rule: at least 0.9.", "Accuracy is 0.82, meets the rule: at least 0.82."],
    });
  });

  it("fails when any rule fails and reports every rule, passing ones included", () => {
    const decision = evaluateGate(parseGateRules("Average Log Loss<=0.4; AUC>=0.85; Recall>=0.7"), METRICS);
    expect(decision).toEqual({
      passed: false,
      reasons: [
        "Average Log Loss is 0.45, fails the rule: at most 0.4.",
        "AUC is 0.9123, meets the rule: at least 0.85.",
        "Recall is 0.6, fails the rule: at least 0.7.",
      ],
    });
  });
});
