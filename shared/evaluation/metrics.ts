import type { Backend } from "../backends/backend";

/** A model's evaluation: metric name → value, whatever the backend calls its metrics. */
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
 * The metrics one backend's evaluation reports, by the names it reports them under. Gate rules
 * are checked against the catalogue of the endpoint's backend, at the edge (settings, requests).
 */
export interface MetricCatalogue {
  readonly backend: Backend;
  /** Where the metrics come from, for messages: "Evaluate Model", "the training job's MLflow run". */
  readonly source: string;
  /** In the order the backend reports them. */
  readonly metrics: Readonly<Record<string, MetricRange>>;
}

export const metricNames = (c: MetricCatalogue): readonly string[] => Object.keys(c.metrics);
