import { AmlServiceError } from "./aml-error";
import { callService, parseJsonBody, type CallOptions } from "./request";
import { JOB_STATES, type BatchExecutionRequest, type BatchJobStatus, type BlobLocation, type JobState } from "./types";
import { fetchTransport, type HttpTransport } from "../../http/transport";

export interface BesClientOptions {
  /** `https://{region}.services.azureml.net/workspaces/{workspaceId}/services/{serviceId}` */
  readonly serviceUrl: string;
  readonly apiKey: string;
  readonly transport?: HttpTransport;
  readonly timeoutInMs?: number;
  readonly now?: () => number;
}

const API = "api-version=2.0";

/** Batch Execution Service of a training web service: submit, start, get, cancel. */
export class BesClient {
  private readonly o: CallOptions;
  private readonly base: string;

  constructor(options: BesClientOptions) {
    this.base = options.serviceUrl.replace(/\/+$/, "");
    this.o = { transport: options.transport ?? fetchTransport, apiKey: options.apiKey, timeoutInMs: options.timeoutInMs, now: options.now };
  }

  async submitJob(request: BatchExecutionRequest): Promise<string> {
    const res = await callService(this.o, "BES submit", "POST", `${this.base}/jobs?${API}`, request);
    const id = parseJsonBody<unknown>("BES submit", res);
    if (typeof id !== "string" || id === "") throw new AmlServiceError("BES submit returned no job id", { operation: "BES submit", code: "InvalidResponse", retryable: false, statusCode: res.status });
    return id;
  }

  async startJob(jobId: string): Promise<void> {
    await callService(this.o, "BES start", "POST", `${this.base}/jobs/${encodeURIComponent(jobId)}/start?${API}`);
  }

  async getJob(jobId: string): Promise<BatchJobStatus> {
    const res = await callService(this.o, "BES status", "GET", `${this.base}/jobs/${encodeURIComponent(jobId)}?${API}`);
    const body = parseJsonBody<{ StatusCode?: unknown; Results?: Record<string, BlobLocation> | null; Details?: string | null }>("BES status", res);
    return { state: jobState(body.StatusCode), results: body.Results ?? {}, ...(body.Details ? { details: body.Details } : {}) };
  }

  async cancelJob(jobId: string): Promise<void> {
    await callService(this.o, "BES cancel", "DELETE", `${this.base}/jobs/${encodeURIComponent(jobId)}?${API}`);
  }
}

/** Real services returned names or the integers 0–4 in contract order; both are accepted. */
export function jobState(code: unknown): JobState {
  if (typeof code === "number" && Number.isInteger(code) && JOB_STATES[code]) return JOB_STATES[code];
  if (typeof code === "string" && (JOB_STATES as readonly string[]).includes(code)) return code as JobState;
  throw new AmlServiceError(`BES status returned an unknown StatusCode ${JSON.stringify(code)}`, { operation: "BES status", code: "InternalError", retryable: false, detailCode: "UnknownJobStatusCode" });
}
