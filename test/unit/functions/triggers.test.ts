import { describe, expect, it } from "vitest";
import type * as df from "durable-functions";
import { parseRetrainRequest, BadRequest } from "../../../functions/triggers/retrain-request";
import { buildRunInput, startIfIdle } from "../../../functions/triggers/start-run";
import { instanceIdFor } from "../../../functions/orchestrators/instance-ids";
import { FakeWorld } from "../../support/fake-world";
import { sourcePolicyOf, loadSettings } from "../../../shared/config/settings";

const settings = loadSettings({
  AML_SERVICES_URL: "http://127.0.0.1:1", AML_WORKSPACE_ID: "ws", AML_TRAINING_SERVICE_ID: "t", AML_TRAINING_API_KEY: "k1-secret-value",
  AML_PREDICTIVE_SERVICE_ID: "p", AML_MANAGEMENT_API_KEY: "k2-secret-value", RETRAIN_ENDPOINTS: "retrain, customer42",
  RETRAIN_SCHEDULE: "0 0 3 * * 0", RETRAIN_DATA_SOURCE: "census.csv", RETRAIN_DATA_ROOT: "/srv/data", RETRAIN_GATE: "AUC>=0.85",
  STAGING_STORAGE_CONNECTION_STRING: "UseDevelopmentStorage=true", RETRAIN_DATA_CONTAINERS: "incoming",
});

const bad = (body: string) => {
  try {
    parseRetrainRequest(body, settings);
  } catch (e) {
    if (e instanceof BadRequest) return { status: e.status, message: e.message };
    throw e;
  }
  throw new Error("accepted");
};

describe("POST /api/retrain body", () => {
  it("accepts an empty body (first configured endpoint) and a full one", () => {
    expect(parseRetrainRequest("", settings)).toEqual({ endpoint: "retrain" });
    expect(parseRetrainRequest('{"endpoint":"CUSTOMER42","dataSource":"blob:incoming/x.csv","gate":"AUC>=0.9","dryRun":true}', settings)).toEqual({
      endpoint: "customer42", dataSource: "blob:incoming/x.csv", gate: "AUC>=0.9", dryRun: true,
    });
  });

  it.each([
    ["malformed JSON", "{endpoint:", 400, /not valid JSON/],
    ["a JSON array", "[1]", 400, /must be a JSON object/],
    ["unknown fields", '{"endpoint":"retrain","priority":"high"}', 400, /unknown field\(s\): priority/],
    ["a wrongly typed field", '{"dryRun":"yes"}', 400, /dryRun must be true or false/],
    ["an endpoint not configured", '{"endpoint":"other"}', 400, /"other" is not one this app retrains; configured: retrain, customer42/],
    ["path traversal in the data source", '{"dataSource":"../../etc/passwd"}', 400, /leaves the data folder/],
    ["a non-https URL", '{"dataSource":"http://example.com/x.csv"}', 400, /https/],
    ["a bad gate", '{"gate":"AUC>>1"}', 400, /Gate rule/],
    ["an unknown metric, listing the known ones", '{"gate":"Gini>=0.5"}', 400, /^Gate rule "Gini>=0\.5" names an unknown metric "Gini"; metrics \(Evaluate Model\): accuracy, precision, recall, f1_score, auc, log_loss, training_log_loss /],
    ["an ambiguous metric", '{"gate":"loss<=0.5"}', 400, /names "loss", which could be log_loss or training_log_loss: name one/],
    ["a blob container that is not a data container", '{"dataSource":"blob:other/x.csv"}', 400, /^Blob data source "blob:other\/x\.csv" is not in a container this app reads training data from: incoming\.$/],
    ["the staging container", '{"dataSource":"blob:retrainer-runs/retrain-x/input.csv"}', 400, /is not in a container this app reads training data from: incoming\.$/],
    ["the Functions host's secrets", '{"dataSource":"blob:azure-webjobs-secrets/host.json"}', 400, /is not in a container this app reads training data from: incoming\.$/],
    ["a huge body", JSON.stringify({ dataSource: "x".repeat(20_000) }), 413, /larger than 16384 bytes/],
  ])("refuses %s with %i and a clear message", (_what, body, status, message) => {
    const r = bad(body);
    expect(r.status).toBe(status);
    expect(r.message).toMatch(message);
  });
});

describe("starting runs", () => {
  const input = buildRunInput(settings, { endpoint: "retrain", trigger: { kind: "schedule" } }, new Date("2026-01-04T03:00:00.123Z"));

  it("builds a deterministic-orchestrator input from settings: run id, gate, polling", () => {
    expect(input.runId).toMatch(/^retrain-20260104T030000Z-[0-9a-f]{6}$/);
    // RETRAIN_GATE says "AUC": the run's input holds the canonical name.
    expect(input.gate).toEqual([{ metric: "auc", op: ">=", threshold: 0.85 }]);
    expect(input.polling).toEqual({ firstIntervalInSeconds: 15, backoffFactor: 1.5, maxIntervalInSeconds: 300, deadlineInMinutes: 240 });
  });

  const settleDeps = new FakeWorld({ now: new Date("2026-01-04T03:00:00Z") }).deps();

  function fakeClient(runtimeStatus?: string) {
    const started: { name: string; instanceId?: string }[] = [];
    const client = {
      getStatus: (id: string) =>
        runtimeStatus ? Promise.resolve({ runtimeStatus }) : Promise.reject(new Error(`DurableClient error: Durable Functions extension replied with HTTP 404 response. ${id}`)),
      startNew: (name: string, o: { instanceId?: string }) => {
        started.push({ name, instanceId: o.instanceId });
        return Promise.resolve(o.instanceId ?? "");
      },
    } as unknown as df.DurableClient;
    return { client, started };
  }

  it.each([[undefined], ["Completed"], ["Failed"], ["Terminated"]])("starts when the endpoint's instance is %s", async (status) => {
    const { client, started } = fakeClient(status);
    expect(await startIfIdle(client, settleDeps, input)).toEqual({ started: true, instanceId: "retrain-retrain", runId: input.runId });
    expect(started).toEqual([{ name: "retrainOrchestrator", instanceId: instanceIdFor("retrain") }]);
  });

  it.each([["Running"], ["Pending"], ["ContinuedAsNew"]])("does not start a second run while the instance is %s", async (status) => {
    const { client, started } = fakeClient(status);
    expect(await startIfIdle(client, settleDeps, input)).toEqual({ started: false, instanceId: "retrain-retrain", runtimeStatus: status });
    expect(started).toEqual([]);
  });

  it("loses a race gracefully: a start refused because another start won reports the winner's run", async () => {
    let winner: string | undefined;
    const client = {
      getStatus: () => (winner ? Promise.resolve({ runtimeStatus: "Running" }) : Promise.reject(new Error("DurableClient error: Durable Functions extension replied with HTTP 404 response."))),
      // the other caller's start lands between our status check and our start
      startNew: () => ((winner = "other"), Promise.reject(new Error("DurableClient error: HTTP 409: Instance retrain-retrain is Running"))),
    } as unknown as df.DurableClient;
    expect(await startIfIdle(client, settleDeps, input)).toEqual({ started: false, instanceId: "retrain-retrain", runtimeStatus: "Running" });
  });

  it("a refused start with no active instance behind it is an error, not a silent skip", async () => {
    const client = {
      getStatus: () => Promise.reject(new Error("DurableClient error: Durable Functions extension replied with HTTP 404 response.")),
      startNew: () => Promise.reject(new Error("HTTP 500 storage unavailable")),
    } as unknown as df.DurableClient;
    await expect(startIfIdle(client, settleDeps, input)).rejects.toThrow("HTTP 500 storage unavailable");
  });

  it("surfaces other errors of the durable client instead of starting blindly", async () => {
    const client = { getStatus: () => Promise.reject(new Error("HTTP 500 from extension")), startNew: () => Promise.resolve("") } as unknown as df.DurableClient;
    await expect(startIfIdle(client, settleDeps, input)).rejects.toThrow("HTTP 500");
  });
});

describe("per-endpoint settings", () => {
  const base = {
    AML_SERVICES_URL: "http://127.0.0.1:1", AML_WORKSPACE_ID: "ws", AML_TRAINING_SERVICE_ID: "t", AML_TRAINING_API_KEY: "k1-secret-value",
    AML_PREDICTIVE_SERVICE_ID: "p", AML_MANAGEMENT_API_KEY: "k2-secret-value", RETRAIN_ENDPOINTS: "retrain, customer42",
    RETRAIN_SCHEDULE: "0 0 3 * * 0", RETRAIN_DATA_SOURCE: "census.csv", RETRAIN_DATA_ROOT: "/srv/data", RETRAIN_GATE: "AUC>=0.85",
    STAGING_STORAGE_CONNECTION_STRING: "UseDevelopmentStorage=true",
  };

  it("give each endpoint its own data source and gate", () => {
    const s = loadSettings({ ...base, RETRAIN_ENDPOINT_SETTINGS: '{"customer42":{"dataSource":"blob:c42/data.csv","gate":"AUC>=0.9; AUC>=champion"}}' });
    const c42 = buildRunInput(s, { endpoint: "customer42", trigger: { kind: "schedule" } });
    expect([c42.dataSource, c42.gate.length]).toEqual(["blob:c42/data.csv", 2]);
    const other = buildRunInput(s, { endpoint: "retrain", trigger: { kind: "schedule" } });
    expect(other.dataSource).toBe("census.csv");
  });

  it("allow blob data sources only from RETRAIN_DATA_CONTAINERS and the configured data sources' containers", () => {
    const s = loadSettings({ ...base, RETRAIN_DATA_SOURCE: "blob:training/census.csv", RETRAIN_DATA_CONTAINERS: "incoming, extra", RETRAIN_ENDPOINT_SETTINGS: '{"customer42":{"dataSource":"blob:c42/data.csv"}}' });
    expect(sourcePolicyOf(s)).toEqual({ containers: ["incoming", "extra", "training", "c42"], allowLoopback: false });
    expect(sourcePolicyOf(loadSettings(base)).containers).toEqual([]);
  });

  it.each([
    ["the staging container", { RETRAIN_DATA_CONTAINERS: "retrainer-runs" }, /container "retrainer-runs" is STAGING_CONTAINER/],
    ["the archive, through a data source", { RETRAIN_DATA_SOURCE: "blob:retrainer-archive/x.csv" }, /container "retrainer-archive" is ARCHIVE_CONTAINER/],
    ["the host's secrets", { RETRAIN_DATA_CONTAINERS: "azure-webjobs-secrets" }, /container "azure-webjobs-secrets" holds the Functions host's or the Durable task hub's own state/],
    ["a task hub's leases", { RETRAIN_DATA_CONTAINERS: "myhub-leases" }, /container "myhub-leases" holds/],
    ["an invalid name", { RETRAIN_DATA_CONTAINERS: "Bad_Name" }, /container "Bad_Name" is not a valid container name/],
  ])("refuse %s as a data container, by name", (_what, extra, message) => {
    expect(() => loadSettings({ ...base, ...extra })).toThrow(message);
  });

  it.each([
    ["malformed JSON", "{customer42:", /must be JSON/],
    ["an unknown endpoint", '{"nobody":{"gate":"AUC>=0.9"}}', /names "nobody", which is not in RETRAIN_ENDPOINTS/],
    ["a malformed rule", '{"customer42":{"gate":"AUC>>0.9"}}', /customer42\.gate: Gate rule "AUC>>0\.9" must look like/],
    ["a non-numeric bound", '{"customer42":{"gate":"AUC>=high"}}', /customer42\.gate: Gate rule "AUC>=high" has a bound "high"/],
    ["a rule every model passes", '{"customer42":{"gate":"AUC>=0"}}', /customer42\.gate: Gate rule "AUC>=0" would always pass/],
    ["an unknown field", '{"customer42":{"threshold":1}}', /Unrecognized key/],
  ])("refuse %s by name", (_what, json, message) => {
    expect(() => loadSettings({ ...base, RETRAIN_ENDPOINT_SETTINGS: json })).toThrow(message);
  });
});
