import type { Backend } from "../backends/backend";
import type { MetricName } from "./vocabulary";

/** A model's evaluation: canonical metric name (shared/evaluation/vocabulary.ts) → value. */
export type Metrics = Readonly<Record<string, number>>;

/** The values a metric can take, and which way is better. */
export interface MetricRange {
  readonly min: number;
  readonly max: number;
  readonly text: string;
  /** Which way is better: the gate refuses rules that cannot tell models apart, either way. */
  readonly higherIsBetter: boolean;
}

export const UNIT_RANGE: MetricRange = { min: 0, max: 1, text: "between 0 and 1", higherIsBetter: true };
export const LOSS_RANGE: MetricRange = { min: 0, max: Number.POSITIVE_INFINITY, text: "0 or more", higherIsBetter: false };

/**
 * The metrics one backend's evaluation reports: each key it reports them under, mapped to the
 * canonical name (the one place a backend's names meet the vocabulary). Gate rules may name only
 * these, checked against the catalogue of the endpoint's backend at the edge (settings, requests).
 */
export interface MetricCatalogue {
  readonly backend: Backend;
  /** Where the metrics come from, for messages: "Evaluate Model", "the training job's MLflow run". */
  readonly source: string;
  /** Reported key → canonical name, in the order the backend reports them. */
  readonly reports: Readonly<Record<string, MetricName>>;
}

/** The canonical names of what the backend reports. */
export const metricNames = (c: MetricCatalogue): readonly MetricName[] => Object.values(c.reports);

/**
 * A backend's reported values under their canonical names. Only catalogued keys are read, each as
 * `prefix` + key (MLflow logs the serving model's metrics as `champion_auc`, …).
 */
export function fromReported(c: MetricCatalogue, reported: Readonly<Record<string, number>>, prefix = ""): Metrics {
  const out: Record<string, number> = {};
  for (const [key, name] of Object.entries(c.reports)) if (Object.hasOwn(reported, `${prefix}${key}`)) out[name] = reported[`${prefix}${key}`]!;
  return out;
}
