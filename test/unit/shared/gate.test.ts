import { describe, expect, it } from "vitest";
import type { Metrics } from "../../../shared/evaluation/metrics";
import { CLASSIC_METRICS } from "../../../shared/backends/classic/metrics";
import { AZUREML_METRICS } from "../../../shared/backends/azureml/metrics";
import { canonicalGateText, evaluateGate, formatGateRules, GatePolicyError, parseGateRules as parseWith, type GateRule } from "../../../shared/evaluation/gate";

const parseGateRules = (text: string) => parseWith(text, CLASSIC_METRICS);

// As the evaluate activities return them: canonical names. Rules below are often written with
// Evaluate Model's names (AUC, Average Log Loss): they are aliases, read as the canonical names.
const METRICS: Metrics = { accuracy: 0.82, precision: 0.7, recall: 0.6, f1_score: 0.65, auc: 0.912345, log_loss: 0.45, training_log_loss: 0.3 };

describe("parseGateRules", () => {
  it.each([
    ["AUC>=0.85; Accuracy >= 0.8", [{ metric: "auc", op: ">=", threshold: 0.85 }, { metric: "accuracy", op: ">=", threshold: 0.8 }]],
    ["Average Log Loss<=0.4", [{ metric: "log_loss", op: "<=", threshold: 0.4 }]],
    [" F-Score >= 0.6 , Training Log Loss >= -0.5 ;", [{ metric: "f1_score", op: ">=", threshold: 0.6 }, { metric: "training_log_loss", op: ">=", threshold: -0.5 }]],
    ["auc>=0.85; ROC_AUC>=champion; f1>=0.5; LOG_LOSS<=0.5", [
      { metric: "auc", op: ">=", threshold: 0.85 }, { metric: "auc", op: ">=", champion: { factor: 1, offset: 0 } },
      { metric: "f1_score", op: ">=", threshold: 0.5 }, { metric: "log_loss", op: "<=", threshold: 0.5 },
    ]],
  ])("parses %j", (text, rules) => {
    expect(parseGateRules(text)).toEqual(rules);
  });

  it("round-trips through formatGateRules", () => {
    const rules = parseGateRules("AUC >= 0.85; Average Log Loss <= 0.4");
    expect(formatGateRules(rules)).toBe("auc>=0.85; log_loss<=0.4");
    expect(parseGateRules(formatGateRules(rules))).toEqual(rules);
  });

  it.each([
    ["Gini>=0.5", 'names an unknown metric "Gini"; metrics (Evaluate Model): accuracy, precision, recall, f1_score, auc, log_loss, training_log_loss (in any case;'],
    ["loss<=0.5", 'names "loss", which could be log_loss or training_log_loss: name one; metrics (Evaluate Model): accuracy,'],
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
      reasons: ["auc is 0.9123, meets the rule: at least 0.9.", "accuracy is 0.82, meets the rule: at least 0.82."],
    });
  });

  it("fails when any rule fails and reports every rule, passing ones included", () => {
    const decision = evaluateGate(parseGateRules("Average Log Loss<=0.4; AUC>=0.85; Recall>=0.7"), METRICS);
    expect(decision).toEqual({
      passed: false,
      comparedWithChampion: false,
      reasons: [
        "log_loss is 0.45, fails the rule: at most 0.4.",
        "auc is 0.9123, meets the rule: at least 0.85.",
        "recall is 0.6, fails the rule: at least 0.7.",
      ],
    });
  });
});

describe("rules against the champion", () => {
  const m = (auc: number, logLoss = 0.35) => ({ accuracy: 0.85, precision: 0.7, recall: 0.6, f1_score: 0.65, auc, log_loss: logLoss, training_log_loss: 0.4 });

  it("parses champion bounds: plain, ±offset and ×factor, and formats them back", () => {
    const rules = parseGateRules("AUC>=champion-0.005; AUC >= champion + 0.002; AUC>=champion*1.01; Average Log Loss<=champion");
    expect(rules).toEqual([
      { metric: "auc", op: ">=", champion: { factor: 1, offset: -0.005 } },
      { metric: "auc", op: ">=", champion: { factor: 1, offset: 0.002 } },
      { metric: "auc", op: ">=", champion: { factor: 1.01, offset: 0 } },
      { metric: "log_loss", op: "<=", champion: { factor: 1, offset: 0 } },
    ]);
    expect(formatGateRules(rules)).toBe("auc>=champion-0.005; auc>=champion+0.002; auc>=champion*1.01; log_loss<=champion");
  });

  it("rejects a challenger worse than the champion though it clears the absolute bar", () => {
    const d = evaluateGate(parseGateRules("AUC>=0.85; AUC>=champion-0.005"), m(0.89), m(0.9));
    expect(d).toEqual({
      passed: false,
      comparedWithChampion: true,
      reasons: [
        "auc is 0.89, meets the rule: at least 0.85.",
        "auc is 0.89 against the champion's 0.9, fails the rule: at least champion-0.005 = 0.895.",
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
      reasons: ["auc is 0.86, meets the rule: at least 0.85.", "auc rule auc>=champion-0.005 skipped: there is no champion model to compare with (first run)."],
    });
    expect(evaluateGate(parseGateRules("AUC>=0.9; AUC>=champion"), m(0.86)).passed).toBe(false);
  });
});

describe("rules that cannot tell models apart are refused, and the gate fails closed", () => {
  it.each([
    ["a threshold that overflows to Infinity", `Average Log Loss>=${"9".repeat(400)}`, "has a number longer than 24 characters"],
    ["a threshold that overflows in fewer characters", `AUC>=${"9".repeat(20)}`, "would never pass: auc is between 0 and 1"],
    ["a loss rule every model meets", "Average Log Loss>=0", "would always pass: log_loss is 0 or more"],
    ["an AUC rule every model meets", "AUC<=1", "would always pass: auc is between 0 and 1"],
    ["a Training Log Loss above its maximum", "Training Log Loss>=1.5", "would never pass: training_log_loss is at most 1"],
    ["a zero factor", "AUC>=champion*0", "multiplies the champion by 0"],
    ["a huge factor", "Average Log Loss<=champion*10", "multiplies the champion by 10"],
    ["an offset that always passes", "AUC>=champion-1", "moves the champion's auc by -1; at most 0.5"],
    ["a loss offset past 1", "Average Log Loss<=champion+5", "moves the champion's log_loss by 5; at most 1"],
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
  const m = { accuracy: 0.8, precision: 0.7, recall: 0.6, f1_score: 0.65, auc: 0.9, log_loss: 0.4, training_log_loss: 0.3 };
  const viaJson = <T,>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

  it("fails a rule whose threshold became null on the way (an overflowed number), never passes it", () => {
    const d = evaluateGate(viaJson([{ metric: "Average Log Loss", op: ">=", threshold: Number.POSITIVE_INFINITY }]), m);
    expect(d.passed).toBe(false);
    expect(d.reasons).toEqual(["Gate rule log_loss>=null cannot be applied (its threshold is not a finite number), so it fails."]);
  });

  it("fails on a metric or champion value that is not finite, and on a malformed rule", () => {
    expect(evaluateGate(parseGateRules("AUC>=0.5"), { ...m, auc: Number.NaN }).reasons).toEqual(["auc is NaN, not a finite number, so the rule auc>=0.5 fails."]);
    expect(evaluateGate(parseGateRules("AUC>=0.5"), { ...m, auc: Number.NaN }).passed).toBe(false);
    const champion = evaluateGate(parseGateRules("AUC>=champion"), m, { ...m, auc: Number.POSITIVE_INFINITY });
    expect([champion.passed, champion.reasons]).toEqual([false, ["The champion's auc is Infinity, not a finite number, so the rule auc>=champion fails."]]);
    const odd = evaluateGate(viaJson([{ metric: "AUC", op: ">", threshold: 0.5 }]) as never, m);
    expect([odd.passed, odd.reasons[0]]).toEqual([false, "Gate rule auc>0.5 cannot be applied (its comparison is neither >= nor <=), so it fails."]);
    expect(evaluateGate(viaJson([{ metric: "Gini", op: ">=", threshold: 0.5 }]) as never, m).passed).toBe(false);
  });

  it("fails with no rules, and when no rule could be applied (only champion rules, no champion)", () => {
    expect(evaluateGate([], m)).toEqual({ passed: false, reasons: ["The gate has no rules, so no model can pass it."], comparedWithChampion: false });
    const d = evaluateGate(parseGateRules("AUC>=champion"), m);
    expect(d.passed).toBe(false);
    expect(d.reasons.at(-1)).toMatch(/^No rule could be applied, so the model does not pass: add an absolute rule/);
  });
});

describe("one vocabulary across backends", () => {
  it("parses a gate written with Evaluate Model's names on a v2 endpoint to the same rules as on classic", () => {
    const text = "AUC>=0.85; F-Score>=0.6; Average Log Loss<=champion+0.01";
    expect(parseWith(text, AZUREML_METRICS)).toEqual(parseWith(text, CLASSIC_METRICS));
    expect(parseWith(text, AZUREML_METRICS)).toEqual([
      { metric: "auc", op: ">=", threshold: 0.85 },
      { metric: "f1_score", op: ">=", threshold: 0.6 },
      { metric: "log_loss", op: "<=", champion: { factor: 1, offset: 0.01 } },
    ]);
    expect(parseWith("auc>=0.85", CLASSIC_METRICS)).toEqual(parseWith("AUC>=0.85", AZUREML_METRICS));
  });

  it("decides a classic-named gate on a v2 endpoint exactly as on a classic one, pass and fail", () => {
    const text = "AUC>=0.85; F-Score>=0.6; Average Log Loss<=champion+0.01";
    // The same models, as each backend's evaluate activity returns them.
    const good = { accuracy: 0.8, precision: 0.7, recall: 0.6, f1_score: 0.65, auc: 0.9, log_loss: 0.36 };
    const champion = { ...good, log_loss: 0.35 };
    for (const [challenger, passed] of [[good, true], [{ ...good, log_loss: 0.37 }, false], [{ ...good, auc: 0.84 }, false]] as const) {
      const classic = evaluateGate(parseWith(text, CLASSIC_METRICS), { ...challenger, training_log_loss: 0.3 }, { ...champion, training_log_loss: 0.3 });
      const v2 = evaluateGate(parseWith(text, AZUREML_METRICS), challenger, champion);
      expect(v2).toEqual(classic);
      expect(v2.passed).toBe(passed);
    }
  });

  it("refuses, for a v2 endpoint, the metric only Studio reports, listing what MLflow reports", () => {
    expect(() => parseWith("Training Log Loss>=0.2", AZUREML_METRICS)).toThrow(
      "Gate rule \"Training Log Loss>=0.2\" names training_log_loss, which the training job's MLflow run does not report; metrics (the training job's MLflow run): accuracy, precision, recall, f1_score, auc, log_loss.",
    );
    expect(parseWith("Training Log Loss>=0.2", CLASSIC_METRICS)).toEqual([{ metric: "training_log_loss", op: ">=", threshold: 0.2 }]);
  });

  it("takes each metric's range from the vocabulary", () => {
    expect(() => parseWith("log_loss>=0", AZUREML_METRICS)).toThrow("would always pass: log_loss is 0 or more");
    expect(() => parseWith("auc>=1.5", AZUREML_METRICS)).toThrow("would never pass: auc is between 0 and 1");
    expect(() => parseWith("toString>=0.5", CLASSIC_METRICS)).toThrow('unknown metric "toString"');
  });

  it("fails a rule whose metric the evaluation did not report", () => {
    const d = evaluateGate(parseWith("auc>=0.8", AZUREML_METRICS), { accuracy: 0.9 });
    expect(d).toEqual({ passed: false, reasons: ["The evaluation reports no auc, so the rule auc>=0.8 fails."], comparedWithChampion: false });
  });
});

describe("runs started before the vocabulary", () => {
  // Their input holds the rules as parsed then (Evaluate Model's names), through JSON.
  const oldRules = JSON.parse('[{"metric":"AUC","op":">=","threshold":0.85},{"metric":"Average Log Loss","op":"<=","champion":{"factor":1,"offset":0.01}}]') as GateRule[];
  const canonical = { accuracy: 0.8, precision: 0.7, recall: 0.6, f1_score: 0.65, auc: 0.9, log_loss: 0.36, training_log_loss: 0.3 };
  const old = { Accuracy: 0.8, Precision: 0.7, Recall: 0.6, "F-Score": 0.65, AUC: 0.9, "Average Log Loss": 0.36, "Training Log Loss": 0.3 };

  it("decide on today's canonical metrics as new rules do, and on old metrics too", () => {
    const fresh = evaluateGate(parseGateRules("auc>=0.85; log_loss<=champion+0.01"), canonical, { ...canonical, log_loss: 0.35 });
    expect(fresh.passed).toBe(true);
    expect(evaluateGate(oldRules, canonical, { ...canonical, log_loss: 0.35 })).toEqual(fresh);
    expect(evaluateGate(oldRules, old, { ...old, "Average Log Loss": 0.35 })).toEqual(fresh);
    expect(evaluateGate(oldRules, canonical, { ...canonical, log_loss: 0.34 }).passed).toBe(false);
  });

  it("format under canonical names, as a record shows them", () => {
    expect(formatGateRules(oldRules)).toBe("auc>=0.85; log_loss<=champion+0.01");
    expect(formatGateRules([{ metric: "Gini", op: ">=", threshold: 0.5 }])).toBe("Gini>=0.5");
  });
});

describe("canonicalGateText", () => {
  it.each([
    ["AUC>=0.85; AUC>=champion-0.005", "auc>=0.85; auc>=champion-0.005"],
    ["Average Log Loss<=0.4; F-Score >= 0.6", "log_loss<=0.4; f1_score >= 0.6"],
    ["auc>=0.9", "auc>=0.9"],
    ["Gini>=0.5; AUC>=0.7", "Gini>=0.5; auc>=0.7"],
    ["", ""],
    ["not a rule", "not a rule"],
  ])("reads %j as %j", (text, expected) => {
    expect(canonicalGateText(text)).toBe(expected);
  });
});
