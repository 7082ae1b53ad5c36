/** The ML services a run can train and serve through, chosen per endpoint (RETRAIN_ENDPOINT_SETTINGS). */
export const BACKENDS = ["classic", "azureml"] as const;
export type Backend = (typeof BACKENDS)[number];

export const BACKEND_NAMES: Readonly<Record<Backend, string>> = {
  classic: "Azure ML Studio (classic)",
  azureml: "Azure Machine Learning (v2)",
};

/** Endpoints that name no backend, and runs started before there was a choice, are classic. */
export const DEFAULT_BACKEND: Backend = "classic";
