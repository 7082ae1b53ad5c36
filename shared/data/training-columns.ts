import type { Backend } from "../backends/backend";

/** Columns a training reads, each with the type its values must have. */
export type ColumnTypes = Readonly<Record<string, "number" | "string">>;

/**
 * The census training's input, the label aside (checked on its own: "class" or "income"): what the
 * training web service "Census Model" reads as input1, what its predictive service's input
 * schema declares, and what the serving model is scored on as the champion. Numbers are
 * standardised, text is one-hot encoded; a numeric column that holds text cannot be scored.
 */
export const CENSUS_TRAINING_COLUMNS: ColumnTypes = Object.freeze({
  age: "number",
  workclass: "string",
  fnlwgt: "number",
  education: "string",
  "education-num": "number",
  "marital-status": "string",
  occupation: "string",
  relationship: "string",
  race: "string",
  sex: "string",
  "capital-gain": "number",
  "capital-loss": "number",
  "hours-per-week": "number",
  "native-country": "string",
});

/**
 * The columns each backend's training needs, known before any job: the default of the data
 * checks' `columns` (shared/config/settings.ts, `dataExpectationsOf`), so the first run, which
 * has no earlier data to compare with, is held to them too and data the training cannot use is
 * refused without a billed job. Both backends train the census model by default: classic's
 * training web service is "Census Model", and v2's default command (`AZUREML_TRAINING_COMMAND`)
 * runs a census `train.py` (the local v2 service runs the same experiment as classic's). An
 * endpoint whose training reads other columns lists them all in its `data.columns` (or
 * `RETRAIN_DATA_CHECKS`), which replaces these; `{}` requires none.
 *
 * Why a setting and not the service: only classic publishes its training's input schema (the web
 * service's swagger), a v2 command job publishes none, and reading it in the checks would add a
 * call to the ML service, and a way to fail, to a step that reads only storage today. And the
 * contract then travels in the run's input (`data.expectations`), fixed when the run starts, so
 * a replay checks exactly what the run checked.
 */
export const TRAINING_COLUMNS = {
  classic: CENSUS_TRAINING_COLUMNS,
  azureml: CENSUS_TRAINING_COLUMNS,
} as const satisfies Record<Backend, ColumnTypes>;
