import type { Backend } from "../backends/backend";
import { CLASSIC_METRICS } from "../backends/classic/metrics";
import { AZUREML_METRICS } from "../backends/azureml/metrics";
import type { MetricCatalogue } from "./metrics";

const CATALOGUES: Readonly<Record<Backend, MetricCatalogue>> = { classic: CLASSIC_METRICS, azureml: AZUREML_METRICS };

/** The metrics a gate on an endpoint of `backend` can name. */
export const catalogueFor = (backend: Backend): MetricCatalogue => CATALOGUES[backend];
