import { describe, expect, it } from "vitest";
import { Ajv2020 } from "ajv/dist/2020";
import { REQUEST_SCHEMAS } from "../../../functions/api/requests";
import { BadRequest, parseDecisionRequest, parseRetrainRequest } from "../../../functions/triggers/retrain-request";
import { loadSettings } from "../../../shared/config/settings";

/**
 * The request bodies are described by hand (the handlers' zod 3 schemas have no converter in
 * zod 3.25's toJSONSchema): the same bodies go through the handler's own parser and through the
 * description, and both must accept or both refuse. Values are chosen so that only the body's
 * shape decides (a configured endpoint, a gate that parses).
 */
const LONG_ENDPOINT = "e".repeat(64);
const settings = loadSettings({
  AML_SERVICES_URL: "http://127.0.0.1:1", AML_WORKSPACE_ID: "ws", AML_TRAINING_SERVICE_ID: "t", AML_TRAINING_API_KEY: "k1-secret-value",
  AML_PREDICTIVE_SERVICE_ID: "p", AML_MANAGEMENT_API_KEY: "k2-secret-value", RETRAIN_ENDPOINTS: `retrain, ${LONG_ENDPOINT}`,
  RETRAIN_SCHEDULE: "0 0 3 * * 0", RETRAIN_DATA_SOURCE: "census.csv", RETRAIN_DATA_ROOT: "/srv/data", RETRAIN_GATE: "AUC>=0.85",
  STAGING_STORAGE_CONNECTION_STRING: "UseDevelopmentStorage=true", RETRAIN_DATA_CONTAINERS: "incoming",
});

const ajv = new Ajv2020({ strict: true });
const describedAccepts = (name: string, body: unknown) => ajv.validate(REQUEST_SCHEMAS[name]!, body);
const productAccepts = (parse: (text: string) => unknown, body: unknown) => {
  try {
    parse(JSON.stringify(body));
    return true;
  } catch (e) {
    if (e instanceof BadRequest) return false;
    throw e;
  }
};

const RETRAIN_BODIES: unknown[] = [
  {}, { endpoint: "retrain" }, { endpoint: LONG_ENDPOINT }, { endpoint: `${LONG_ENDPOINT}e` }, { endpoint: "" }, { endpoint: 7 },
  { gate: "AUC>=0.9" }, { gate: `AUC>=0.9${" ".repeat(1016)}` }, { gate: `AUC>=0.9${" ".repeat(1017)}` }, { gate: "" }, { gate: ["AUC>=0.9"] },
  { dataSource: "" }, { dataSource: 1 }, { dryRun: true }, { dryRun: "true" }, { requireApproval: false }, { requireApproval: 1 }, { force: true }, { force: null },
  { endpoint: "retrain", dryRun: false, requireApproval: true, force: false, gate: "AUC>=0.8" }, { unknown: 1 }, { Endpoint: "retrain" }, [], "retrain", 3, null,
];
const DECISION_BODIES: unknown[] = [
  { runId: "r1" }, { runId: "r".repeat(128) }, { runId: "r".repeat(129) }, { runId: "" }, { runId: 1 }, { runId: "r1", comment: "ok" },
  { runId: "r1", comment: "c".repeat(1024) }, { runId: "r1", comment: "c".repeat(1025) }, { runId: "r1", comment: 5 }, { runId: "r1", by: "me" }, { runId: "r1", other: true }, [], null, "r1",
];

describe("request bodies: the description and the handler's parser agree", () => {
  it.each(RETRAIN_BODIES.map((b) => [JSON.stringify(b).slice(0, 60), b]))("POST /retrain %s", (_, body) => {
    expect(describedAccepts("RetrainRequest", body)).toBe(productAccepts((t) => parseRetrainRequest(t, settings), body));
  });

  // Every body names its run: the run id may come as ?runId= instead, so the body's schema cannot require it.
  it.each(DECISION_BODIES.map((b) => [JSON.stringify(b).slice(0, 60), b]))("POST /retrain/{instanceId}/approve %s", (_, body) => {
    expect(describedAccepts("DecisionRequest", body)).toBe(productAccepts((t) => parseDecisionRequest(t, null, "approve", "retrain-retrain"), body));
  });
});
