import { describe, expect, it } from "vitest";
import { backendOf, loadSettings, secretsOf, SettingsError } from "../../../shared/config/settings";

type Env = Record<string, string | undefined>;

const TRAINING_KEY = "TRAINING-KEY-fake-7f3a9c";
const MANAGEMENT_KEY = "MANAGEMENT-KEY-fake-b81e2d";
const ACCOUNT_KEY = "ACCOUNTKEYfake0123456789abcdef==";
const CONNECTION = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${ACCOUNT_KEY};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;`;
const SECRETS = [TRAINING_KEY, MANAGEMENT_KEY, ACCOUNT_KEY];

function validEnv(overrides: Env = {}): Env {
  return {
    AML_SERVICES_URL: "https://ussouthcentral.services.azureml.net",
    AML_WORKSPACE_ID: "ws1",
    AML_TRAINING_SERVICE_ID: "train1",
    AML_TRAINING_API_KEY: TRAINING_KEY,
    AML_PREDICTIVE_SERVICE_ID: "pred1",
    AML_MANAGEMENT_API_KEY: MANAGEMENT_KEY,
    RETRAIN_ENDPOINTS: "retrain1, retrain2",
    RETRAIN_SCHEDULE: "0 0 3 * * 0",
    RETRAIN_DATA_SOURCE: "blob:training/census.csv",
    RETRAIN_GATE: "AUC>=0.85; Accuracy>=0.8",
    STAGING_STORAGE_CONNECTION_STRING: CONNECTION,
    ...overrides,
  };
}

/** The SettingsError `env` produces. */
function failure(env: Env): SettingsError {
  try {
    loadSettings(env);
  } catch (e) {
    if (e instanceof SettingsError) return e;
    throw e;
  }
  throw new Error("expected loadSettings to fail");
}

describe("loadSettings", () => {
  it("accepts a complete environment and applies the defaults", () => {
    expect(loadSettings(validEnv({ STAGING_CONTAINER: "", OTHER_APP_SETTING: "ignored" }))).toMatchObject({
      AML_MANAGEMENT_URL: "https://management.azureml.net",
      AML_TRAINED_MODEL_RESOURCE: "Census Model [trained model]",
      RETRAIN_ENDPOINTS: ["retrain1", "retrain2"],
      STAGING_CONTAINER: "retrainer-runs",
      POLL_FIRST_INTERVAL_SECONDS: 15,
      POLL_BACKOFF_FACTOR: 1.5,
      POLL_MAX_INTERVAL_SECONDS: 300,
      JOB_DEADLINE_MINUTES: 240,
      SAS_REFRESH_MARGIN_SECONDS: 300,
    });
  });

  it("reads numbers from their text", () => {
    expect(loadSettings(validEnv({ POLL_FIRST_INTERVAL_SECONDS: "30", POLL_BACKOFF_FACTOR: "2", SAS_REFRESH_MARGIN_SECONDS: "0" }))).toMatchObject({
      POLL_FIRST_INTERVAL_SECONDS: 30, POLL_BACKOFF_FACTOR: 2, SAS_REFRESH_MARGIN_SECONDS: 0,
    });
  });

  it.each<[string, Env, string[]]>([
    ["a missing training key", { AML_TRAINING_API_KEY: undefined }, ["AML_TRAINING_API_KEY"]],
    ["an empty management key", { AML_MANAGEMENT_API_KEY: "" }, ["AML_MANAGEMENT_API_KEY"]],
    ["a bad URL", { AML_SERVICES_URL: "ussouthcentral.services.azureml.net" }, ["AML_SERVICES_URL"]],
    ["the default endpoint", { RETRAIN_ENDPOINTS: "retrain1, Default" }, ["RETRAIN_ENDPOINTS", "default endpoint"]],
    ["a five-field schedule", { RETRAIN_SCHEDULE: "0 3 * * 0" }, ["RETRAIN_SCHEDULE", "six fields"]],
    ["a bad gate", { RETRAIN_GATE: "AUC>0.8" }, ["RETRAIN_GATE", "AUC>0.8"]],
    ["both staging settings", { STAGING_STORAGE_ACCOUNT_URL: "https://acct.blob.core.windows.net" }, ["STAGING_STORAGE_CONNECTION_STRING", "STAGING_STORAGE_ACCOUNT_URL", "exactly one"]],
    ["neither staging setting", { STAGING_STORAGE_CONNECTION_STRING: undefined }, ["STAGING_STORAGE_CONNECTION_STRING", "STAGING_STORAGE_ACCOUNT_URL", "exactly one"]],
    ["a bad container name", { STAGING_CONTAINER: "Retrainer_Runs" }, ["STAGING_CONTAINER"]],
    ["a zero poll interval", { POLL_FIRST_INTERVAL_SECONDS: "0" }, ["POLL_FIRST_INTERVAL_SECONDS must be greater than 0"]],
    ["a non-numeric backoff", { POLL_BACKOFF_FACTOR: "fast" }, ["POLL_BACKOFF_FACTOR"]],
    ["a max interval below the first", { POLL_FIRST_INTERVAL_SECONDS: "60", POLL_MAX_INTERVAL_SECONDS: "30" }, ["POLL_MAX_INTERVAL_SECONDS must not be below"]],
  ])("refuses %s, naming the setting and no secret", (_, overrides, mentions) => {
    const { message } = failure(validEnv(overrides));
    for (const m of mentions) expect(message).toContain(m);
    for (const s of SECRETS) expect(message).not.toContain(s);
  });

  it("lists every bad setting at once", () => {
    const { message } = failure(validEnv({ AML_TRAINING_API_KEY: undefined, AML_WORKSPACE_ID: undefined, RETRAIN_SCHEDULE: "daily" }));
    expect(message.split("\n").filter((l) => l.startsWith("- "))).toHaveLength(3);
    expect(message).toMatch(/AML_TRAINING_API_KEY[\s\S]*AML_WORKSPACE_ID|AML_WORKSPACE_ID[\s\S]*AML_TRAINING_API_KEY/);
    expect(message).toContain("RETRAIN_SCHEDULE");
  });

  it("never echoes a secret even when every other setting is wrong", () => {
    const env = Object.fromEntries(Object.keys(validEnv()).map((k) => [k, k.includes("KEY") ? undefined : "?"]));
    const { message } = failure({ ...env, AML_TRAINING_API_KEY: TRAINING_KEY, AML_MANAGEMENT_API_KEY: MANAGEMENT_KEY, STAGING_STORAGE_CONNECTION_STRING: CONNECTION });
    for (const s of SECRETS) expect(message).not.toContain(s);
  });
});

describe("secretsOf", () => {
  it("lists the API keys and the connection string", () => {
    expect(secretsOf(loadSettings(validEnv()))).toEqual([TRAINING_KEY, MANAGEMENT_KEY, CONNECTION]);
  });

  it("lists only the API keys when storage is reached by identity", () => {
    const env = validEnv({ STAGING_STORAGE_CONNECTION_STRING: undefined, STAGING_STORAGE_ACCOUNT_URL: "https://acct.blob.core.windows.net" });
    expect(secretsOf(loadSettings(env))).toEqual([TRAINING_KEY, MANAGEMENT_KEY]);
  });
});

describe("a backend per endpoint", () => {
  const endpoints = (value: unknown) => validEnv({ RETRAIN_ENDPOINT_SETTINGS: JSON.stringify(value) });

  it("defaults to classic and accepts it by name", () => {
    const s = loadSettings(endpoints({ retrain1: { backend: "classic" } }));
    expect(backendOf(s, "RETRAIN1")).toBe("classic");
    expect(backendOf(s, "retrain2")).toBe("classic");
  });

  it("names Azure ML (v2) but refuses it until it works end to end, and refuses unknown backends", () => {
    expect(failure(endpoints({ retrain1: { backend: "azureml" } })).message).toContain('retrain1.backend: backend "azureml" (Azure Machine Learning (v2)) is not available in this version; use classic');
    expect(failure(endpoints({ retrain1: { backend: "sagemaker" } })).message).toContain("retrain1.backend: backend must be one of classic, azureml");
  });

  it("checks an endpoint's gate, and the default gate, against the metrics of the backend that uses them", () => {
    expect(failure(endpoints({ retrain1: { gate: "auc>=0.9" } })).message).toContain('retrain1.gate: Gate rule "auc>=0.9" names an unknown metric "auc"; metrics (Evaluate Model)');
    expect(failure(validEnv({ RETRAIN_GATE: "f1_score>=0.5" })).message).toContain('RETRAIN_GATE: Gate rule "f1_score>=0.5" names an unknown metric');
  });
});
