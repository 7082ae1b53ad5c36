import { randomUUID } from "node:crypto";
import type { TestEmulator } from "./emulator";

/** App settings that point the product at a running local ML service and its Azurite. */
export function pipelineEnv(e: TestEmulator, dataRoot: string, over: Record<string, string> = {}): Record<string, string> {
  return {
    AML_SERVICES_URL: e.servicesUrl,
    AML_MANAGEMENT_URL: e.managementUrl,
    AML_WORKSPACE_ID: e.config.workspaceId,
    AML_TRAINING_SERVICE_ID: e.config.trainingServiceId,
    AML_TRAINING_API_KEY: e.config.trainingApiKey,
    AML_PREDICTIVE_SERVICE_ID: e.config.predictiveServiceId,
    AML_MANAGEMENT_API_KEY: e.config.managementToken,
    RETRAIN_ENDPOINTS: "retrain",
    RETRAIN_SCHEDULE: "0 0 3 * * 0",
    RETRAIN_DATA_SOURCE: "census.csv",
    RETRAIN_DATA_ROOT: dataRoot,
    RETRAIN_GATE: "AUC>=0.85; Accuracy>=0.8",
    STAGING_STORAGE_CONNECTION_STRING: e.storageConnectionString,
    STAGING_CONTAINER: `runs-${randomUUID().slice(0, 8)}`,
    HISTORY_TABLE: `runs${randomUUID().replace(/-/g, "").slice(0, 12)}`,
    POLL_FIRST_INTERVAL_SECONDS: "1",
    POLL_MAX_INTERVAL_SECONDS: "5",
    JOB_DEADLINE_MINUTES: "60",
    // The suites train on the same file run after run; skipping unchanged data has its own tests.
    RETRAIN_SKIP_UNCHANGED: "false",
    ...over,
  };
}
