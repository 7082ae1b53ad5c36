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

  /** Every value of `key` in the run, in step order; follows page tokens up to `maxPages`. */
  async getMetricHistory(jobName: string, key: string, maxPages = 10): Promise<{ readonly step: number; readonly value: number }[]> {
    const base = await this.trackingUrl();
    const out: { step: number; value: number }[] = [];
    let token: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const url = `${base}/api/2.0/mlflow/metrics/get-history?run_id=${encodeURIComponent(jobName)}&metric_key=${encodeURIComponent(key)}${token ? `&page_token=${encodeURIComponent(token)}` : ""}`;
      const body = jsonOf<{ metrics?: { step?: unknown; value?: unknown }[]; next_page_token?: unknown }>("read MLflow metric history", await this.call({ operation: "read MLflow metric history", method: "GET", url }));
      for (const m of body.metrics ?? []) out.push({ step: typeof m.step === "number" ? m.step : 0, value: typeof m.value === "number" ? m.value : Number.NaN });
      token = typeof body.next_page_token === "string" && body.next_page_token !== "" ? body.next_page_token : undefined;
      if (!token) break;
    }
    return out.sort((a, b) => a.step - b.step);
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
