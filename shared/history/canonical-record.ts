import type { RunRecord } from "./run-record";
import { canonicalMetrics } from "../evaluation/vocabulary";
import { canonicalGateText } from "../evaluation/gate";

/**
 * A record as today's code writes it, whenever it was written: metrics and gate rules under their
 * canonical names (`AUC` → `auc`, `Average Log Loss` → `log_loss`), so the console, the API and a
 * comparison of an old run with a new one read one name per metric. The gate's reasons are
 * sentences of their time and stay as written. Every read of a record goes through here.
 */
export function withCanonicalMetricNames(r: RunRecord): RunRecord {
  return {
    ...r,
    ...(r.metrics ? { metrics: canonicalMetrics(r.metrics) } : {}),
    ...(r.championMetrics ? { championMetrics: canonicalMetrics(r.championMetrics) } : {}),
    ...(typeof r.gateRules === "string" ? { gateRules: canonicalGateText(r.gateRules) } : {}),
  };
}
