import type { MetricCatalogue } from "../../evaluation/metrics";

/** Evaluate Model's binary-classification columns, in the order Studio writes them, by canonical name. */
export const CLASSIC_METRICS: MetricCatalogue = {
  backend: "classic",
  source: "Evaluate Model",
  reports: {
    Accuracy: "accuracy", Precision: "precision", Recall: "recall", "F-Score": "f1_score", AUC: "auc",
    "Average Log Loss": "log_loss", "Training Log Loss": "training_log_loss",
  },
};

/** The columns the evaluation CSV must have. */
export const EVALUATION_COLUMNS = Object.keys(CLASSIC_METRICS.reports);
