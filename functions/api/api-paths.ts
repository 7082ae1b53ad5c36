import { MAX_RETRAIN_BODY_BYTES } from "../triggers/retrain-request";
import { UPLOAD_KEY_HEADER, UPLOAD_SAS_LIFETIME_MINUTES } from "../../shared/storage/upload-grant";
import { DECISIONS } from "./vocabulary";
import { FAILED, JSON_TYPE, KEYED, KEYED_NAMED, NO_KEY, TOO_LARGE, error, json } from "./responses";
import type { Parameter, PathItem } from "./types";

const schema = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const body = (name: string, required = false) => ({ required, content: { [JSON_TYPE]: { schema: schema(name) } } });
const path = (name: string, description: string, extra: Parameter["schema"] = {}): Parameter => ({ name, in: "path", required: true, description, schema: { type: "string", ...extra } });

const instanceId = path("instanceId", "The run's Durable instance: `retrain-{endpoint}` for an endpoint's runs.", { minLength: 1, maxLength: 200, pattern: "^[A-Za-z0-9][A-Za-z0-9:_.-]*$" });
const endpointName = path("name", "A configured endpoint (case-insensitive).");

const started = json("The run started. `Location` is the Durable status link; ask again after `Retry-After` seconds.", schema("RunStarted"), {
  Location: { description: "The runtime's status link (statusQueryGetUri).", schema: { type: "string", format: "uri" } },
  "Retry-After": { description: "Seconds before the status is worth asking for.", schema: { type: "integer" } },
});
const tooLarge = TOO_LARGE(MAX_RETRAIN_BODY_BYTES);

/** The JSON API: what scripts, the CLI and the console's actions call. */
export const API_PATHS: Record<string, PathItem> = {
  "/retrain": {
    post: {
      operationId: "startRun", tags: ["runs"], summary: "Start a run for an endpoint",
      description: "One run per endpoint at a time: a run already going (any trigger, or a rollback) is a 409 naming its instance. The body is checked before anything starts: the endpoint is configured, a data source exists inside the data folder (or its URL is allowed), the gate parses against the backend's metrics.",
      security: KEYED_NAMED,
      requestBody: body("RetrainRequest"),
      responses: {
        "202": started,
        "400": error("The body is not JSON, not an object, has an unknown or ill-typed field, or names an endpoint, data source or gate the app refuses."),
        "401": NO_KEY,
        "409": error("A run for the endpoint is already going; `instanceId` names it."),
        "413": tooLarge,
        "500": FAILED,
      },
    },
  },
  "/retrain/{instanceId}": {
    get: {
      operationId: "getRunStatus", tags: ["runs"], summary: "A run's stage, job, metrics and decision, while it runs and after",
      security: KEYED,
      parameters: [instanceId],
      responses: {
        "200": json("The instance's status and, for a run, its custom status and links.", schema("RunStatus")),
        "400": error("The instance id cannot be one of this app's (length, characters)."),
        "401": NO_KEY,
        "404": error("No instance with that id."),
        "500": FAILED,
      },
    },
  },
  "/retrain/{instanceId}/{decision}": {
    post: {
      operationId: "decideRun", tags: ["runs"], summary: "Approve, reject or cancel the run the caller names",
      description: "The run id is required (body or `?runId=`): a decision applies only to the run that was reviewed, else 409 naming both runs. `approve`/`reject` need the run to be awaiting approval; `cancel` ends the run and what it left running (its poller, its job) and records it.",
      security: KEYED_NAMED,
      parameters: [
        instanceId,
        path("decision", "What to do.", { enum: DECISIONS }),
        { name: "runId", in: "query", description: "The run meant (as the API's own links carry it); the same as the body's if both are given.", schema: { type: "string", minLength: 1, maxLength: 128 } },
      ],
      requestBody: body("DecisionRequest"),
      responses: {
        "202": json("Approve/reject: the decision was sent. Cancel: the run was terminated (and settled).", { oneOf: [schema("DecisionAccepted"), schema("Cancelled")] }),
        "400": error("A bad instance id or body, no run id, or two different run ids."),
        "401": NO_KEY,
        "403": error("RETRAIN_APPROVER_MUST_DIFFER is set and the caller started this run."),
        "404": error("An unknown decision, or no instance with that id."),
        "409": error("The run named is not the one on the instance (`currentRunId`), is not awaiting approval, is no retraining run, or has already ended; nothing was changed."),
        "413": tooLarge,
        "500": FAILED,
      },
    },
  },
  "/endpoints": {
    get: {
      operationId: "listEndpoints", tags: ["endpoints"], summary: "Every endpoint as the console's overview shows it",
      security: KEYED,
      responses: { "200": json("Serving model, last run, next scheduled run, health numbers and runs in progress, per endpoint.", schema("EndpointList")), "401": NO_KEY, "500": FAILED },
    },
  },
  "/endpoints/{name}": {
    get: {
      operationId: "getEndpoint", tags: ["endpoints"], summary: "One endpoint as the console's overview shows it",
      security: KEYED,
      parameters: [path("name", "A configured endpoint, or one the run history knows (case-insensitive).")],
      responses: {
        "200": json("The endpoint.", schema("EndpointView")),
        "401": NO_KEY,
        "404": error("Neither the settings nor the run history know the endpoint; the answer names the configured ones."),
        "500": FAILED,
      },
    },
  },
  "/endpoints/{name}/rollback": {
    post: {
      operationId: "rollBack", tags: ["endpoints"], summary: "Restore the model a promotion replaced",
      description: "Classic: the archived model through the same update-and-verify path as a promotion. Azure ML (v2): traffic back to the deployment the run kept, or that model version redeployed. It runs as the endpoint's run, so one at a time.",
      security: KEYED_NAMED,
      parameters: [endpointName],
      requestBody: body("RollbackRequest"),
      responses: {
        "202": started,
        "400": error("No `runId` (the answer names the latest promotion in `latestPromotion`), a bad body, or a run of another endpoint."),
        "401": NO_KEY,
        "404": error("The endpoint is not configured, or the run is not in the history."),
        "409": error("The run left nothing to roll back to, or a run of the endpoint is going (`instanceId`)."),
        "413": tooLarge,
        "500": FAILED,
      },
    },
  },
  "/endpoints/{name}/uploads": {
    post: {
      operationId: "issueUploadSas", tags: ["endpoints"], summary: "A write-only SAS for one blob in the endpoint's data location",
      description: `For a customer retraining their own endpoint: the endpoint's upload key (its sha256 is in the settings) in \`${UPLOAD_KEY_HEADER}\` opens that endpoint only. The SAS names one blob, may create and write it only, and lasts ${UPLOAD_SAS_LIFETIME_MINUTES} minutes; the upload starts the endpoint's run like any new data. Give customers a function key of this function alone.`,
      security: [{ functionKey: [], uploadKey: [] }, { functionKeyQuery: [], uploadKey: [] }],
      parameters: [endpointName],
      requestBody: body("UploadRequest", true),
      responses: {
        "200": json("The SAS URL and what Put Blob needs.", schema("UploadGrant")),
        "400": error("A bad body or a name that cannot be a blob of the location (the answer names `name`); nothing was issued."),
        "401": error(`No function key (the host), or no \`${UPLOAD_KEY_HEADER}\` (the function, before the body is read).`),
        "403": error("The upload key does not open this endpoint: the same answer for a wrong key, another customer's endpoint and one that does not exist."),
        "413": tooLarge,
        "500": FAILED,
      },
    },
  },
  "/runs": {
    get: {
      operationId: "listRuns", tags: ["runs"], summary: "The run history, newest first",
      security: KEYED,
      parameters: [
        { name: "endpoint", in: "query", description: "Only this endpoint's runs (case-insensitive).", schema: { type: "string" } },
        { name: "limit", in: "query", description: "Runs per page, 1 to 500 (default 50); digits only.", schema: { type: "integer", minimum: 1, maximum: 500 } },
        { name: "continuationToken", in: "query", description: "From the previous page, with the same `endpoint`.", schema: { type: "string" } },
      ],
      responses: {
        "200": json("A page of run records (without data profiles).", schema("RunPage")),
        "400": error("A bad limit, endpoint filter or continuation token."),
        "401": NO_KEY,
        "500": FAILED,
      },
    },
  },
  "/runs/{runId}": {
    get: {
      operationId: "getRun", tags: ["runs"], summary: "One run's full record and its webhook deliveries",
      security: KEYED,
      parameters: [path("runId", "The run id (`{endpoint}-{UTC time}-{random}`).")],
      responses: {
        "200": json("The record, with `deliveries` when webhooks were told about the run.", {
          allOf: [schema("RunRecord"), { type: "object", properties: { deliveries: { type: "array", items: schema("Delivery") } } }],
        }),
        "400": error("The run id cannot be a key of the history."),
        "401": NO_KEY,
        "404": error("No run with that id in the history."),
        "500": FAILED,
      },
    },
  },
};
