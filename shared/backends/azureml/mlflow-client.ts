import { invalidResponse } from "./azureml-error";
import { azureMlCaller, jsonOf, withApiVersion, type AzureMlCall, type AzureMlClientOptions } from "./request";
import { workspaceUrl } from "./workspace";

export interface MlflowRun {
  /** RUNNING | SCHEDULED | FINISHED | FAILED | KILLED */
  readonly status: string;
  /** The latest value of each key, as `runs/get` returns it; a value that is not a number is NaN. */
  readonly metrics: Readonly<Record<string, number>>;
}

/**
 * A job's metrics through MLflow's REST API: the run id is the job name [contract §3, MM]. The
 * tracking URI is read from the workspace, once, since private link changes it [TRK].
 */
export class MlflowClient {
  private readonly call: AzureMlCall;
  private tracking: Promise<string> | undefined;

  constructor(private readonly options: AzureMlClientOptions) {
    this.call = azureMlCaller(options);
  }

  async getRun(jobName: string): Promise<MlflowRun> {
    const base = await this.trackingUrl();
    const res = await this.call({ operation: "read MLflow run", method: "GET", url: `${base}/api/2.0/mlflow/runs/get?run_id=${encodeURIComponent(jobName)}` });
    const body = jsonOf<{ run?: { info?: { status?: unknown }; data?: { metrics?: { key?: unknown; value?: unknown; timestamp?: unknown }[] } } }>("read MLflow run", res);
    const status = body.run?.info?.status;
    if (typeof status !== "string") throw invalidResponse("read MLflow run", `run ${jobName} with no status`);
    const metrics: Record<string, number> = {};
    const at: Record<string, number> = {};
    for (const m of body.run?.data?.metrics ?? []) {
      if (typeof m.key !== "string" || m.key === "" || m.key === "__proto__") continue;
      const t = typeof m.timestamp === "number" ? m.timestamp : 0;
      // Only the latest value per key is promised; should two arrive, the later one counts.
      if (at[m.key] !== undefined && at[m.key]! > t) continue;
      at[m.key] = t;
      metrics[m.key] = typeof m.value === "number" ? m.value : Number.NaN;
    }
    return { status, metrics };
  }

  /** `properties.mlFlowTrackingUri` of the workspace, `azureml://` read as `https://` [NB]. */
  private trackingUrl(): Promise<string> {
    this.tracking ??= (async () => {
      const res = await this.call({ operation: "get workspace", method: "GET", url: withApiVersion(workspaceUrl(this.options.workspace)) });
      const uri = jsonOf<{ properties?: { mlFlowTrackingUri?: unknown } }>("get workspace", res).properties?.mlFlowTrackingUri;
      if (typeof uri !== "string" || !/^(azureml|https?):\/\//.test(uri)) throw invalidResponse("get workspace", "no MLflow tracking URI");
      return uri.replace(/^azureml:\/\//, "https://").replace(/\/+$/, "");
    })().catch((e: unknown) => {
      this.tracking = undefined;
      throw e;
    });
    return this.tracking;
  }
}
