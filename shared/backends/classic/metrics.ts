import { UNIT_RANGE, LOSS_RANGE, type MetricCatalogue } from "../../evaluation/metrics";

/** Evaluate Model's binary-classification columns, in the order Studio writes them. */
export const METRIC_NAMES = ["Accuracy", "Precision", "Recall", "F-Score", "AUC", "Average Log Loss", "Training Log Loss"] as const;

/**
 * Studio's "Training Log Loss" is the log loss's advantage over a random prediction
 * (1 − loss/prior loss): at most 1, negative when worse than random.
 */
export const CLASSIC_METRICS: MetricCatalogue = {
  backend: "classic",
  source: "Evaluate Model",
  metrics: {
    Accuracy: UNIT_RANGE, Precision: UNIT_RANGE, Recall: UNIT_RANGE, "F-Score": UNIT_RANGE, AUC: UNIT_RANGE,
    "Average Log Loss": LOSS_RANGE,
    "Training Log Loss": { min: Number.NEGATIVE_INFINITY, max: 1, text: "at most 1", higherIsBetter: true },
  },
};
