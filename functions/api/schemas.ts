import { BACKENDS } from "../../shared/backends/backend";
import { RECORD_RESULTS, RUN_RESULTS, RUN_STAGES, RUNTIME_STATUSES, WATCHER_STAGES } from "./vocabulary";
import { fieldsOf, type JsonSchema } from "./types";
import type { RecordedApproval, RunRecord, RunTrigger } from "../../shared/history/run-record";
import type { DeliveryRecord } from "../../shared/history/run-history";
import type { GateDecision } from "../../shared/evaluation/gate";
import { METRIC_NAMES } from "../../shared/evaluation/vocabulary";
import type { RunStatus } from "../orchestrators/run-input";

const text: JsonSchema = { type: "string" };
const time: JsonSchema = { type: "string", format: "date-time" };
const url: JsonSchema = { type: "string", format: "uri" };
const count: JsonSchema = { type: "integer", minimum: 0 };
const metrics: JsonSchema = {
  type: "object",
  description: `Metric name → value, under one vocabulary across backends: ${METRIC_NAMES.join(", ")} (see docs/metrics.md). A key outside it is kept as the backend reported it.`,
  additionalProperties: { type: "number" },
};
const strings: JsonSchema = { type: "array", items: text };

/** What Durable's `createCheckStatusResponse` gives: links into the runtime's own webhooks, some of them templates. */
const template: JsonSchema = { type: "string", description: "A URI template: fill in `{eventName}` or `{text}` (the reason)." };
const managementLinks: Record<string, JsonSchema> = {
  id: text, statusQueryGetUri: url, sendEventPostUri: template, terminatePostUri: template, rewindPostUri: template, purgeHistoryDeleteUri: url,
  restartPostUri: url, suspendPostUri: template, resumePostUri: template,
};
const MANAGEMENT_LINKS =
  "The `...Uri` fields are the Durable Functions runtime's webhooks (`/runtime/webhooks/durabletask/...`, behind the extension's system key, " +
  "which each link carries), not operations of this API, so this description does not describe them; prefer `links`, which name the run.";

/**
 * The shapes the API answers with. Records are open (`additionalProperties` allowed): a field
 * added to a run record is not a breaking change, and old records lack newer fields. Errors and
 * request bodies are closed: a handler that answers with an undescribed error field, or a body
 * field the handler would refuse, is a mismatch the tests report.
 */
export const SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  Error: {
    type: "object",
    description: "Every 4xx and 5xx answer of the API: one sentence naming what is wrong and that nothing was changed, plus the ids it refers to.",
    required: ["error"],
    additionalProperties: false,
    properties: {
      error: text,
      instanceId: { type: "string", description: "The endpoint's run instance that is busy (409 on start or rollback)." },
      runId: { type: "string", description: "The run the refused decision or cancel named." },
      currentRunId: { type: "string", description: "The run the instance holds instead." },
      latestPromotion: { type: "string", description: "400 of a rollback without runId: the latest promotion, to confirm and name." },
    },
  },
  RunLinks: {
    type: "object",
    description: "This API's links for the run; each action carries the run id (`?runId=`), so it lands on this run or is refused.",
    required: ["status"],
    additionalProperties: false,
    properties: { status: url, approve: url, reject: url, cancel: url },
  },
  RunStarted: {
    type: "object",
    description: `202 of a started run or rollback: the run id, this API's links for it, and Durable's management links. ${MANAGEMENT_LINKS}`,
    required: ["id", "statusQueryGetUri", "runId", "links"],
    properties: { ...managementLinks, runId: text, links: { $ref: "#/components/schemas/RunLinks" } },
    additionalProperties: { type: "string" },
  },
  ModelRef: {
    description: "A model: a classic trained-model blob, or an Azure ML (v2) model version.",
    oneOf: [
      { type: "object", required: ["BaseLocation", "RelativeLocation"], properties: { backend: { const: "classic" }, BaseLocation: text, RelativeLocation: text } },
      { type: "object", required: ["backend", "name", "version"], properties: { backend: { const: "azureml" }, name: text, version: text } },
    ],
  },
  GateDecision: {
    type: "object",
    required: ["passed", "reasons"],
    properties: fieldsOf<GateDecision>({ passed: { type: "boolean" }, reasons: { ...strings, description: "One sentence per rule, in rule order." }, comparedWithChampion: { type: "boolean" } }),
  },
  Approval: {
    type: "object",
    description: "Until when a run waits for a person, and once decided who decided what (the approver as App Service authentication identified them, or \"function key\").",
    properties: fieldsOf<RecordedApproval>({
      deadline: time, approved: { type: "boolean" }, by: text, at: time, comment: text,
      ignored: { type: "array", items: { type: "object", required: ["at", "problem"], properties: { at: time, problem: text, runId: text, by: text } } },
    }),
  },
  RunStatus: {
    type: "object",
    description:
      "The instance's Durable status and, for a run, its custom status: stage, job, metrics, decision. Any of the app's instances can be read " +
      "(a new-data watcher shows its own stages); `output` is the orchestration's result once it has ended.",
    required: ["instanceId", "runtimeStatus"],
    properties: {
      instanceId: text,
      runtimeStatus: { type: "string", enum: RUNTIME_STATUSES },
      createdTime: time,
      lastUpdatedTime: time,
      ...fieldsOf<RunStatus>({
        runId: text,
        endpoint: text,
        stage: { type: "string", enum: [...new Set([...RUN_STAGES, ...WATCHER_STAGES])] },
        staged: { type: "object", required: ["bytes", "method"], properties: { bytes: count, method: text, sha256: text } },
        jobId: text,
        jobState: text,
        polls: count,
        metrics,
        championMetrics: metrics,
        decision: { $ref: "#/components/schemas/GateDecision" },
        approval: { $ref: "#/components/schemas/Approval" },
        result: { type: "string", enum: RUN_RESULTS },
        model: { type: "string", description: "The model the endpoint was set to (when promoted or attempted)." },
        verification: strings,
        reason: text,
        shift: {
          type: "object", description: "Azure ML (v2): the traffic move in progress.", required: ["from", "to", "percent", "created"],
          properties: { from: text, to: text, percent: { type: "number", minimum: 0, maximum: 100 }, created: { type: "boolean" } },
        },
      }),
      output: { description: "The orchestration's output once it has ended (absent or null before)." },
      links: { $ref: "#/components/schemas/RunLinks" },
    },
  },
  DecisionAccepted: {
    type: "object",
    description: "The decision was sent; the run takes the first decision for it that it receives.",
    required: ["instanceId", "runId", "decision", "note"],
    additionalProperties: false,
    properties: {
      instanceId: text, runId: text, note: text,
      decision: { type: "object", required: ["approved", "by"], additionalProperties: false, properties: { approved: { type: "boolean" }, by: text, comment: text, runId: text } },
    },
  },
  Cancelled: {
    type: "object",
    description: "The run was terminated; `settled` says what was ended with it (its job, its poller, its record), or false while the engine has not yet terminated it.",
    required: ["instanceId", "runId", "cancelled", "settled"],
    additionalProperties: false,
    properties: { instanceId: text, runId: text, cancelled: { const: true }, settled: { type: ["string", "boolean"] }, note: text },
  },
  RunRecord: {
    type: "object",
    description: "The audit record of one run: what ran, on which data, what the gate decided and why, which model served before and after.",
    required: ["runId", "endpoint", "instanceId", "trigger", "dataSource", "gateRules", "result", "durationsInSeconds", "startedAt"],
    properties: fieldsOf<RunRecord>({
      runId: text, endpoint: text, backend: { type: "string", enum: BACKENDS }, instanceId: text,
      trigger: {
        type: "object", required: ["kind"],
        properties: fieldsOf<RunTrigger>({ kind: { type: "string", enum: ["schedule", "http", "data"] }, caller: text, arrivals: count, watcher: text, seq: count }),
      },
      dataSource: { type: "string", description: "A description of the source, never a SAS URL." },
      dataBytes: count, dataSha256: text,
      profile: { type: "object", description: "The data's profile (columns, rows, bins); left out of listings." },
      profileReference: text, jobId: text, metrics, championMetrics: metrics, gateRules: text,
      decision: { $ref: "#/components/schemas/GateDecision" },
      result: { type: "string", enum: RECORD_RESULTS },
      reason: text,
      modelBefore: { $ref: "#/components/schemas/ModelRef" },
      modelAfter: { $ref: "#/components/schemas/ModelRef" },
      archivedModel: { $ref: "#/components/schemas/ModelRef" },
      approval: { $ref: "#/components/schemas/Approval" },
      rollout: { type: "object", description: "A v2 promotion: the version, the deployments, each traffic step and its check, the deployment kept for rollback." },
      durationsInSeconds: { type: "object", additionalProperties: { type: "number", minimum: 0 } },
      startedAt: time,
      endedAt: time,
    }),
  },
  Delivery: {
    type: "object",
    description: "One attempt to tell a webhook about the run.",
    required: ["runId", "event", "webhook", "target", "format", "attempt", "at", "ok", "durationInMs"],
    properties: fieldsOf<DeliveryRecord>({
      runId: text, event: text, webhook: count, target: { type: "string", description: "The webhook's origin and the start of its path only." }, format: text,
      attempt: count, at: time, ok: { type: "boolean" }, status: { type: "integer" }, error: text, durationInMs: { type: "number", minimum: 0 }, gaveUp: { type: "boolean" },
    }),
  },
  RunPage: {
    type: "object",
    description: "Runs, newest first, without their data profiles.",
    required: ["runs"],
    additionalProperties: false,
    properties: {
      runs: { type: "array", items: { $ref: "#/components/schemas/RunRecord" } },
      continuationToken: { type: "string", description: "Present only when more runs follow: pass it back for the next page (same `endpoint` filter)." },
    },
  },
  UploadGrant: {
    type: "object",
    required: ["endpoint", "container", "blob", "url", "expiresOn", "permissions", "headers"],
    additionalProperties: false,
    properties: {
      endpoint: text, container: text, blob: text,
      url: { type: "string", format: "uri", description: "The blob's URL with a SAS for this one blob: create and write only." },
      expiresOn: time,
      permissions: { type: "array", items: { enum: ["create", "write"] } },
      headers: { type: "object", description: "What Put Blob needs besides the body.", additionalProperties: { type: "string" } },
    },
  },
  LiveState: {
    type: "object",
    description: "What a console page in progress polls: changes `version` when something moved.",
    required: ["version", "active"],
    additionalProperties: false,
    properties: { version: text, active: { type: "boolean" }, result: text, stage: { type: ["string", "null"] } },
  },
};
