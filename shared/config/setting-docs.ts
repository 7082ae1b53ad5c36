// What each setting means, for the people who set it: one typed table per schema object, which
// `described` lays onto the schema's fields (zod's `.describe()`), so the schema is built from it.
// A table rather than `.describe("…")` inline: the text is long, the schema's lines already are,
// and the unit, section and allowed values are structured data a generator can lay out; the types
// make the compiler refuse a setting without an entry and an entry without a setting. Defaults,
// enums and number bounds are not repeated here: docs/settings.md reads them from the schema itself
// (tools/settings-reference.ts). Links are relative to docs/settings.md.
import type { z } from "zod";

/** The sections of docs/settings.md, in the order they appear. */
export const SETTING_SECTIONS = {
  endpoints: "Endpoints, schedule and gate",
  data: "Training data",
  azureml: "Azure Machine Learning (v2)",
  classic: "Azure ML Studio (classic)",
  waiting: "Waiting, verification and approval",
  notify: "Console and notifications",
  storage: "Storage",
  platform: "Platform",
} as const;
export type SettingSection = keyof typeof SETTING_SECTIONS;

export interface FieldDoc {
  /** What it does and what it changes, in Markdown on one line. */
  readonly description: string;
  /** The unit of a number; a duration's name carries it too (…_SECONDS, …_HOURS). */
  readonly unit?: "seconds" | "minutes" | "hours" | "megabytes" | "percent" | "multiplier";
  /** Allowed values the schema's own enum or number bounds do not show (a refinement, a format). */
  readonly allowed?: string;
  /** The default in words where the schema holds none of its own (inherited, derived, or set elsewhere). */
  readonly defaultText?: string;
  /** A credential: redacted wherever text leaves the app, a Key Vault reference in Azure. */
  readonly secret?: true;
  /** Read only on a developer's machine; never set in Azure. */
  readonly localOnly?: true;
}

export interface SettingDoc extends FieldDoc {
  readonly section: SettingSection;
}

/**
 * The shape, each field described by its entry in `docs`. Typed both ways: a field without an
 * entry and an entry without a field are compile errors. `.describe()` copies the field with the
 * description added, so parsing, defaults and transforms are exactly the field's own.
 */
export function described<D extends Readonly<Record<string, FieldDoc>>, S extends { [K in keyof D]: z.ZodTypeAny }>(
  docs: D,
  shape: S & Record<Exclude<keyof S, keyof D>, never>,
): S {
  const out: Record<string, z.ZodTypeAny> = {};
  for (const [name, field] of Object.entries(shape as Record<string, z.ZodTypeAny>)) out[name] = field.describe(docs[name]!.description);
  return out as S;
}

const DATA_CHECKS_LINK = "[data checks](pipeline.md#data-checks-before-any-job)";

/** The app settings (environment variables) the product reads: `settingsSchema`. */
export const SETTING_DOCS = {
  AML_SERVICES_URL: { section: "classic", description: "The classic services' host for BES (training jobs) and RRS (scoring), e.g. `https://ussouthcentral.services.azureml.net` for the workspace's region. Required even when every endpoint is on `azureml` (the schema asks for the classic settings always)." },
  AML_MANAGEMENT_URL: { section: "classic", description: "The classic management API's host, where endpoints are read and patched." },
  AML_WORKSPACE_ID: { section: "classic", description: "The Studio (classic) workspace id." },
  AML_TRAINING_SERVICE_ID: { section: "classic", description: "The training web service's id (the one whose BES retrains the model)." },
  AML_TRAINING_API_KEY: { section: "classic", secret: true, description: "The training web service's API key. In Azure a Key Vault reference to the secret `aml-training-api-key`." },
  AML_PREDICTIVE_SERVICE_ID: { section: "classic", description: "The predictive web service's id, whose endpoints serve the model and are patched on promotion." },
  AML_MANAGEMENT_API_KEY: { section: "classic", secret: true, description: "The workspace's authorization token, or the endpoint's own key, for the management API. In Azure a Key Vault reference to the secret `aml-management-api-key`." },
  AML_TRAINED_MODEL_RESOURCE: { section: "classic", description: "The predictive service's updatable resource that a promotion replaces (Update Resource)." },
  RETRAIN_ENDPOINTS: { section: "endpoints", allowed: "comma-separated names, at least one; not `default` (it has no updatable resources) nor `schedule` (its instance id would be the tick's); an `azureml` endpoint's name is an online endpoint name (a letter, then letters, digits and dashes, 3–32 characters)", description: "The endpoints the schedule retrains, one run each; each runs under the Durable instance `retrain-{endpoint}`." },
  RETRAIN_SCHEDULE: { section: "endpoints", allowed: "NCRONTAB with six fields, seconds first", description: "When the timer starts a run of every endpoint, e.g. `0 0 3 * * 0` (Sundays 03:00 UTC). A tick while the previous one still runs is skipped." },
  RETRAIN_DATA_SOURCE: { section: "data", description: "The default training data: a file under `RETRAIN_DATA_ROOT`, an `https://` URL, or `blob:container/path`. An endpoint's `dataSource` and a request's `dataSource` override it." },
  RETRAIN_DATA_ROOT: { section: "data", defaultText: "unset: file sources are refused", description: "The only folder file data sources may come from." },
  RETRAIN_DATA_CONTAINERS: { section: "data", allowed: "comma-separated container names; not the staging or archive container, `azure-webjobs-*`, `app-package-*` or the task hub's", description: "Blob containers a request's `blob:` data source may name, besides those of `RETRAIN_DATA_SOURCE` and `RETRAIN_ENDPOINT_SETTINGS`. A source in any other container gets one answer that does not say whether it exists." },
  RETRAIN_ALLOW_LOOPBACK_SOURCES: { section: "data", localOnly: true, description: "`true` lets URL data sources point at this machine. Otherwise a URL source, and each of its redirects (at most 5), must be `https://` to an address that is not loopback, private, link-local or a metadata or platform address (169.254.169.254, 168.63.129.16), checked after DNS resolution and connected to as checked; every refused target gets the same answer." },
  RETRAIN_DATA_MAX_MEGABYTES: { section: "data", unit: "megabytes", description: "The largest training data staged, checked on the file's, URL's or blob's size before any byte moves, and while streaming a URL that announces none. An empty source is refused by name." },
  RETRAIN_ENDPOINT_SETTINGS: { section: "endpoints", allowed: "a JSON object: endpoint name → the fields under [Per-endpoint settings](#per-endpoint-settings); every name must be in `RETRAIN_ENDPOINTS`; two endpoints' data locations may not overlap", description: "Each endpoint's own backend, data source, gate, data checks, data location, upload key and webhooks, e.g. `{\"customer1\":{\"backend\":\"azureml\",\"dataSource\":\"blob:c1/data.csv\",\"gate\":\"auc>=0.9\"}}`. In Azure a parameter of `infra/main.bicep`, since JSON does not survive azd's substitution." },
  RETRAIN_DATA_CHECKS: { section: "data", allowed: "a JSON object with the fields under [Data checks](#data-checks)", description: `The ${DATA_CHECKS_LINK} a run's staged data must pass before any job; an endpoint's own \`data\` overrides it field by field. Non-finite, negative or impossible values are refused at start-up.` },
  RETRAIN_SKIP_UNCHANGED: { section: "data", description: "`true`: a run whose staged data has the sha256 of the endpoint's last trained run (promoted or rejected) ends `skipped`, no job submitted. An endpoint's `skipUnchanged` overrides it; a request's `\"force\": true` retrains anyway." },
  RETRAIN_DATA_DEBOUNCE_SECONDS: { section: "data", unit: "seconds", allowed: "at most 3600", description: "Blobs landing in an endpoint's `dataLocation` less than this apart make one run, on the last of them; a burst that never pauses still starts its run after 10 windows. See [new data starts a run](pipeline.md#new-data-starts-a-run)." },
  RETRAIN_WEBHOOKS: { section: "notify", allowed: "a JSON array of at most 10 webhooks with the fields under [Webhooks](#webhooks)", description: "Webhooks that hear about every endpoint's runs, e.g. `[{\"url\":\"https://ops.example.com/retrainer\",\"events\":[\"failed\",\"rolled-back\"]}]`. An endpoint's own `webhooks` come after these. See [notifications](operations.md#notifications)." },
  RETRAIN_WEBHOOK_SECRET: { section: "notify", secret: true, description: "Signs every CloudEvents webhook's body (HMAC-SHA256 in `X-Retrainer-Signature`). Required when any CloudEvents webhook is configured. In Azure a Key Vault reference to the secret `webhook-secret`." },
  RETRAIN_CONSOLE_SECRET: { section: "notify", secret: true, defaultText: "unset: the console is off (`npm run serve` derives one from the function key)", description: "Signs the [operator console](console.md)'s sessions, its forms' anti-forgery tokens and the one-time links chat messages carry (HMAC-SHA256). In Azure a Key Vault reference to the secret `console-secret`." },
  RETRAIN_CONSOLE_KEY: { section: "notify", secret: true, defaultText: "unset: only signed-in principals get in (`npm run serve` sets the function key)", description: "What a person types on the console's sign-in page where App Service Authentication is off. In Azure leave it unset and turn on App Service Authentication (Microsoft Entra ID): the app roles `Viewer`, `Operator` and `Approver` decide who sees and who acts." },
  RETRAIN_APPROVER_MUST_DIFFER: { section: "notify", description: "`true`: a run waiting for approval cannot be decided by the person who started it." },
  RETRAIN_WEBHOOK_FIRST_RETRY_SECONDS: { section: "notify", unit: "seconds", allowed: "at most 3600", description: "The first retry of an undelivered notification waits this long; later ones 6, 30, 90 and 360 times it." },
  RETRAIN_MAX_PARALLEL: { section: "endpoints", description: "Endpoints a scheduled tick retrains at once." },
  RETRAIN_GATE: { section: "endpoints", allowed: "rules separated by `;`, at most 16; see [the gate](pipeline.md#champion-and-challenger)", description: "The gate every endpoint without its own `gate` applies, e.g. `auc>=0.85; accuracy>=0.8; auc>=champion-0.005`. Metric names are one vocabulary on both backends (see [metrics](metrics.md)); the gate is checked at start-up against every backend that inherits it." },
  STAGING_STORAGE_CONNECTION_STRING: { section: "storage", secret: true, allowed: "exactly one of this and `STAGING_STORAGE_ACCOUNT_URL`", description: "The storage account for run blobs, history and archive, with an account key: local use (service SAS)." },
  STAGING_STORAGE_ACCOUNT_URL: { section: "storage", allowed: "exactly one of this and `STAGING_STORAGE_CONNECTION_STRING`", description: "Instead of a connection string: the account's blob endpoint, reached with `DefaultAzureCredential` (user-delegation SAS). What Azure uses." },
  RETRAIN_UPLOAD_BLOB_ENDPOINT: { section: "data", localOnly: true, defaultText: "the staging account's blob endpoint", description: "Where the upload URLs customers get point. `npm run serve` sets it to the blob-events front (`http://127.0.0.1:10003/devstoreaccount1`), so an upload through it makes the event that starts the run." },
  STAGING_CONTAINER: { section: "storage", allowed: "a container name", description: "The container of run blobs (staged data, probe rows, job outputs, locks, waiting data)." },
  HISTORY_TABLE: { section: "storage", allowed: "3–63 letters or digits, starting with a letter", description: "The Table storage table of run records, in the run storage account." },
  ARCHIVE_CONTAINER: { section: "storage", allowed: "a container name", description: "Where the classic model being replaced is copied before each promotion, for rollback." },
  VERIFY_DELAY_SECONDS: { section: "waiting", unit: "seconds", description: "The durable wait after a classic PATCH before the live check, for the service's propagation delay." },
  POLL_FIRST_INTERVAL_SECONDS: { section: "waiting", unit: "seconds", description: "The first wait between job status polls (when the endpoint's history shows how long its jobs take, the first poll waits 80 % of that instead). Also how often a scheduled tick checks its runs." },
  POLL_BACKOFF_FACTOR: { section: "waiting", unit: "multiplier", description: "How much the wait grows from one poll to the next." },
  POLL_MAX_INTERVAL_SECONDS: { section: "waiting", unit: "seconds", allowed: "not below `POLL_FIRST_INTERVAL_SECONDS`", description: "The cap on the wait between polls." },
  JOB_DEADLINE_MINUTES: { section: "waiting", unit: "minutes", description: "After this the training job is cancelled and the run fails." },
  SAS_REFRESH_MARGIN_SECONDS: { section: "waiting", unit: "seconds", description: "Result tokens expiring within this are refreshed (a job GET) before use." },
  AML_REQUEST_TIMEOUT_SECONDS: { section: "classic", unit: "seconds", description: "A BES, management or RRS call that has not answered after this is abandoned and retried by policy." },
  APPROVAL_REQUIRED: { section: "waiting", description: "`true`: a model that passes the gate waits for a person's approval (console, CLI or `POST /api/retrain/{id}/approve`) before promotion. A run can ask for it with `\"requireApproval\": true`." },
  APPROVAL_TIMEOUT_HOURS: { section: "waiting", unit: "hours", description: "A run awaiting approval ends rejected after this." },
  AZUREML_WORKSPACE_ID: { section: "azureml", defaultText: "unset; required when an endpoint's `backend` is `azureml`", allowed: "`/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.MachineLearningServices/workspaces/{name}`", description: "The v2 workspace's resource id. Each `azureml` endpoint is an online endpoint of the same name there, and its models are registered under that name." },
  AZUREML_ARM_URL: { section: "azureml", description: "Azure Resource Manager's base URL; locally, the local v2 service's." },
  AZUREML_ACCESS_TOKEN: { section: "azureml", secret: true, localOnly: true, allowed: "only with `AZUREML_ARM_URL` on loopback", description: "The local v2 service's bearer token. In Azure the app's managed identity signs in (`DefaultAzureCredential`) and no token is stored." },
  AZUREML_ENVIRONMENT_ID: { section: "azureml", defaultText: "unset; required when an endpoint's `backend` is `azureml`", description: "The training job's environment, an ARM id (e.g. the one registered from `examples/azureml/environment/`)." },
  AZUREML_COMPUTE_ID: { section: "azureml", defaultText: "the workspace's serverless compute", description: "The training job's compute cluster, an ARM id." },
  AZUREML_CODE_ID: {
    section: "azureml", defaultText: "unset: the job sends no code, so the command's script must be in the environment's image",
    allowed: "`/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.MachineLearningServices/workspaces/{name}/codes/{code}/versions/{version}` of `AZUREML_WORKSPACE_ID`'s workspace, with or without `azureml:` before it",
    description: "The code asset version each training job runs in its working directory (the job's `codeId`), so the command can name `train.py` as it lies in the folder that was uploaded. [`examples/azureml/`](../examples/azureml/README.md#how-the-app-reaches-it) says how to get one.",
  },
  AZUREML_TRAINING_COMMAND: { section: "azureml", allowed: "names only `${{inputs.data}}`, `${{inputs.probe}}`, `${{inputs.champion}}` and `${{outputs.model}}`; `probe` and `champion` only inside an optional segment `$[[ … ]]`, which the job drops when it lacks the input", description: "The training job's command. It receives `data` (the staged CSV), `probe` (the canary rows, when the run has them) and, when a model serves, `champion` (an MLflow model); it writes the `model` output as an MLflow model, and must log the gate's metrics, the same with a `champion_` prefix for the serving model, and `probe_score` per probe row as MLflow steps (`champion_probe_score` for the serving model's). [`examples/azureml/`](../examples/azureml/README.md) is such a job." },
  AZUREML_INSTANCE_TYPE: { section: "azureml", description: "The VM size of each new online deployment." },
  AZUREML_INSTANCE_COUNT: { section: "azureml", description: "The instance count of each new online deployment." },
  AZUREML_TRAFFIC_STEPS: { section: "azureml", unit: "percent", allowed: "rising whole percentages ending at 100", description: "The staged shift: the shares of live traffic the new deployment gets, one step after another, each held and checked by the probe before the next." },
  AZUREML_STEP_WAIT_SECONDS: { section: "azureml", unit: "seconds", description: "How long each traffic step (and the mirror phase) is held before its probe check." },
  AZUREML_MIRROR_PERCENT: { section: "azureml", unit: "percent", description: "A mirror phase first, copying this share of traffic to the new deployment (0: none)." },
  AZUREML_OPERATION_TIMEOUT_MINUTES: { section: "azureml", unit: "minutes", description: "The bound on each deployment, traffic or delete operation." },
  AZUREML_RETIRE_AFTER_HOURS: { section: "azureml", unit: "hours", description: "The replaced deployment stays at 0 % as the rollback target at least this long; the endpoint's next run deletes it after that." },
  APPLICATIONINSIGHTS_CONNECTION_STRING: { section: "platform", defaultText: "unset: events go to the log", description: "Where telemetry goes. See [operations](operations.md#finding-runs-in-application-insights)." },
  WEBSITE_AUTH_ENABLED: { section: "platform", defaultText: "set by App Service, never by hand", description: "`true` when App Service Authentication is on for the app: only then are the `X-MS-CLIENT-PRINCIPAL` headers the platform's and not a caller's, and approvals record the signed-in principal." },
} as const satisfies Readonly<Record<string, SettingDoc>>;

/** The fields of one endpoint's entry in `RETRAIN_ENDPOINT_SETTINGS`. */
export const ENDPOINT_FIELD_DOCS = {
  backend: { defaultText: "`classic`", description: "The endpoint's ML service: `classic` (Azure ML Studio (classic)) or `azureml` (Azure Machine Learning v2: jobs, MLflow metrics, a blue/green staged rollout on an online endpoint of the same name; see the `AZUREML_*` settings)." },
  dataSource: { defaultText: "`RETRAIN_DATA_SOURCE`", description: "The endpoint's training data, in the forms `RETRAIN_DATA_SOURCE` takes." },
  gate: { defaultText: "`RETRAIN_GATE`", description: "The endpoint's gate rules, checked at start-up against its backend's metrics." },
  data: { defaultText: "`RETRAIN_DATA_CHECKS`", allowed: "the fields under [Data checks](#data-checks)", description: "The endpoint's own data checks, over `RETRAIN_DATA_CHECKS` field by field (`psi` column by column)." },
  skipUnchanged: { defaultText: "`RETRAIN_SKIP_UNCHANGED`", description: "Whether a run on the same data as the last trained run ends `skipped`." },
  webhooks: { defaultText: "none", allowed: "as `RETRAIN_WEBHOOKS`", description: "The endpoint's own webhooks, after those of `RETRAIN_WEBHOOKS`." },
  uploadKeySha256: { defaultText: "unset: no uploads", allowed: "64 lowercase hex digits; needs a `dataLocation`", description: "The sha256 of the key a customer uploads with (`printf %s \"$KEY\" | sha256sum`); settings hold the hash, never the key. See [customers retrain their own endpoint](pipeline.md#customers-retrain-their-own-endpoint)." },
  dataLocation: { defaultText: "unset: no data-driven runs", allowed: "`blob:container` or `blob:container/folder`", description: "Where the endpoint's new data lands: each new blob there starts a run on it. See [new data starts a run](pipeline.md#new-data-starts-a-run)." },
} as const satisfies Readonly<Record<string, FieldDoc>>;

/** The fields of `RETRAIN_DATA_CHECKS` and of an endpoint's `data`; their defaults are DEFAULT_DATA_EXPECTATIONS. */
export const DATA_CHECK_DOCS = {
  label: { defaultText: "`class`, else `income`", description: "The label column, which must hold exactly two values." },
  columns: { defaultText: "the census training's 14 feature columns (`shared/data/training-columns.ts`), on both backends", allowed: "an object of column → `\"number\"` or `\"string\"`; `{}` requires none", description: "The columns the training needs and their types. A training that reads other columns lists all of them, e.g. `{\"x1\":\"number\",\"x2\":\"string\"}`." },
  minRows: { description: "The fewest data rows accepted." },
  maxRows: { defaultText: "no limit", allowed: "not below `minRows`", description: "The most data rows accepted." },
  minRowsShareOfReference: { description: "The fewest rows as a share of the reference data's (the last promoted run's): a truncated export is refused." },
  minMinorityShare: { description: "The smallest share of the labelled rows the rarer label may have." },
  maxMissingShare: { description: "The largest share of missing cells (empty or `?`) in any column." },
  maxPsi: { description: "The largest population stability index of any column against the reference data (drift)." },
  psi: { defaultText: "none", allowed: "an object of column → a limit greater than 0", description: "Per-column PSI limits, over `maxPsi`." },
} as const satisfies Readonly<Record<string, FieldDoc>>;

/** The fields of one webhook in `RETRAIN_WEBHOOKS` or an endpoint's `webhooks`. */
export const WEBHOOK_FIELD_DOCS = {
  url: { allowed: "`https://` (`http://` on loopback only), no `user:password`, at most 2000 characters", description: "Where the message is posted. A chat webhook's URL is a credential and is redacted like one." },
  events: { defaultText: "every event", description: "The run events it hears about, each named once." },
  format: { description: "`cloudevents`: a signed CloudEvent 1.0 in structured JSON; `teams-workflow`: an Adaptive Card for a Teams Workflows webhook; `slack`: Block Kit; `teams`: a MessageCard (Office 365 connectors, retired by Microsoft, still accepted)." },
} as const satisfies Readonly<Record<string, FieldDoc>>;
