import { z } from "zod";
import { parseGateRules } from "../evaluation/gate";
import { catalogueFor } from "../evaluation/catalogues";
import { BACKEND_NAMES, BACKENDS, DEFAULT_BACKEND, type Backend } from "../backends/backend";
import { badWorkspaceId, parseCodeVersionId } from "../backends/azureml/workspace";
import { DEFAULT_TRAINING_COMMAND, trainingCommandProblem } from "../backends/azureml/training-job";
import { isSystemContainer, parseDataSource, type SourcePolicy } from "../storage/data-source";
import { describeDataLocation, holds, overlap, parseDataLocation, type DataLocation } from "../storage/data-location";
import { DEFAULT_DATA_EXPECTATIONS, type DataExpectations } from "../data/checks";
import { TRAINING_COLUMNS } from "../data/training-columns";
import { NOTIFICATION_EVENTS, WEBHOOK_FORMATS, type WebhookTarget } from "../notify/events";
import { DATA_CHECK_DOCS, described, ENDPOINT_FIELD_DOCS, SETTING_DOCS, WEBHOOK_FIELD_DOCS } from "./setting-docs";

const positiveNumber = (name: string, fallback: number) =>
  z.coerce.number({ invalid_type_error: `${name} must be a number` }).positive(`${name} must be greater than 0`).default(fallback);

/** Backends a run can use in this version; the others are named but refused until they work end to end. */
export const AVAILABLE_BACKENDS: readonly Backend[] = ["classic", "azureml"];

const finite = (what: string) => z.number({ invalid_type_error: `${what} must be a number` }).finite(`${what} must be a finite number`);
const share = (what: string) => finite(what).min(0, `${what} must be 0 to 1`).max(1, `${what} must be 0 to 1`);

/**
 * A column named in the data checks. Keys that would reach an object's prototype are refused here
 * too, not only when a setting's JSON is read: a run's input (which carries the checks) can also
 * come from the Durable API, and zod would drop a "__proto__" key in silence.
 */
const columnName = z.string().refine((k) => !["__proto__", "constructor", "prototype"].includes(k), (k) => ({ message: `the column name "${k}" is not allowed` }));

/** The data checks a run's staged data must pass (shared/data/checks.ts), any subset; unknown fields are refused. */
export const dataChecksSchema = z.object(described(DATA_CHECK_DOCS, {
  label: z.string().min(1).max(200).optional(),
  columns: z.record(columnName, z.enum(["number", "string"], { errorMap: () => ({ message: 'a column\'s type must be "number" or "string"' }) })).optional(),
  minRows: finite("minRows").int("minRows must be a whole number").min(1, "minRows must be at least 1").optional(),
  maxRows: finite("maxRows").int("maxRows must be a whole number").min(1, "maxRows must be at least 1").optional(),
  minRowsShareOfReference: share("minRowsShareOfReference").optional(),
  minMinorityShare: finite("minMinorityShare").gt(0, "minMinorityShare must be more than 0").max(0.5, "minMinorityShare must be at most 0.5: the minority is never more").optional(),
  maxMissingShare: share("maxMissingShare").optional(),
  maxPsi: finite("maxPsi").positive("maxPsi must be more than 0").optional(),
  psi: z.record(columnName, finite("a column's PSI limit").positive("a column's PSI limit must be more than 0")).optional(),
})).strict();
export type DataChecksSetting = z.infer<typeof dataChecksSchema>;

/** Every field a run's checks need, present: what an orchestration input must carry. */
const fullDataChecksSchema = dataChecksSchema.required({ minRows: true, minRowsShareOfReference: true, minMinorityShare: true, maxMissingShare: true, maxPsi: true })
  .refine((x) => x.maxRows === undefined || x.maxRows >= x.minRows, "maxRows must not be below minRows");

/** Each of zod's issues as "path: message", joined: the one wording of a bad setting's problems. */
const describeIssues = (e: z.ZodError): string => e.issues.map((i) => `${i.path.join(".") || "value"}: ${i.message}`).join("; ");

/**
 * The data checks as an orchestration input carries them, checked again where they are used: an
 * input can also come from the Durable API, not only from settings. The problems, named, or the checks.
 */
export function readDataExpectations(value: unknown): { ok: true; value: DataExpectations } | { ok: false; problem: string } {
  const r = fullDataChecksSchema.safeParse(value);
  return r.success ? { ok: true, value: r.data } : { ok: false, problem: describeIssues(r.error) };
}

/** JSON settings: a key that would reach an object's prototype is refused before anything reads it. */
function parseJsonSetting(text: string): unknown {
  return JSON.parse(text, (key, value: unknown) => {
    if (key === "__proto__" || key === "constructor" || key === "prototype") throw new SyntaxError(`the key "${key}" is not allowed`);
    return value;
  });
}

/** A setting holding JSON, parsed and checked against `schema`; each problem named with its path. */
function jsonSetting<T extends z.ZodTypeAny>(name: string, schema: T, example: string, fallback = "{}") {
  return z.string().default(fallback).transform((text, ctx): z.infer<T> => {
    let parsed: unknown;
    try {
      parsed = parseJsonSetting(text);
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${name} must be JSON like ${example}` });
      return z.NEVER;
    }
    const r = schema.safeParse(parsed);
    if (!r.success) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${name}: ${describeIssues(r.error)}` });
      return z.NEVER;
    }
    return r.data as z.infer<T>;
  });
}

/** Webhooks that hear about runs: https (http on loopback, local only), at most 10, each event named at most once. */
export const webhooksSchema = z.array(z.object(described(WEBHOOK_FIELD_DOCS, {
  url: z.string().max(2000).superRefine((v, ctx) => {
    let u: URL | undefined;
    try {
      u = new URL(v);
    } catch {
      u = undefined;
    }
    const loopback = u !== undefined && ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname);
    if (!u || !(u.protocol === "https:" || (u.protocol === "http:" && loopback)) || u.username || u.password) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "a webhook url must be https:// (http:// on loopback only), without user:password" });
    }
  }),
  events: z.array(z.enum(NOTIFICATION_EVENTS, { errorMap: () => ({ message: `events are ${NOTIFICATION_EVENTS.join(", ")}` }) })).min(1).refine((e) => new Set(e).size === e.length, "an event is named twice").optional(),
  format: z.enum(WEBHOOK_FORMATS, { errorMap: () => ({ message: `format must be one of ${WEBHOOK_FORMATS.join(", ")}` }) }).default("cloudevents"),
})).strict()).max(10, "at most 10 webhooks");

/** Per-endpoint backend, data source, gate and data checks, for one model per customer; unknown fields are refused. */
export const endpointSettingsSchema = z.record(
  z.object(described(ENDPOINT_FIELD_DOCS, {
    backend: z.enum(BACKENDS, { errorMap: () => ({ message: `backend must be one of ${BACKENDS.join(", ")}` }) })
      .refine((b) => AVAILABLE_BACKENDS.includes(b), (b) => ({ message: `backend "${b}" (${BACKEND_NAMES[b]}) is not available in this version; use ${AVAILABLE_BACKENDS.join(" or ")}` }))
      .optional(),
    dataSource: z.string().min(1).optional(),
    gate: z.string().min(1).optional(),
    data: dataChecksSchema.optional(),
    skipUnchanged: z.boolean({ invalid_type_error: "skipUnchanged must be true or false" }).optional(),
    webhooks: webhooksSchema.optional(),
    // The sha256 (hex) of the key a customer uploads to this endpoint's dataLocation with (functions/triggers/uploads.ts).
    uploadKeySha256: z.string().regex(/^[0-9a-f]{64}$/, "uploadKeySha256 must be the sha256 of the upload key, 64 lowercase hex digits").optional(),
    // New blobs here start a run of this endpoint (functions/triggers/new-data.ts).
    dataLocation: z.string().optional().superRefine((v, ctx) => {
      const l = v === undefined ? undefined : parseDataLocation(v);
      if (l && "problem" in l) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `dataLocation ${l.problem}` });
    }),
  })).strict().superRefine((e, ctx) => {
    // Gate rules name the metrics of the endpoint's own backend.
    const problem = gateProblem(e.gate, e.backend ?? DEFAULT_BACKEND);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["gate"], message: problem });
    if (e.uploadKeySha256 && !e.dataLocation) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["uploadKeySha256"], message: "uploadKeySha256 needs a dataLocation: it opens uploads there and nowhere else" });
  }),
);

/** Why `gate` cannot gate a model of `backend`, or undefined when it can (or is absent). */
function gateProblem(gate: string | undefined, backend: Backend): string | undefined {
  if (gate === undefined) return undefined;
  try {
    parseGateRules(gate, catalogueFor(backend));
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

const list = z.string().transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean));

/**
 * Every app setting the product reads, validated once at the edge. Local values live in
 * local.settings.json (see local.settings.sample.json); in Azure they are app settings, with the
 * API keys as Key Vault references.
 */
export const settingsSchema = z
  .object(described(SETTING_DOCS, {
    AML_SERVICES_URL: z.string().url("AML_SERVICES_URL must be a URL such as https://ussouthcentral.services.azureml.net"),
    AML_MANAGEMENT_URL: z.string().url("AML_MANAGEMENT_URL must be a URL such as https://management.azureml.net").default("https://management.azureml.net"),
    AML_WORKSPACE_ID: z.string().min(1, "AML_WORKSPACE_ID is required"),
    AML_TRAINING_SERVICE_ID: z.string().min(1, "AML_TRAINING_SERVICE_ID is required"),
    AML_TRAINING_API_KEY: z.string().min(1, "AML_TRAINING_API_KEY is required"),
    AML_PREDICTIVE_SERVICE_ID: z.string().min(1, "AML_PREDICTIVE_SERVICE_ID is required"),
    AML_MANAGEMENT_API_KEY: z.string().min(1, "AML_MANAGEMENT_API_KEY is required"),
    AML_TRAINED_MODEL_RESOURCE: z.string().min(1).default("Census Model [trained model]"),
    RETRAIN_ENDPOINTS: list.refine((l) => l.length > 0, "RETRAIN_ENDPOINTS must name at least one endpoint")
      .refine((l) => !l.some((n) => n.toLowerCase() === "default"), "RETRAIN_ENDPOINTS cannot include the default endpoint: it has no updatable resources")
      // retrain-{endpoint} is each endpoint's instance id, and retrain-schedule is the tick's.
      .refine((l) => !l.some((n) => n.toLowerCase() === "schedule"), "RETRAIN_ENDPOINTS cannot include an endpoint named \"schedule\": its instance id would be the scheduled tick's (retrain-schedule)"),
    RETRAIN_SCHEDULE: z.string().refine((s) => s.trim().split(/\s+/).length === 6, "RETRAIN_SCHEDULE must be an NCRONTAB expression with six fields (seconds first), e.g. \"0 0 3 * * 0\""),
    RETRAIN_DATA_SOURCE: z.string().min(1, "RETRAIN_DATA_SOURCE is required: a file under RETRAIN_DATA_ROOT, an https:// URL, or blob:container/path"),
    RETRAIN_DATA_ROOT: z.string().optional(),
    RETRAIN_DATA_CONTAINERS: list.default(""),
    // Local only: the Functions host itself (Durable's management API included) listens on loopback.
    RETRAIN_ALLOW_LOOPBACK_SOURCES: z.enum(["true", "false"], { errorMap: () => ({ message: "RETRAIN_ALLOW_LOOPBACK_SOURCES must be true or false" }) }).default("false").transform((v) => v === "true"),
    RETRAIN_DATA_MAX_MEGABYTES: z.coerce.number({ invalid_type_error: "RETRAIN_DATA_MAX_MEGABYTES must be a number" }).int("RETRAIN_DATA_MAX_MEGABYTES must be a whole number").min(1, "RETRAIN_DATA_MAX_MEGABYTES must be at least 1").max(200 * 1024, "RETRAIN_DATA_MAX_MEGABYTES must be at most 204800 (200 GiB)").default(10 * 1024),
    RETRAIN_ENDPOINT_SETTINGS: jsonSetting("RETRAIN_ENDPOINT_SETTINGS", endpointSettingsSchema, '{"customer1":{"dataSource":"blob:c/x.csv","gate":"AUC>=0.9"}}'),
    RETRAIN_DATA_CHECKS: jsonSetting("RETRAIN_DATA_CHECKS", dataChecksSchema, '{"minRows":1000,"maxPsi":0.2}'),
    RETRAIN_SKIP_UNCHANGED: z.enum(["true", "false"], { errorMap: () => ({ message: "RETRAIN_SKIP_UNCHANGED must be true or false" }) }).default("true").transform((v) => v === "true"),
    // Blobs landing in a data location less than this apart make one run (at most 10 windows' wait).
    RETRAIN_DATA_DEBOUNCE_SECONDS: positiveNumber("RETRAIN_DATA_DEBOUNCE_SECONDS", 60).refine((n) => n <= 3600, "RETRAIN_DATA_DEBOUNCE_SECONDS must be at most 3600 (an hour)"),
    RETRAIN_WEBHOOKS: jsonSetting("RETRAIN_WEBHOOKS", webhooksSchema, '[{"url":"https://example.com/hook","events":["promoted","failed"]}]', "[]"),
    // Signs every CloudEvents webhook's body (HMAC-SHA256); a Key Vault reference in Azure.
    RETRAIN_WEBHOOK_SECRET: z.string().min(32, "RETRAIN_WEBHOOK_SECRET must be at least 32 characters").optional(),
    // The operator console (functions/console): signs its sessions, its forms' anti-forgery tokens
    // and the one-time links chat messages carry (HMAC-SHA256); a Key Vault reference in Azure.
    RETRAIN_CONSOLE_SECRET: z.string().min(32, "RETRAIN_CONSOLE_SECRET must be at least 32 characters").optional(),
    // What a person types on the console's sign-in page where App Service Authentication is off
    // (locally: the function key). Unset: only signed-in principals (Entra ID app roles) get in.
    RETRAIN_CONSOLE_KEY: z.string().min(16, "RETRAIN_CONSOLE_KEY must be at least 16 characters").optional(),
    // A run waiting for approval may not be decided by the person who started it.
    RETRAIN_APPROVER_MUST_DIFFER: z.enum(["true", "false"], { errorMap: () => ({ message: "RETRAIN_APPROVER_MUST_DIFFER must be true or false" }) }).default("false").transform((v) => v === "true"),
    RETRAIN_WEBHOOK_FIRST_RETRY_SECONDS: positiveNumber("RETRAIN_WEBHOOK_FIRST_RETRY_SECONDS", 10).refine((n) => n <= 3600, "RETRAIN_WEBHOOK_FIRST_RETRY_SECONDS must be at most 3600"),
    RETRAIN_MAX_PARALLEL: z.coerce.number().int("RETRAIN_MAX_PARALLEL must be a whole number").min(1, "RETRAIN_MAX_PARALLEL must be at least 1").default(4),
    RETRAIN_GATE: z.string(),
    STAGING_STORAGE_CONNECTION_STRING: z.string().optional(),
    STAGING_STORAGE_ACCOUNT_URL: z.string().url("STAGING_STORAGE_ACCOUNT_URL must be the account's blob endpoint URL").optional(),
    // Local only: where customers' upload URLs point when it is not the staging account's own blob endpoint (npm run serve: the blob-events front).
    RETRAIN_UPLOAD_BLOB_ENDPOINT: z.string().url("RETRAIN_UPLOAD_BLOB_ENDPOINT must be a blob endpoint URL").optional(),
    STAGING_CONTAINER: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/, "STAGING_CONTAINER must be a valid container name").default("retrainer-runs"),
    HISTORY_TABLE: z.string().regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, "HISTORY_TABLE must be 3-63 letters or digits, starting with a letter").default("RetrainerRuns"),
    ARCHIVE_CONTAINER: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/, "ARCHIVE_CONTAINER must be a valid container name").default("retrainer-archive"),
    VERIFY_DELAY_SECONDS: z.coerce.number().min(0, "VERIFY_DELAY_SECONDS must be 0 or more").default(30),
    POLL_FIRST_INTERVAL_SECONDS: positiveNumber("POLL_FIRST_INTERVAL_SECONDS", 15),
    POLL_BACKOFF_FACTOR: z.coerce.number().min(1, "POLL_BACKOFF_FACTOR must be at least 1").default(1.5),
    POLL_MAX_INTERVAL_SECONDS: positiveNumber("POLL_MAX_INTERVAL_SECONDS", 300),
    JOB_DEADLINE_MINUTES: positiveNumber("JOB_DEADLINE_MINUTES", 240),
    SAS_REFRESH_MARGIN_SECONDS: z.coerce.number().min(0, "SAS_REFRESH_MARGIN_SECONDS must be 0 or more").default(300),
    AML_REQUEST_TIMEOUT_SECONDS: z.coerce.number().positive("AML_REQUEST_TIMEOUT_SECONDS must be more than 0").max(600, "AML_REQUEST_TIMEOUT_SECONDS must be at most 600").default(60),
    APPROVAL_REQUIRED: z.enum(["true", "false"], { errorMap: () => ({ message: "APPROVAL_REQUIRED must be true or false" }) }).default("false").transform((v) => v === "true"),
    APPROVAL_TIMEOUT_HOURS: positiveNumber("APPROVAL_TIMEOUT_HOURS", 72),
    // Azure Machine Learning (v2): needed when an endpoint's backend is azureml.
    AZUREML_WORKSPACE_ID: z.string().optional().superRefine((v, ctx) => {
      const problem = v === undefined ? undefined : badWorkspaceId(v);
      if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `AZUREML_WORKSPACE_ID ${problem}` });
    }),
    AZUREML_ARM_URL: z.string().url("AZUREML_ARM_URL must be a URL such as https://management.azure.com").default("https://management.azure.com"),
    // Local only: a fixed bearer token for the local v2 service; in Azure the app's identity signs in (DefaultAzureCredential).
    AZUREML_ACCESS_TOKEN: z.string().optional(),
    AZUREML_ENVIRONMENT_ID: z.string().optional(),
    AZUREML_COMPUTE_ID: z.string().optional(),
    AZUREML_TRAINING_COMMAND: z.string().min(1).default(DEFAULT_TRAINING_COMMAND).superRefine((v, ctx) => {
      const problem = trainingCommandProblem(v);
      if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `AZUREML_TRAINING_COMMAND ${problem}` });
    }),
    // The code the job runs, uploaded once as a code asset; unset: the script is in the environment's image.
    AZUREML_CODE_ID: z.string().optional().transform((v, ctx) => {
      if (v === undefined) return undefined;
      const parsed = parseCodeVersionId(v);
      if ("problem" in parsed) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `AZUREML_CODE_ID ${parsed.problem}` });
        return z.NEVER;
      }
      return parsed.id;
    }),
    AZUREML_INSTANCE_TYPE: z.string().min(1).default("Standard_DS3_v2"),
    AZUREML_INSTANCE_COUNT: z.coerce.number().int("AZUREML_INSTANCE_COUNT must be a whole number").min(1, "AZUREML_INSTANCE_COUNT must be at least 1").max(20, "AZUREML_INSTANCE_COUNT must be at most 20").default(1),
    AZUREML_TRAFFIC_STEPS: z.string().default("10,50,100").transform((text, ctx) => {
      const steps = text.split(",").map((s) => s.trim());
      const numbers = steps.map(Number);
      const ok = numbers.every((n, i) => /^\d+$/.test(steps[i]!) && n >= 1 && n <= 100 && (i === 0 || n > numbers[i - 1]!)) && numbers.at(-1) === 100;
      if (!ok) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `AZUREML_TRAFFIC_STEPS must be rising whole percentages ending at 100, e.g. "10,50,100"; got "${text.slice(0, 60)}"` });
        return z.NEVER;
      }
      return numbers;
    }),
    AZUREML_STEP_WAIT_SECONDS: z.coerce.number().min(0, "AZUREML_STEP_WAIT_SECONDS must be 0 or more").max(86_400, "AZUREML_STEP_WAIT_SECONDS must be at most 86400 (a day)").default(300),
    AZUREML_MIRROR_PERCENT: z.coerce.number().int("AZUREML_MIRROR_PERCENT must be a whole number").min(0, "AZUREML_MIRROR_PERCENT must be 0 (no mirror phase) to 50").max(50, "AZUREML_MIRROR_PERCENT must be at most 50: Azure mirrors at most half the traffic").default(0),
    AZUREML_OPERATION_TIMEOUT_MINUTES: positiveNumber("AZUREML_OPERATION_TIMEOUT_MINUTES", 30),
    AZUREML_RETIRE_AFTER_HOURS: z.coerce.number().min(0, "AZUREML_RETIRE_AFTER_HOURS must be 0 or more").default(24),
    APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().optional(),
    // Set by App Service when its authentication is enabled on the app (never by hand): only then
    // are the X-MS-CLIENT-PRINCIPAL headers the platform's and not a caller's.
    WEBSITE_AUTH_ENABLED: z.string().optional().transform((v) => v?.toLowerCase() === "true"),
  }))
  .superRefine((s, ctx) => {
    const both = Boolean(s.STAGING_STORAGE_CONNECTION_STRING) === Boolean(s.STAGING_STORAGE_ACCOUNT_URL);
    if (both) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["STAGING_STORAGE_CONNECTION_STRING"],
        message: "Set exactly one of STAGING_STORAGE_CONNECTION_STRING (local, service SAS) or STAGING_STORAGE_ACCOUNT_URL (Entra identity, user-delegation SAS)",
      });
    }
    for (const name of Object.keys(s.RETRAIN_ENDPOINT_SETTINGS)) {
      if (!s.RETRAIN_ENDPOINTS.some((e) => e.toLowerCase() === name.toLowerCase())) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["RETRAIN_ENDPOINT_SETTINGS"], message: `RETRAIN_ENDPOINT_SETTINGS names "${name}", which is not in RETRAIN_ENDPOINTS` });
      }
    }
    const signed = s.RETRAIN_ENDPOINTS.filter((e) => webhooksOf(s, e).some((w) => w.format === "cloudevents"));
    if (signed.length > 0 && !s.RETRAIN_WEBHOOK_SECRET) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["RETRAIN_WEBHOOK_SECRET"], message: `RETRAIN_WEBHOOK_SECRET is required: CloudEvents webhooks (of ${signed.join(", ")}) are signed with it` });
    }
    const located = dataLocationsOf(s);
    located.forEach(([e, l], i) => {
      for (const [other, m] of located.slice(0, i)) {
        if (overlap(l, m)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["RETRAIN_ENDPOINT_SETTINGS"], message: `RETRAIN_ENDPOINT_SETTINGS: the data locations of ${other} (${describeDataLocation(m)}) and ${e} (${describeDataLocation(l)}) overlap; a new blob must start the run of one endpoint only` });
      }
    });
    for (const c of sourcePolicyOf(s).containers) {
      const why = !CONTAINER_NAME.test(c) ? "is not a valid container name"
        : c === s.STAGING_CONTAINER ? "is STAGING_CONTAINER, where runs' blobs are written"
          : c === s.ARCHIVE_CONTAINER ? "is ARCHIVE_CONTAINER, where replaced models are kept"
            : isSystemContainer(c) ? "holds the Functions host's or the Durable task hub's own state" : undefined;
      if (why) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["RETRAIN_DATA_CONTAINERS"], message: `RETRAIN_DATA_CONTAINERS: container "${c}" ${why}; training data cannot come from it` });
    }
    for (const e of s.RETRAIN_ENDPOINTS) {
      const x = dataExpectationsOf(s, e);
      if (x.maxRows !== undefined && x.maxRows < x.minRows) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["RETRAIN_DATA_CHECKS"], message: `data checks of endpoint ${e}: maxRows (${x.maxRows}) is below minRows (${x.minRows}); no data could pass` });
      }
    }
    // The default gate is checked against the backend of every endpoint that takes it (classic when none does).
    const inheriting = s.RETRAIN_ENDPOINTS.filter((e) => endpointSettingsOf(s, e)?.gate === undefined).map((e) => backendOf(s, e));
    for (const backend of new Set(inheriting.length > 0 ? inheriting : [DEFAULT_BACKEND])) {
      const problem = gateProblem(s.RETRAIN_GATE, backend);
      if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["RETRAIN_GATE"], message: `RETRAIN_GATE: ${problem}` });
    }
    const v2 = s.RETRAIN_ENDPOINTS.filter((e) => backendOf(s, e) === "azureml");
    if (v2.length > 0) {
      for (const name of ["AZUREML_WORKSPACE_ID", "AZUREML_ENVIRONMENT_ID"] as const) {
        if (!s[name]) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message: `${name} is required: endpoint(s) ${v2.join(", ")} use the azureml backend` });
      }
      for (const e of v2) if (!/^[a-zA-Z][a-zA-Z0-9-]{2,31}$/.test(e)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["RETRAIN_ENDPOINTS"], message: `RETRAIN_ENDPOINTS: "${e}" uses the azureml backend, so it must be an online endpoint name (a letter, then letters, digits and dashes, 3 to 32 characters)` });
    }
    // A job runs code of its own workspace only.
    // (not a string when the setting itself was refused: the refinement still runs)
    const codeWorkspace = typeof s.AZUREML_CODE_ID === "string" ? parseCodeVersionId(s.AZUREML_CODE_ID) : undefined;
    if (codeWorkspace && "workspaceId" in codeWorkspace && s.AZUREML_WORKSPACE_ID && codeWorkspace.workspaceId.toLowerCase() !== s.AZUREML_WORKSPACE_ID.toLowerCase()) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["AZUREML_CODE_ID"], message: "AZUREML_CODE_ID names a code asset of another workspace than AZUREML_WORKSPACE_ID; a job runs code of its own workspace" });
    }
    if (s.AZUREML_ACCESS_TOKEN && !isLoopbackUrl(s.AZUREML_ARM_URL)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["AZUREML_ACCESS_TOKEN"], message: "AZUREML_ACCESS_TOKEN is for the local Azure ML service only (AZUREML_ARM_URL on loopback); in Azure the app signs in with its identity" });
    }
    if (s.POLL_MAX_INTERVAL_SECONDS < s.POLL_FIRST_INTERVAL_SECONDS) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["POLL_MAX_INTERVAL_SECONDS"], message: "POLL_MAX_INTERVAL_SECONDS must not be below POLL_FIRST_INTERVAL_SECONDS" });
    }
  });

export type Settings = z.infer<typeof settingsSchema>;
export type EndpointSettings = Settings["RETRAIN_ENDPOINT_SETTINGS"][string];

/** An endpoint's own settings (names match without regard to case), if it has any. */
export function endpointSettingsOf(s: Pick<Settings, "RETRAIN_ENDPOINT_SETTINGS">, endpoint: string): EndpointSettings | undefined {
  const key = Object.keys(s.RETRAIN_ENDPOINT_SETTINGS).find((k) => k.toLowerCase() === endpoint.toLowerCase());
  return key === undefined ? undefined : s.RETRAIN_ENDPOINT_SETTINGS[key];
}

/** The backend an endpoint trains and serves through. */
export const backendOf = (s: Pick<Settings, "RETRAIN_ENDPOINT_SETTINGS">, endpoint: string): Backend => endpointSettingsOf(s, endpoint)?.backend ?? DEFAULT_BACKEND;

/**
 * An endpoint's data checks: the defaults, then RETRAIN_DATA_CHECKS, then the endpoint's own `data`,
 * field by field. `columns` defaults to what the endpoint's backend trains on (TRAINING_COLUMNS),
 * so a first run, with no earlier data to compare with, is held to the training's columns too.
 */
export function dataExpectationsOf(s: Pick<Settings, "RETRAIN_ENDPOINT_SETTINGS" | "RETRAIN_DATA_CHECKS">, endpoint: string): DataExpectations {
  const own = endpointSettingsOf(s, endpoint)?.data ?? {};
  const columns = own.columns ?? s.RETRAIN_DATA_CHECKS.columns ?? TRAINING_COLUMNS[backendOf(s, endpoint)];
  const merged = { ...DEFAULT_DATA_EXPECTATIONS, ...s.RETRAIN_DATA_CHECKS, ...own, columns };
  const psi = { ...s.RETRAIN_DATA_CHECKS.psi, ...own.psi };
  return { ...merged, ...(Object.keys(psi).length ? { psi } : {}) };
}

/** The webhooks that hear about an endpoint's runs: the global ones, then its own. */
export function webhooksOf(s: Pick<Settings, "RETRAIN_WEBHOOKS" | "RETRAIN_ENDPOINT_SETTINGS">, endpoint: string): WebhookTarget[] {
  // Called by the schema's own checks too, where a refused RETRAIN_WEBHOOKS is not a list.
  const global = Array.isArray(s.RETRAIN_WEBHOOKS) ? s.RETRAIN_WEBHOOKS : [];
  return [...global, ...(endpointSettingsOf(s, endpoint)?.webhooks ?? [])];
}

/** Each endpoint's data location, in RETRAIN_ENDPOINTS order, for those that have one. */
export function dataLocationsOf(s: Pick<Settings, "RETRAIN_ENDPOINTS" | "RETRAIN_ENDPOINT_SETTINGS">): [string, DataLocation][] {
  return s.RETRAIN_ENDPOINTS.flatMap((e): [string, DataLocation][] => {
    const text = endpointSettingsOf(s, e)?.dataLocation;
    const l = text === undefined ? undefined : parseDataLocation(text);
    return l && !("problem" in l) ? [[e, l]] : [];
  });
}

/** The endpoint whose data location holds the blob, if any (locations never overlap: settings refuse it). */
export function endpointForBlob(s: Pick<Settings, "RETRAIN_ENDPOINTS" | "RETRAIN_ENDPOINT_SETTINGS">, container: string, blob: string): string | undefined {
  return dataLocationsOf(s).find(([, l]) => holds(l, container, blob))?.[0];
}

/** Whether a run of the endpoint on the same data as its last trained run ends skipped. */
export const skipsUnchanged = (s: Pick<Settings, "RETRAIN_ENDPOINT_SETTINGS" | "RETRAIN_SKIP_UNCHANGED">, endpoint: string): boolean =>
  endpointSettingsOf(s, endpoint)?.skipUnchanged ?? s.RETRAIN_SKIP_UNCHANGED;

const CONTAINER_NAME = /^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/;

/**
 * Where data sources may point. Blob containers: RETRAIN_DATA_CONTAINERS, plus the containers of
 * the data sources and data locations the operator configured (RETRAIN_DATA_SOURCE, RETRAIN_ENDPOINT_SETTINGS);
 * nothing else of the account the app's identity can read (its endpoint records, the task hub,
 * the keys). Loopback URLs: only with RETRAIN_ALLOW_LOOPBACK_SOURCES (local runs and tests).
 */
export function sourcePolicyOf(s: Pick<Settings, "RETRAIN_DATA_CONTAINERS" | "RETRAIN_DATA_SOURCE" | "RETRAIN_ENDPOINTS" | "RETRAIN_ENDPOINT_SETTINGS" | "RETRAIN_ALLOW_LOOPBACK_SOURCES">): SourcePolicy {
  const configured = [s.RETRAIN_DATA_SOURCE, ...Object.values(s.RETRAIN_ENDPOINT_SETTINGS).map((e) => e.dataSource)].flatMap((text) => {
    if (text === undefined) return [];
    try {
      const source = parseDataSource(text, undefined);
      return source.kind === "blob" ? [source.container] : [];
    } catch {
      return []; // not a blob source (a file needs a data root this check does not have)
    }
  });
  // A data location's blobs are what its runs train on.
  const locations = dataLocationsOf(s).map(([, l]) => l.container);
  return { containers: [...new Set([...s.RETRAIN_DATA_CONTAINERS, ...configured, ...locations])], allowLoopback: s.RETRAIN_ALLOW_LOOPBACK_SOURCES };
}

/** The names of every setting, for drift checks against infra and the sample file. */
export const SETTING_NAMES = Object.keys(settingsSchema.innerType().shape);

export class SettingsError extends Error {
  override readonly name = "SettingsError";
}

/** Validates the environment; the error lists every bad setting by name (never its value). */
export function loadSettings(env: Readonly<Record<string, string | undefined>>): Settings {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const r = settingsSchema.safeParse(present);
  const lines = [
    ...unresolvedKeyVaultReferences(present),
    ...(r.success ? [] : r.error.issues.map((i) => {
      const name = String(i.path[0] ?? "settings");
      return i.message.includes(name) ? i.message : `${name}: ${i.message === "Required" ? "is required" : i.message}`;
    })),
  ];
  if (r.success && lines.length === 0) return r.data;
  throw new SettingsError(`Invalid app settings:\n- ${lines.join("\n- ")}`);
}

/**
 * A Key Vault reference the platform could not resolve stays in the setting as its own text;
 * taken as a value, it would be sent to Azure ML as an API key. Named, with the fix; the
 * reference itself is not repeated (it names the vault and the secret).
 */
function unresolvedKeyVaultReferences(values: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(values)
    .filter(([name, v]) => SETTING_NAMES.includes(name) && /^\s*@Microsoft\.KeyVault\(/i.test(v ?? ""))
    .map(([name]) =>
      `${name} is a Key Vault reference the platform could not resolve: give the app's identity the "Key Vault Secrets User" role on the vault, ` +
      "and check that the secret the reference names exists and is enabled; the setting's Key Vault reference status (portal: Environment variables) says which.");
}

/** The values to redact wherever text leaves the process. */
export function secretsOf(s: Settings): string[] {
  // A chat's incoming-webhook URL is its own credential: whoever has it can post there.
  const chats = [...s.RETRAIN_WEBHOOKS, ...Object.values(s.RETRAIN_ENDPOINT_SETTINGS).flatMap((e) => e.webhooks ?? [])].filter((w) => w.format !== "cloudevents").map((w) => w.url);
  return [s.AML_TRAINING_API_KEY, s.AML_MANAGEMENT_API_KEY, s.STAGING_STORAGE_CONNECTION_STRING ?? "", s.AZUREML_ACCESS_TOKEN ?? "", s.RETRAIN_WEBHOOK_SECRET ?? "", s.RETRAIN_CONSOLE_SECRET ?? "", s.RETRAIN_CONSOLE_KEY ?? "", ...chats].filter((x) => x.length > 0);
}

function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
