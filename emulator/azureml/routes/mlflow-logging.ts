import { randomUUID } from "node:crypto";
import type { Router, Request } from "../../http/router";
import type { AzureMlContext } from "../context";
import type { JobRecord, JobStatus } from "../state";
import { arm, inWorkspace } from "../guard";
import { MlflowError, RUN_STATUS } from "./mlflow-admin";
import { WS } from "./paths";

/**
 * MLflow's write calls, as its own client makes them from a training script [MLF: rest-api
 * "Create Run", "Update Run", "Log Metric", "Log Batch"; mlflow/protos/service.proto]. Azure ML
 * serves them at the workspace's tracking URI; a job's run id is the job's name, and a run created
 * here (as MLflow's client does when no run is active) is a job that runs no command. Params and
 * tags are accepted and not kept: `runs/get` here answers none, and the retrainer reads none.
 */
export function mlflowLoggingRoutes(r: Router, ctx: AzureMlContext): void {
  // Runs made by runs/create: their state is what the client says. A job's follows its command.
  const created = new Set<string>();
  const base = `/mlflow/v1.0${WS}/api/2.0/mlflow/runs`;

  r.add("POST", `${base}/create`, arm(ctx, "mlflowCreateRun", async (req) => {
    inWorkspace(ctx, req);
    const b = await mlflowBody(req);
    const start = optionalInteger(b, "start_time") ?? ctx.now();
    const name = randomUUID().replace(/-/g, "");
    const job: JobRecord = {
      name, status: "Running", createdAtMs: start, startedAtMs: start, metrics: new Map(), history: new Map(),
      properties: { experimentName: typeof b.experiment_id === "string" && b.experiment_id !== "" ? b.experiment_id : "Default", displayName: typeof b.run_name === "string" ? b.run_name.slice(0, 255) : name, tags: {} },
    };
    ctx.state.jobs.set(name, job);
    created.add(name);
    return { status: 200, body: { run: { info: runInfo(job), data: { metrics: [], params: [], tags: [] } } } };
  }, { apiVersion: false }));

  r.add("POST", `${base}/update`, arm(ctx, "mlflowUpdateRun", async (req) => {
    inWorkspace(ctx, req);
    const b = await mlflowBody(req);
    const job = runOf(ctx, b);
    const status = b.status;
    if (status !== undefined) {
      if (typeof status !== "string" || !(status in FROM_MLFLOW)) throw invalid(`status must be one of ${Object.keys(FROM_MLFLOW).join(", ")}`);
      if (created.has(job.name)) {
        job.status = FROM_MLFLOW[status as keyof typeof FROM_MLFLOW];
        if (status === "FINISHED" || status === "FAILED" || status === "KILLED") job.endedAtMs = optionalInteger(b, "end_time") ?? ctx.now();
      }
    }
    return { status: 200, body: { run_info: runInfo(job) } };
  }, { apiVersion: false }));

  r.add("POST", `${base}/log-metric`, arm(ctx, "mlflowLogMetric", async (req) => {
    inWorkspace(ctx, req);
    const b = await mlflowBody(req);
    const job = runOf(ctx, b);
    record(job, [metricOf(b, "")]);
    return { status: 200, body: {} };
  }, { apiVersion: false }));

  r.add("POST", `${base}/log-batch`, arm(ctx, "mlflowLogBatch", async (req) => {
    inWorkspace(ctx, req);
    const b = await mlflowBody(req);
    const job = runOf(ctx, b);
    const list = (k: string): unknown[] => {
      const v = b[k];
      if (v === undefined) return [];
      if (!Array.isArray(v)) throw invalid(`${k} must be an array`);
      return v;
    };
    const [metrics, params, tags] = [list("metrics"), list("params"), list("tags")];
    // MLflow's request limits for one batch [MLF: rest-api "Log Batch", "Request Limits"].
    if (metrics.length > 1000) throw invalid(`A batch logging request can contain at most 1000 metrics. Got ${metrics.length} metrics.`);
    if (params.length > 100) throw invalid(`A batch logging request can contain at most 100 params. Got ${params.length} params.`);
    if (tags.length > 100) throw invalid(`A batch logging request can contain at most 100 tags. Got ${tags.length} tags.`);
    if (metrics.length + params.length + tags.length > 1000) throw invalid("A batch logging request can contain at most 1000 metrics, params and tags in total.");
    // Checked whole before any is kept, so a bad batch leaves the run as it was.
    record(job, metrics.map((m, i) => metricOf(m, `metrics[${i}].`)));
    return { status: 200, body: {} };
  }, { apiVersion: false }));
}

const FROM_MLFLOW = { RUNNING: "Running", SCHEDULED: "Queued", FINISHED: "Completed", FAILED: "Failed", KILLED: "Canceled" } as const satisfies Record<string, JobStatus>;

interface Metric { key: string; value: number; timestamp: number; step: number }

const invalid = (message: string) => new MlflowError(400, "INVALID_PARAMETER_VALUE", message);

async function mlflowBody(req: Request): Promise<Record<string, unknown>> {
  const body = await req.json().catch(() => undefined);
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid("The request body must be a JSON object.");
  return body as Record<string, unknown>;
}

/** `run_id`, or the older `run_uuid` MLflow clients still send beside it. */
function runOf(ctx: AzureMlContext, b: Record<string, unknown>): JobRecord {
  const id = typeof b.run_id === "string" && b.run_id !== "" ? b.run_id : typeof b.run_uuid === "string" ? b.run_uuid : "";
  if (id === "") throw invalid("Missing value for required parameter 'run_id'.");
  const job = ctx.state.jobs.get(id);
  if (!job) throw new MlflowError(404, "RESOURCE_DOES_NOT_EXIST", `Run '${id.slice(0, 255)}' not found.`);
  return job;
}

function optionalInteger(b: Record<string, unknown>, k: string): number | undefined {
  const v = b[k];
  if (v === undefined) return undefined;
  const n = typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v; // int64 may come as a JSON string
  if (typeof n !== "number" || !Number.isSafeInteger(n)) throw invalid(`${k} must be an integer`);
  return n;
}

/** MLflow's metric key rule: alphanumerics, underscores, dashes, periods, spaces, slashes; at most 250. */
const METRIC_KEY = /^[\w\-. /]{1,250}$/;
const NON_FINITE: Readonly<Record<string, number>> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, "-Infinity": Number.NEGATIVE_INFINITY };

function metricOf(m: unknown, at: string): Metric {
  if (typeof m !== "object" || m === null) throw invalid(`${at || "the body "}must be a metric object`);
  const o = m as Record<string, unknown>;
  if (typeof o.key !== "string" || !METRIC_KEY.test(o.key)) throw invalid(`${at}key must be 1-250 letters, digits, '_', '-', '.', ' ' or '/'`);
  const value = typeof o.value === "number" ? o.value : typeof o.value === "string" && o.value in NON_FINITE ? NON_FINITE[o.value]! : undefined;
  if (value === undefined) throw invalid(`${at}value of metric ${o.key} must be a number`);
  const timestamp = optionalInteger(o, "timestamp");
  if (timestamp === undefined) throw invalid(`${at}timestamp of metric ${o.key} is required (milliseconds since the epoch)`);
  return { key: o.key, value, timestamp, step: optionalInteger(o, "step") ?? 0 };
}

/** Appends to each key's history; the latest value is the one of the highest step, then time, then value, as MLflow's. */
function record(job: JobRecord, metrics: readonly Metric[]): void {
  for (const { key, value, timestamp, step } of metrics) {
    const history = job.history.get(key) ?? [];
    history.push({ value, timestamp, step });
    job.history.set(key, history);
    const latest = history.reduce((a, m) => (m.step !== a.step ? (m.step > a.step ? m : a) : m.timestamp !== a.timestamp ? (m.timestamp > a.timestamp ? m : a) : m.value > a.value ? m : a));
    job.metrics.set(key, { value: latest.value, timestamp: latest.timestamp });
  }
}

function runInfo(job: JobRecord) {
  const text = (v: unknown, otherwise: string) => (typeof v === "string" ? v : otherwise);
  return {
    run_id: job.name, run_uuid: job.name, run_name: text(job.properties.displayName, job.name), experiment_id: text(job.properties.experimentName, "Default"), status: RUN_STATUS[job.status],
    start_time: job.startedAtMs ?? job.createdAtMs, ...(job.endedAtMs ? { end_time: job.endedAtMs } : {}), artifact_uri: `azureml://jobs/${job.name}/outputs/artifacts`, lifecycle_stage: "active",
  };
}
