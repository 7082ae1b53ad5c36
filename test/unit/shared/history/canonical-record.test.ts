import { describe, expect, it } from "vitest";
import { withCanonicalMetrics, withCanonicalMetricNames } from "../../../../shared/history/canonical-record";
import { provisionalRecord, type ActiveRun } from "../../../../functions/console/active-runs";
import type { RunRecord } from "../../../../shared/history/run-record";

/** A run's custom status as an orchestration started before the metric vocabulary keeps it. */
const OLD_STATUS = {
  runId: "retrain-20260101T000000Z-abc123", endpoint: "retrain", stage: "awaiting-approval" as const,
  metrics: { AUC: 0.9, "Average Log Loss": 0.35 }, championMetrics: { AUC: 0.89 },
  decision: { passed: true, reasons: ["AUC is 0.9, meets the rule: at least 0.85."], comparedWithChampion: true },
};

describe("withCanonicalMetrics", () => {
  it("renames the metrics of a status or an output and leaves everything else as it is", () => {
    expect(withCanonicalMetrics(OLD_STATUS)).toEqual({ ...OLD_STATUS, metrics: { auc: 0.9, log_loss: 0.35 }, championMetrics: { auc: 0.89 } });
    const rollback: { result: string; metrics?: Record<string, number> } = { result: "rolled-back" };
    expect(withCanonicalMetrics(rollback)).toEqual({ result: "rolled-back" });
  });

  it("leaves what is not a map of metrics alone", () => {
    const odd = { metrics: "AUC", championMetrics: null } as unknown as { metrics: Record<string, number> };
    expect(withCanonicalMetrics(odd)).toEqual(odd);
    expect(withCanonicalMetrics({ metrics: [0.9] } as unknown as { metrics: Record<string, number> })).toEqual({ metrics: [0.9] });
  });
});

describe("withCanonicalMetricNames", () => {
  it("also writes the gate's rules canonically, and keeps the reasons as written", () => {
    const r = { runId: "r", endpoint: "e", instanceId: "i", trigger: { kind: "schedule" }, dataSource: "d", result: "promoted", durationsInSeconds: {}, startedAt: "2026-01-01T00:00:00Z",
      gateRules: "AUC>=0.85; F-Score>=champion", metrics: { "F-Score": 0.6 }, decision: OLD_STATUS.decision } as RunRecord;
    expect(withCanonicalMetricNames(r)).toEqual({ ...r, gateRules: "auc>=0.85; f1_score>=champion", metrics: { f1_score: 0.6 } });
  });
});

describe("provisionalRecord", () => {
  it("shows a waiting run that began before the vocabulary under canonical names, as its record will be", () => {
    const active: ActiveRun = {
      instanceId: "retrain-retrain", runId: OLD_STATUS.runId, endpoint: "retrain", runtimeStatus: "Running",
      createdTime: "2026-01-01T00:00:00.000Z", lastUpdatedTime: "2026-01-01T00:05:00.000Z", custom: OLD_STATUS,
      input: { gate: [{ metric: "AUC", op: ">=", threshold: 0.85 }] },
    };
    expect(provisionalRecord(active)).toMatchObject({ result: "awaiting-approval", gateRules: "auc>=0.85", metrics: { auc: 0.9, log_loss: 0.35 }, championMetrics: { auc: 0.89 } });
  });
});
