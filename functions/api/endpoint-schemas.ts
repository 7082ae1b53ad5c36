import { BACKENDS } from "../../shared/backends/backend";
import { RECORD_RESULTS, RUN_STAGES, RUNTIME_STATUSES } from "./vocabulary";
import { fieldsOf, type JsonSchema } from "./types";
import type { EndpointActiveRun, EndpointList, EndpointView } from "../triggers/endpoints";
import type { EndpointSummary, RunBrief } from "../../shared/history/endpoint-summary";

const text: JsonSchema = { type: "string" };
const time: JsonSchema = { type: "string", format: "date-time" };

/** The shapes of `GET /api/endpoints` and `GET /api/endpoints/{name}` (functions/triggers/endpoints.ts: EndpointView). */
export const ENDPOINT_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  EndpointList: {
    type: "object", required: ["endpoints"], additionalProperties: false,
    properties: fieldsOf<EndpointList>({ endpoints: { type: "array", items: { $ref: "#/components/schemas/EndpointView" }, description: "Configured endpoints in the settings' order, then those only the history knows." } }),
  },
  EndpointView: {
    type: "object",
    description: "One endpoint as the console's overview shows it. Everything but name, configured, backend, counted, schedule and active is absent when not known.",
    required: ["name", "configured", "backend", "counted", "schedule", "active"],
    additionalProperties: false,
    properties: fieldsOf<EndpointView>({
      name: text,
      configured: { type: "boolean", description: "False for an endpoint the run history knows but the settings no longer name." },
      backend: { type: "string", enum: BACKENDS },
      counted: { type: "boolean", description: "False while the endpoint's overview row has not been counted yet." },
      serving: {
        type: "object", description: "What serves now as far as the history knows.", required: ["model", "runId"],
        properties: fieldsOf<NonNullable<EndpointSummary["serving"]>>({ model: { $ref: "#/components/schemas/ModelRef" }, since: time, runId: text, approvedBy: text }),
      },
      lastRun: {
        type: "object", description: "The newest recorded run.", required: ["runId", "instanceId", "result", "trigger", "startedAt"],
        properties: fieldsOf<RunBrief>({ runId: text, instanceId: text, result: { type: "string", enum: RECORD_RESULTS }, trigger: { type: "string", enum: ["schedule", "http", "data"] }, reason: text, startedAt: time, endedAt: time }),
      },
      schedule: { type: "string", description: "The schedule (NCRONTAB, UTC): every endpoint runs on it." },
      nextScheduledRun: time,
      daysSinceSuccess: { type: "number", minimum: 0, description: "Days since the last promoted or rejected run, two decimals (the number the alerts use)." },
      rejectedInARow: { type: "integer", minimum: 0 },
      active: {
        type: "array", description: "Runs in progress (the history records a run when it ends).",
        items: {
          type: "object", required: ["runId", "instanceId", "runtimeStatus", "startedAt", "awaitingApproval"], additionalProperties: false,
          properties: fieldsOf<EndpointActiveRun>({
            runId: text, instanceId: text, runtimeStatus: { type: "string", enum: RUNTIME_STATUSES }, stage: { type: "string", enum: RUN_STAGES }, startedAt: time,
            awaitingApproval: { type: "boolean" }, approvalDeadline: { ...time, description: "When a waiting run is rejected unless someone decides." },
          }),
        },
      },
    }),
  },
};
