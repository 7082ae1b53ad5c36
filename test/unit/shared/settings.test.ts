import { describe, expect, it } from "vitest";
import { backendOf, dataExpectationsOf, endpointForBlob, loadSettings, readDataExpectations, secretsOf, SettingsError, skipsUnchanged, sourcePolicyOf, webhooksOf } from "../../../shared/config/settings";
import { CENSUS_TRAINING_COLUMNS, TRAINING_COLUMNS } from "../../../shared/data/training-columns";

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

  it("takes azureml with its workspace and environment, and refuses unknown backends", () => {
    const v2 = { AZUREML_WORKSPACE_ID: "/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/w", AZUREML_ENVIRONMENT_ID: "azureml:sklearn:1" };
    const s = loadSettings({ ...endpoints({ retrain1: { backend: "azureml", gate: "auc>=0.8" } }), ...v2 });
    expect(backendOf(s, "retrain1")).toBe("azureml");
    expect(s.AZUREML_TRAFFIC_STEPS).toEqual([10, 50, 100]);
    expect(failure(endpoints({ retrain1: { backend: "azureml", gate: "auc>=0.8" } })).message).toMatch(/AZUREML_WORKSPACE_ID is required: endpoint\(s\) retrain1 use the azureml backend[\s\S]*AZUREML_ENVIRONMENT_ID is required/);
    expect(failure(endpoints({ retrain1: { backend: "sagemaker" } })).message).toContain("retrain1.backend: backend must be one of classic, azureml");
  });

  it("refuses v2 settings that cannot be meant", () => {
    const v2 = { RETRAIN_ENDPOINT_SETTINGS: JSON.stringify({ retrain1: { backend: "azureml", gate: "auc>=0.8" } }), AZUREML_WORKSPACE_ID: "/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/w", AZUREML_ENVIRONMENT_ID: "e" };
    expect(failure(validEnv({ ...v2, AZUREML_TRAFFIC_STEPS: "50,10,100" })).message).toContain("AZUREML_TRAFFIC_STEPS must be rising whole percentages ending at 100");
    expect(failure(validEnv({ ...v2, AZUREML_TRAFFIC_STEPS: "10,50" })).message).toContain("AZUREML_TRAFFIC_STEPS must be rising");
    expect(failure(validEnv({ ...v2, AZUREML_MIRROR_PERCENT: "60" })).message).toContain("AZUREML_MIRROR_PERCENT must be at most 50");
    expect(failure(validEnv({ ...v2, AZUREML_WORKSPACE_ID: "ws-1" })).message).toContain("AZUREML_WORKSPACE_ID must be a workspace's resource id");
    const leaked = failure(validEnv({ ...v2, AZUREML_ACCESS_TOKEN: "tok-SECRET-1" }));
    expect(leaked.message).toContain("AZUREML_ACCESS_TOKEN is for the local Azure ML service only");
    expect(leaked.message).not.toContain("tok-SECRET-1");
    const shortName = { ...v2, RETRAIN_ENDPOINTS: "retrain1,x", RETRAIN_ENDPOINT_SETTINGS: JSON.stringify({ x: { backend: "azureml", gate: "auc>=0.8" } }) };
    expect(failure(validEnv(shortName)).message).toContain('"x" uses the azureml backend, so it must be an online endpoint name');
  });

  it("checks an endpoint's gate, and the default gate, against the metrics of the backend that uses them", () => {
    const v2 = { AZUREML_WORKSPACE_ID: "/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/w", AZUREML_ENVIRONMENT_ID: "e" };
    expect(failure(endpoints({ retrain1: { gate: "gini>=0.9" } })).message).toContain('retrain1.gate: Gate rule "gini>=0.9" names an unknown metric "gini"; metrics (Evaluate Model): accuracy, precision, recall, f1_score, auc, log_loss, training_log_loss');
    expect(failure(validEnv({ RETRAIN_GATE: "Gini>=0.5" })).message).toContain('RETRAIN_GATE: Gate rule "Gini>=0.5" names an unknown metric');
    expect(failure({ ...endpoints({ retrain1: { backend: "azureml", gate: "Training Log Loss>=0.2" } }), ...v2 }).message)
      .toContain('retrain1.gate: Gate rule "Training Log Loss>=0.2" names training_log_loss, which the training job\'s MLflow run does not report');
    // The default gate is checked against each backend that inherits it.
    expect(failure({ ...endpoints({ retrain1: { backend: "azureml" } }), ...v2, RETRAIN_GATE: "training_log_loss>=0.2" }).message)
      .toContain("RETRAIN_GATE: Gate rule \"training_log_loss>=0.2\" names training_log_loss, which the training job's MLflow run does not report");
  });

  it("accepts either backend's names, in any case, on either backend", () => {
    const v2 = { AZUREML_WORKSPACE_ID: "/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/w", AZUREML_ENVIRONMENT_ID: "e" };
    const s = loadSettings({ ...endpoints({ retrain1: { backend: "azureml", gate: "AUC>=0.8; Average Log Loss<=champion" }, retrain2: { gate: "f1_score>=0.5; auc>=0.8" } }), ...v2 });
    expect(backendOf(s, "retrain1")).toBe("azureml");
    expect(loadSettings({ ...endpoints({ retrain1: { backend: "azureml" } }), ...v2, RETRAIN_GATE: "F1>=0.5; roc_auc>=0.8" }).RETRAIN_GATE).toBe("F1>=0.5; roc_auc>=0.8");
  });
});

describe("data checks and skipping unchanged data, from settings", () => {
  it("takes the defaults, then RETRAIN_DATA_CHECKS, then the endpoint's own data checks, field by field", () => {
    const s = loadSettings(validEnv({
      RETRAIN_DATA_CHECKS: '{"minRows":1000,"maxPsi":0.2,"psi":{"fnlwgt":0.5}}',
      RETRAIN_ENDPOINT_SETTINGS: '{"retrain2":{"data":{"minRows":50,"label":"income","psi":{"age":0.1}},"skipUnchanged":false}}',
    }));
    const columns = CENSUS_TRAINING_COLUMNS;
    expect(dataExpectationsOf(s, "retrain1")).toEqual({ minRows: 1000, minRowsShareOfReference: 0.5, minMinorityShare: 0.05, maxMissingShare: 0.2, maxPsi: 0.2, psi: { fnlwgt: 0.5 }, columns });
    expect(dataExpectationsOf(s, "RETRAIN2")).toEqual({ minRows: 50, label: "income", minRowsShareOfReference: 0.5, minMinorityShare: 0.05, maxMissingShare: 0.2, maxPsi: 0.2, psi: { fnlwgt: 0.5, age: 0.1 }, columns });
    expect([skipsUnchanged(s, "retrain1"), skipsUnchanged(s, "retrain2")]).toEqual([true, false]);
    expect(skipsUnchanged(loadSettings(validEnv({ RETRAIN_SKIP_UNCHANGED: "false" })), "retrain1")).toBe(false);
  });

  it("requires the columns the endpoint's backend trains on by default, which RETRAIN_DATA_CHECKS and then the endpoint's own columns replace", () => {
    const v2 = { AZUREML_WORKSPACE_ID: "/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/w", AZUREML_ENVIRONMENT_ID: "azureml:sklearn:1" };
    const s = loadSettings(validEnv({ ...v2, RETRAIN_ENDPOINT_SETTINGS: '{"retrain2":{"backend":"azureml","gate":"auc>=0.8"}}' }));
    expect(dataExpectationsOf(s, "retrain1").columns).toEqual(TRAINING_COLUMNS.classic);
    expect(dataExpectationsOf(s, "retrain2").columns).toEqual(TRAINING_COLUMNS.azureml);
    expect(TRAINING_COLUMNS.classic).toMatchObject({ age: "number", workclass: "string", "hours-per-week": "number", "native-country": "string" });
    expect(Object.keys(TRAINING_COLUMNS.classic)).toHaveLength(14); // the census features; the label is checked on its own
    const own = loadSettings(validEnv({
      RETRAIN_DATA_CHECKS: '{"columns":{"age":"number"}}',
      RETRAIN_ENDPOINT_SETTINGS: '{"retrain2":{"data":{"columns":{"x1":"number","x2":"number"}}}}',
    }));
    expect(dataExpectationsOf(own, "retrain1").columns).toEqual({ age: "number" });
    expect(dataExpectationsOf(own, "retrain2").columns).toEqual({ x1: "number", x2: "number" });
    // a training that reads whatever it is given: no column required
    expect(dataExpectationsOf(loadSettings(validEnv({ RETRAIN_DATA_CHECKS: '{"columns":{}}' })), "retrain1").columns).toEqual({});
  });

  it.each(["__proto__", "constructor", "prototype"])("refuses the column name %s in a run's input as in settings, in columns and in psi", (key) => {
    // A run's input can come from the Durable API: parsed JSON, where "__proto__" is an own key.
    const base = { minRows: 100, minRowsShareOfReference: 0.5, minMinorityShare: 0.05, maxMissingShare: 0.2, maxPsi: 0.25 };
    for (const field of ['"columns":{"KEY":"number"}', '"psi":{"KEY":0.1}']) {
      const input: unknown = JSON.parse(`{${field.replace("KEY", key)}}`);
      expect(readDataExpectations({ ...base, ...(input as object) })).toEqual({ ok: false, problem: expect.stringContaining(`the column name "${key}" is not allowed`) as unknown });
      expect(failure(validEnv({ RETRAIN_DATA_CHECKS: `{${field.replace("KEY", key)}}` })).message).toMatch(/RETRAIN_DATA_CHECKS must be JSON like|is not allowed/);
      expect(failure(validEnv({ RETRAIN_ENDPOINT_SETTINGS: `{"retrain1":{"data":{${field.replace("KEY", key)}}}}` })).message).toMatch(/RETRAIN_ENDPOINT_SETTINGS must be JSON like|is not allowed/);
    }
    expect(Object.prototype).not.toHaveProperty("number");
  });

  it.each([
    ['{"maxPsi":0}', "RETRAIN_DATA_CHECKS: maxPsi: maxPsi must be more than 0"],
    ['{"maxPsi":1e999}', "RETRAIN_DATA_CHECKS: maxPsi: maxPsi must be a finite number"],
    ['{"minMinorityShare":0.7}', "minMinorityShare must be at most 0.5: the minority is never more"],
    ['{"maxMissingShare":-0.1}', "maxMissingShare must be 0 to 1"],
    ['{"minRows":2.5}', "minRows must be a whole number"],
    ['{"minRows":500,"maxRows":100}', "data checks of endpoint retrain1: maxRows (100) is below minRows (500); no data could pass"],
    ['{"columns":{"age":"integer"}}', "a column's type must be \"number\" or \"string\""],
    ['{"psi":{"age":"high"}}', "a column's PSI limit must be a number"],
    ['{"minRow":5}', "Unrecognized key(s) in object: 'minRow'"],
    ['{"columns":{"__proto__":"number"}}', "RETRAIN_DATA_CHECKS must be JSON like"],
    ["not json", "RETRAIN_DATA_CHECKS must be JSON like"],
  ])("refuses RETRAIN_DATA_CHECKS=%s by name", (value, message) => {
    expect(failure(validEnv({ RETRAIN_DATA_CHECKS: value })).message).toContain(message);
  });

  it("refuses an endpoint's data checks and skipUnchanged that cannot be meant", () => {
    expect(failure(validEnv({ RETRAIN_ENDPOINT_SETTINGS: '{"retrain1":{"data":{"maxPsi":-1}}}' })).message).toContain("retrain1.data.maxPsi: maxPsi must be more than 0");
    expect(failure(validEnv({ RETRAIN_ENDPOINT_SETTINGS: '{"retrain1":{"skipUnchanged":"yes"}}' })).message).toContain("skipUnchanged must be true or false");
    expect(failure(validEnv({ RETRAIN_SKIP_UNCHANGED: "1" })).message).toContain("RETRAIN_SKIP_UNCHANGED must be true or false");
  });
});

describe("data locations: where an endpoint's new data lands", () => {
  const located = (settings: unknown, extra: Env = {}) => validEnv({ RETRAIN_ENDPOINTS: "a,b,c", RETRAIN_ENDPOINT_SETTINGS: JSON.stringify(settings), ...extra });

  it("maps a new blob to the one endpoint whose location holds it; a folder is a folder, not a name prefix", () => {
    const s = loadSettings(located({ a: { dataLocation: "blob:shared/a" }, b: { dataLocation: "blob:shared/b/" }, c: { dataLocation: "blob:only-c" } }));
    expect(endpointForBlob(s, "shared", "a/2026/x.csv")).toBe("a");
    expect(endpointForBlob(s, "shared", "b/x.csv")).toBe("b");
    expect(endpointForBlob(s, "shared", "ab/x.csv")).toBeUndefined();
    expect(endpointForBlob(s, "shared", "a")).toBeUndefined();
    expect(endpointForBlob(s, "only-c", "anything.csv")).toBe("c");
    expect(endpointForBlob(s, "elsewhere", "a/x.csv")).toBeUndefined();
    // their runs read the data there
    expect(sourcePolicyOf(s).containers).toEqual(expect.arrayContaining(["shared", "only-c"]));
  });

  it.each([
    [{ a: { dataLocation: "blob:shared" }, b: { dataLocation: "blob:shared/b" } }, "the data locations of a (blob:shared/) and b (blob:shared/b/) overlap"],
    [{ a: { dataLocation: "blob:xyz/in" }, b: { dataLocation: "blob:xyz/in/" } }, "overlap"],
    [{ a: { dataLocation: "shared/a" } }, 'dataLocation "shared/a" is not "blob:container" or "blob:container/folder"'],
    [{ a: { dataLocation: "blob:xyz/../y" } }, "is not \"blob:container\""],
    [{ a: { dataLocation: "blob:Bad_Name" } }, "is not \"blob:container\""],
    [{ a: { dataLocation: "blob:retrainer-runs/in" } }, 'container "retrainer-runs" is STAGING_CONTAINER'],
    [{ a: { dataLocation: "blob:azure-webjobs-hosts" } }, "holds the Functions host's or the Durable task hub's own state"],
  ])("refuses %j", (settings, message) => {
    expect(failure(located(settings)).message).toContain(message.replaceAll("\\", ""));
  });

  it.each([["0", "greater than 0"], ["3601", "at most 3600"], ["abc", "must be a number"], ["Infinity", "at most 3600"]])("refuses RETRAIN_DATA_DEBOUNCE_SECONDS=%s", (value, message) => {
    expect(failure(validEnv({ RETRAIN_DATA_DEBOUNCE_SECONDS: value })).message).toContain(message);
  });
});


describe("webhooks", () => {
  const SECRET = "0123456789abcdef0123456789abcdef";
  const hooks = (v: unknown) => validEnv({ RETRAIN_WEBHOOKS: JSON.stringify(v), RETRAIN_WEBHOOK_SECRET: SECRET });

  it("global ones first, then the endpoint's own; CloudEvents by default", () => {
    const s = loadSettings(validEnv({
      RETRAIN_WEBHOOKS: JSON.stringify([{ url: "https://ops.example/hook", events: ["failed"] }]), RETRAIN_WEBHOOK_SECRET: SECRET,
      RETRAIN_ENDPOINT_SETTINGS: JSON.stringify({ retrain2: { webhooks: [{ url: "https://customer.example/hook", format: "slack" }] } }),
    }));
    expect(webhooksOf(s, "retrain1")).toEqual([{ url: "https://ops.example/hook", events: ["failed"], format: "cloudevents" }]);
    expect(webhooksOf(s, "retrain2").map((w) => w.url)).toEqual(["https://ops.example/hook", "https://customer.example/hook"]);
  });

  it.each([
    [[{ url: "http://example.com/hook" }], "https:// (http:// on loopback only)"],
    [[{ url: "https://user:pw@example.com/hook" }], "without user:password"],
    [[{ url: "not a url" }], "https://"],
    [[{ url: "https://example.com/h", events: ["promoted", "promoted"] }], "an event is named twice"],
    [[{ url: "https://example.com/h", events: ["deployed"] }], "events are promoted, rejected, data-rejected, skipped, failed, awaiting-approval, rolled-back"],
    [[{ url: "https://example.com/h", events: [] }], "RETRAIN_WEBHOOKS"],
    [[{ url: "https://example.com/h", format: "email" }], "format must be one of cloudevents, teams, teams-workflow, slack"],
    [[{ url: "https://example.com/h", secret: "x" }], "secret"],
    [Array.from({ length: 11 }, (_, i) => ({ url: `https://example.com/${i}` })), "at most 10 webhooks"],
  ])("refuses %j, naming what is wrong", (v, message) => {
    expect(failure(hooks(v)).message).toContain(message);
  });

  it("CloudEvents webhooks need a secret of at least 32 characters; chat webhooks do not", () => {
    expect(failure(validEnv({ RETRAIN_WEBHOOKS: JSON.stringify([{ url: "https://example.com/h" }]) })).message).toContain("RETRAIN_WEBHOOK_SECRET is required: CloudEvents webhooks (of retrain1, retrain2) are signed with it");
    expect(failure(validEnv({ RETRAIN_WEBHOOKS: JSON.stringify([{ url: "https://example.com/h" }]), RETRAIN_WEBHOOK_SECRET: "short" })).message).toContain("at least 32 characters");
    expect(() => loadSettings(validEnv({ RETRAIN_WEBHOOKS: JSON.stringify([{ url: "https://outlook.example/webhook/x", format: "teams" }]) }))).not.toThrow();
  });

  it("a Teams Workflows webhook is a chat webhook: no signing secret needed, its URL (with its sig) redacted", () => {
    const flow = "https://prod-01.westeurope.logic.example/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=SECRETSIG";
    const s = loadSettings(validEnv({ RETRAIN_ENDPOINT_SETTINGS: JSON.stringify({ retrain1: { webhooks: [{ url: flow, format: "teams-workflow", events: ["awaiting-approval"] }] } }) }));
    expect(webhooksOf(s, "retrain1")).toEqual([{ url: flow, format: "teams-workflow", events: ["awaiting-approval"] }]);
    expect(secretsOf(s)).toContain(flow);
  });

  it("the secret and every chat webhook's URL are redacted wherever text leaves the process", () => {
    const chat = "https://hooks.slack.example/services/T0/B0/SECRETPATH";
    const s = loadSettings(validEnv({ RETRAIN_WEBHOOKS: JSON.stringify([{ url: chat, format: "slack" }, { url: "https://ops.example/hook" }]), RETRAIN_WEBHOOK_SECRET: SECRET }));
    expect(secretsOf(s)).toEqual(expect.arrayContaining([SECRET, chat]));
    expect(secretsOf(s)).not.toContain("https://ops.example/hook");
  });
});

describe("customer upload keys", () => {
  const HASH = "a".repeat(64);
  it("an upload key's hash needs the endpoint's data location, and must be a sha256", () => {
    expect(failure(validEnv({ RETRAIN_ENDPOINT_SETTINGS: JSON.stringify({ retrain1: { uploadKeySha256: HASH } }) })).message).toContain("uploadKeySha256 needs a dataLocation");
    expect(failure(validEnv({ RETRAIN_ENDPOINT_SETTINGS: JSON.stringify({ retrain1: { dataLocation: "blob:customer1", uploadKeySha256: "the key itself" } }) })).message).toContain("64 lowercase hex digits");
    expect(() => loadSettings(validEnv({ RETRAIN_ENDPOINT_SETTINGS: JSON.stringify({ retrain1: { dataLocation: "blob:customer1", uploadKeySha256: HASH } }) }))).not.toThrow();
  });
});
