import { describe, expect, it } from "vitest";
import { aliasesOf, buildLookup, canonicalMetricName, canonicalMetrics, lookupMetric, METRIC_NAMES, rangeOf } from "../../../../shared/evaluation/vocabulary";
import { fromReported, metricNames } from "../../../../shared/evaluation/metrics";
import { CLASSIC_METRICS } from "../../../../shared/backends/classic/metrics";
import { AZUREML_METRICS } from "../../../../shared/backends/azureml/metrics";

describe("METRIC_NAMES", () => {
  it("is MLflow's snake_case names, plus Studio's Training Log Loss in the same case", () => {
    expect(METRIC_NAMES).toEqual(["accuracy", "precision", "recall", "f1_score", "auc", "log_loss", "training_log_loss"]);
  });
});

describe("lookupMetric", () => {
  it.each<[string, string | undefined]>([
    // Every canonical name, as written and shouted.
    ...METRIC_NAMES.flatMap((n): [string, string][] => [[n, n], [n.toUpperCase(), n]]),
    // Evaluate Model's columns.
    ["Accuracy", "accuracy"], ["Precision", "precision"], ["Recall", "recall"], ["F-Score", "f1_score"], ["AUC", "auc"],
    ["Average Log Loss", "log_loss"], ["Training Log Loss", "training_log_loss"],
    // The listed aliases, and the separators and spacing a person may use.
    ["F1", "f1_score"], ["f1", "f1_score"], ["F1 Score", "f1_score"], ["f1-score", "f1_score"], ["fscore", undefined], ["roc_auc", "auc"], ["ROC AUC", "auc"],
    ["average_log_loss", "log_loss"], ["  Log   Loss ", "log_loss"], ["training-log-loss", "training_log_loss"],
  ])("reads %j as %s", (text, name) => {
    expect(canonicalMetricName(text)).toBe(name);
  });

  it("reads every alias of every metric as that metric", () => {
    for (const name of METRIC_NAMES) for (const alias of aliasesOf(name)) expect(lookupMetric(alias)).toEqual({ kind: "known", name });
  });

  it("refuses a name that could mean either log loss, naming both", () => {
    expect(lookupMetric("Loss")).toEqual({ kind: "ambiguous", candidates: ["log_loss", "training_log_loss"] });
    expect(canonicalMetricName("loss")).toBeUndefined();
  });

  it.each(["", "auc2", "AUC ROC curve", "f", "__proto__", "constructor", "toString", "hasOwnProperty", "probe_score", "champion_auc"])("knows no metric %j", (text) => {
    expect(lookupMetric(text)).toEqual({ kind: "unknown" });
  });
});

describe("buildLookup", () => {
  it("refuses a vocabulary where one spelling names two metrics", () => {
    expect(() => buildLookup({ auc: { aliases: ["score"] }, f1_score: { aliases: ["Score"] } })).toThrow('"score" names both auc and f1_score');
    expect(() => buildLookup({ log_loss: { aliases: ["Loss"] } }, { loss: ["log_loss", "training_log_loss"] })).toThrow('"loss" names both an ambiguous name and log_loss');
    expect(() => buildLookup({ auc: { aliases: ["AUC", "auc"] } })).not.toThrow();
  });
});

describe("rangeOf", () => {
  it("is the metric's, whatever the backend", () => {
    expect(rangeOf("auc")).toMatchObject({ min: 0, max: 1, higherIsBetter: true });
    expect(rangeOf("log_loss")).toMatchObject({ min: 0, max: Number.POSITIVE_INFINITY, higherIsBetter: false });
    expect(rangeOf("training_log_loss")).toMatchObject({ min: Number.NEGATIVE_INFINITY, max: 1, higherIsBetter: true });
  });
});

describe("canonicalMetrics", () => {
  it("renames a record written with Evaluate Model's columns, values untouched, unknown keys kept", () => {
    expect(canonicalMetrics({ Accuracy: 0.8, "F-Score": 0.65, AUC: 0.9, "Average Log Loss": 0.4, "Training Log Loss": 0.3, custom: 7 }))
      .toEqual({ accuracy: 0.8, f1_score: 0.65, auc: 0.9, log_loss: 0.4, training_log_loss: 0.3, custom: 7 });
  });

  it("keeps the canonical key's value when a map holds both spellings, in either order", () => {
    expect(canonicalMetrics({ AUC: 0.1, auc: 0.9 })).toEqual({ auc: 0.9 });
    expect(canonicalMetrics({ auc: 0.9, AUC: 0.1 })).toEqual({ auc: 0.9 });
    expect(canonicalMetrics({ "F-Score": 0.5, F1: 0.6 })).toEqual({ f1_score: 0.5 });
  });

  it("keeps a hostile key as a key", () => {
    const m = canonicalMetrics(JSON.parse('{"__proto__": 1, "AUC": 0.9}') as Record<string, number>);
    expect(Object.keys(m)).toEqual(["__proto__", "auc"]);
    expect(Object.getPrototypeOf(m)).toBe(Object.prototype);
  });
});

describe("the backends' catalogues", () => {
  it("map each reported key to a canonical name, once", () => {
    for (const c of [CLASSIC_METRICS, AZUREML_METRICS]) {
      expect(new Set(metricNames(c)).size).toBe(metricNames(c).length);
      for (const [key, name] of Object.entries(c.reports)) expect(canonicalMetricName(key)).toBe(name);
    }
    expect(metricNames(CLASSIC_METRICS)).toEqual(METRIC_NAMES);
    expect(metricNames(AZUREML_METRICS)).toEqual(METRIC_NAMES.filter((n) => n !== "training_log_loss"));
  });

  it("read a backend's values under canonical names, with or without the champion prefix, ignoring what is not catalogued", () => {
    const mlflow = { auc: 0.91, log_loss: 0.3, champion_auc: 0.9, probe_score: 0.2, AUC: 0.5 };
    expect(fromReported(AZUREML_METRICS, mlflow)).toEqual({ auc: 0.91, log_loss: 0.3 });
    expect(fromReported(AZUREML_METRICS, mlflow, "champion_")).toEqual({ auc: 0.9 });
    expect(fromReported(CLASSIC_METRICS, { AUC: 0.9, "F-Score": 0.6, auc: 0.1 })).toEqual({ auc: 0.9, f1_score: 0.6 });
  });
});
