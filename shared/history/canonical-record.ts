import type { RunRecord } from "./run-record";
import type { Metrics } from "../evaluation/metrics";
import { canonicalMetrics } from "../evaluation/vocabulary";
import { canonicalGateText } from "../evaluation/gate";

/** What shows a run's metrics: a record, an orchestration's status or output. */
interface WithMetrics {
  readonly metrics?: Metrics;
  readonly championMetrics?: Metrics;
}

const isMap = (m: unknown): m is Metrics => typeof m === "object" && m !== null && !Array.isArray(m);

/**
 * A run's metrics under their canonical names (`AUC` → `auc`, `Average Log Loss` → `log_loss`),
 * whenever they were written: a run that began before the vocabulary carries Evaluate Model's
 * names in its status and output. Anything that is not a map of metrics is left as it is.
 */
export function withCanonicalMetrics<T extends WithMetrics>(v: T): T {
  return {
    ...v,
    ...(isMap(v.metrics) ? { metrics: canonicalMetrics(v.metrics) } : {}),
    ...(isMap(v.championMetrics) ? { championMetrics: canonicalMetrics(v.championMetrics) } : {}),
  };
}

/**
 * A record as today's code writes it, whenever it was written: metrics and gate rules under their
 * canonical names, so the console, the API and a comparison of an old run with a new one read one
 * name per metric. The gate's reasons are sentences of their time and stay as written. Every read
 * of a record goes through here.
 */
export function withCanonicalMetricNames(r: RunRecord): RunRecord {
  return { ...withCanonicalMetrics(r), ...(typeof r.gateRules === "string" ? { gateRules: canonicalGateText(r.gateRules) } : {}) };
}
