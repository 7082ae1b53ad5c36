import type { MetricCatalogue } from "../../evaluation/metrics";

/**
 * What the v2 training job logs to its MLflow run for the new model, on the held-out rows (the
 * serving model's values are logged beside them with a `champion_` prefix). MLflow keys are
 * lower-case, snake_case by convention, as scikit-learn's autolog writes them: they are the
 * canonical names already. Studio's "Training Log Loss" has no MLflow counterpart.
 */
export const AZUREML_METRICS: MetricCatalogue = {
  backend: "azureml",
  source: "the training job's MLflow run",
  reports: { accuracy: "accuracy", precision: "precision", recall: "recall", f1_score: "f1_score", auc: "auc", log_loss: "log_loss" },
};

/** The probe rows as the new model scored them at training time: one MLflow step per row. */
export const PROBE_METRIC = "probe_score";
/** The serving model's metrics, logged by the same job on the same held-out rows. */
export const CHAMPION_PREFIX = "champion_";
