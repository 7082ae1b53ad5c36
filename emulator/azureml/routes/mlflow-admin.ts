import type { Router } from "../../http/router";
import type { AzureMlContext } from "../context";
import { arm, inWorkspace, objectBody } from "../guard";
import { AmlHttpError } from "../../http/errors";
import { faultSettingsSchema } from "../faults";
import { armError } from "../rules";
import { WS } from "./paths";

/** MLflow's own error body: `{error_code, message}` [MLF]. */
export class MlflowError extends AmlHttpError {
  override toBody(): unknown {
    return { error_code: this.code, message: this.message };
  }
}

export const RUN_STATUS = { NotStarted: "SCHEDULED", Queued: "SCHEDULED", Running: "RUNNING", CancelRequested: "RUNNING", Completed: "FINISHED", Failed: "FAILED", Canceled: "KILLED" } as const;

/** MLflow `runs/get` (run id = job name) [contract §3], and the service's admin API for tests. */
export function mlflowAndAdminRoutes(r: Router, ctx: AzureMlContext): void {
  r.add("GET", `/mlflow/v1.0${WS}/api/2.0/mlflow/runs/get`, arm(ctx, "mlflowGetRun", (req) => {
    inWorkspace(ctx, req);
    const id = req.url.searchParams.get("run_id") ?? "";
    const job = ctx.state.jobs.get(id);
    if (!job) throw new MlflowError(404, "RESOURCE_DOES_NOT_EXIST", `Run '${id}' not found.`);
    return {
      status: 200,
      body: { run: {
        info: { run_id: job.name, run_uuid: job.name, experiment_id: "1", status: RUN_STATUS[job.status], start_time: job.startedAtMs ?? job.createdAtMs, ...(job.endedAtMs ? { end_time: job.endedAtMs } : {}), artifact_uri: `azureml://jobs/${job.name}/outputs/artifacts` },
        data: { metrics: [...job.metrics].map(([key, m]) => ({ key, value: m.value, timestamp: m.timestamp, step: 0 })), params: [], tags: [] },
      } },
    };
  }, { apiVersion: false }));

  r.add("GET", `/mlflow/v1.0${WS}/api/2.0/mlflow/metrics/get-history`, arm(ctx, "mlflowGetHistory", (req) => {
    inWorkspace(ctx, req);
    const id = req.url.searchParams.get("run_id") ?? "";
    const key = req.url.searchParams.get("metric_key") ?? "";
    const job = ctx.state.jobs.get(id);
    if (!job) throw new MlflowError(404, "RESOURCE_DOES_NOT_EXIST", `Run '${id}' not found.`);
    // Pages of max_results (default and cap 25,000 as MLflow's), the token being the next offset.
    const max = Math.min(Math.max(Number(req.url.searchParams.get("max_results") ?? 25_000) || 25_000, 1), 25_000);
    const from = Number(req.url.searchParams.get("page_token") ?? 0) || 0;
    const all = job.history.get(key) ?? [];
    const page = all.slice(from, from + max).map((m) => ({ key, ...m }));
    return { status: 200, body: { metrics: page, ...(from + max < all.length ? { next_page_token: String(from + max) } : {}) } };
  }, { apiVersion: false }));

  r.add("POST", "/admin/faults", arm(ctx, "admin", async (req) => {
    const r = faultSettingsSchema.safeParse(await objectBody(req));
    if (!r.success) throw armError(400, "BadRequest", `fault settings: ${r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")}`);
    ctx.faults.set(r.data);
    return { status: 204 };
  }, { apiVersion: false }));

  r.add("GET", "/admin/calls", arm(ctx, "admin", () => ({ status: 200, body: Object.fromEntries(ctx.faults.calls) }), { apiVersion: false }));
}
