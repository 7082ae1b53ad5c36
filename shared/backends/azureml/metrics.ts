import { UNIT_RANGE, LOSS_RANGE, type MetricCatalogue } from "../../evaluation/metrics";

/**
 * What the v2 training job logs to its MLflow run for the new model, on the held-out rows (the
 * serving model's values are logged beside them with a `champion_` prefix). MLflow keys are
 * lower-case, snake_case by convention, as scikit-learn's autolog writes them.
 */
export const AZUREML_METRICS: MetricCatalogue = {
  backend: "azureml",
  source: "the training job's MLflow run",
  metrics: {
    accuracy: UNIT_RANGE, precision: UNIT_RANGE, recall: UNIT_RANGE, f1_score: UNIT_RANGE, auc: UNIT_RANGE,
    log_loss: LOSS_RANGE,
  },
};

/** The probe rows as the new model scored them at training time: one MLflow step per row. */
export const PROBE_METRIC = "probe_score";
/** The serving model's metrics, logged by the same job on the same held-out rows. */
export const CHAMPION_PREFIX = "champion_";
