import { MAX_RETRAIN_BODY_BYTES } from "../triggers/retrain-request";
import { fieldsOf, type JsonSchema } from "./types";
import type { DecisionRequest, RetrainRequest } from "../triggers/retrain-request";

/**
 * The JSON bodies the API reads, as its zod schemas check them (functions/triggers/*.ts): written
 * out here because those are zod 3 schemas, which zod's own `toJSONSchema` (zod/v4) does not
 * take; test/unit/api/request-schemas.test.ts runs the same bodies through both and expects the
 * same verdict. Every body is optional (empty is `{}`), at most MAX_RETRAIN_BODY_BYTES, and
 * closed: an unknown field is a 400 naming it.
 */
const bounded = (min: number, max: number, description: string): JsonSchema => ({ type: "string", minLength: min, maxLength: max, description });

export const REQUEST_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  RetrainRequest: {
    type: "object",
    description: `Every field optional; an empty body runs the first configured endpoint with its settings. At most ${MAX_RETRAIN_BODY_BYTES} bytes.`,
    additionalProperties: false,
    properties: fieldsOf<RetrainRequest>({
      endpoint: bounded(1, 64, "A configured endpoint (case-insensitive); 400 names the configured ones otherwise."),
      dataSource: bounded(1, 2048, "Where the training data is: a file in the data folder, `blob:container/path`, or an https URL the app may read."),
      gate: bounded(1, 1024, 'Gate rules instead of the endpoint\'s, e.g. "AUC>=0.85; AUC>=champion-0.005"; checked against the backend\'s metrics.'),
      dryRun: { type: "boolean", description: "Evaluate and report; promote nothing." },
      requireApproval: { type: "boolean", description: "A passing model waits for a person's decision before it is promoted." },
      force: { type: "boolean", description: "Train even when the data is the same as the last trained run's." },
    }),
  },
  DecisionRequest: {
    type: "object",
    description: `The run the decision is for (here or as \`?runId=\`; the same if both), and why. At most ${MAX_RETRAIN_BODY_BYTES} bytes. \`by\` is refused: the approver is recorded from App Service authentication.`,
    additionalProperties: false,
    properties: fieldsOf<DecisionRequest>({
      runId: bounded(1, 128, "The run reviewed, as GET /api/retrain/{instanceId} shows it."),
      comment: { type: "string", maxLength: 1024, description: "Recorded with the decision; well-formed Unicode (no lone surrogate)." },
    }),
  },
  RollbackRequest: {
    type: "object",
    description: `The promotion to undo (required: without it, 400 names the latest promotion). At most ${MAX_RETRAIN_BODY_BYTES} bytes.`,
    additionalProperties: false,
    properties: { runId: bounded(1, 128, "A promoted run of this endpoint (GET /api/runs?endpoint= lists them).") },
  },
  UploadRequest: {
    type: "object",
    description: `At most ${MAX_RETRAIN_BODY_BYTES} bytes.`,
    required: ["name"],
    additionalProperties: false,
    properties: {
      name: {
        type: "string",
        description:
          "The file's name in the endpoint's data location (taken in NFC), at most 200 characters; no empty, `.` or `..` segments, no segment of " +
          "whitespace only or ending in a dot or space, no backslash, control or bidi/format characters: 400 names `name` otherwise, nothing issued.",
      },
    },
  },
};
