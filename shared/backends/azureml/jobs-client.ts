import { isAzureMlError, invalidResponse } from "./azureml-error";
import { azureMlPhase } from "./job-status";
import { azureMlCaller, jsonOf, withApiVersion, type AzureMlCall, type AzureMlClientOptions } from "./request";
import { workspaceUrl } from "./workspace";
import type { JobPhase } from "../job-phase";

export type JobInput =
  | { readonly jobInputType: "uri_file" | "uri_folder" | "mltable" | "custom_model" | "mlflow_model" | "triton_model"; readonly uri: string; readonly mode?: string }
  | { readonly jobInputType: "literal"; readonly value: string };
export interface JobOutput {
  readonly jobOutputType: "uri_file" | "uri_folder" | "mltable" | "custom_model" | "mlflow_model" | "triton_model";
  readonly mode?: string;
  readonly uri?: string;
}

/** A command job as this app submits it [contract §2, X:Job/CommandJob/createOrUpdate.json]. */
export interface CommandJobSpec {
  readonly command: string;
  /** ARM id of the environment (`…/environments/{e}/versions/{v}`). */
  readonly environmentId: string;
  readonly computeId?: string;
  /** ARM id of a code asset version (`…/codes/{c}/versions/{v}`): the job's working directory. Without it the job runs in the image alone. */
  readonly codeId?: string;
  readonly experimentName: string;
  readonly displayName: string;
  readonly inputs: Readonly<Record<string, JobInput>>;
  readonly outputs: Readonly<Record<string, JobOutput>>;
  readonly tags: Readonly<Record<string, string>>;
  /** The service's own limit: it cancels the job after this long even if we cannot. */
  readonly timeoutInSeconds?: number;
}

export interface JobInfo {
  readonly name: string;
  /** The service's state name; `phase` is what the pipeline decides on. */
  readonly status: string;
  readonly phase: JobPhase;
  readonly studioUrl?: string;
  readonly outputs: Readonly<Record<string, { readonly jobOutputType?: string; readonly uri?: string }>>;
  readonly tags: Readonly<Record<string, string>>;
  /** The service's reason, when the job failed. */
  readonly error?: string;
}

/** Job names are case-sensitive, 1–255 characters [contract §2]. */
const JOB_NAME = /^[a-zA-Z0-9][a-zA-Z0-9\-_]{0,254}$/;

/**
 * The job a run trains with, named from the run alone: a submit that is retried, or replayed
 * after a host died, finds the job its first attempt created instead of training twice.
 */
export function jobNameFor(runId: string): string {
  const name = `retrainer-${runId}`.replace(/[^a-zA-Z0-9\-_]/g, "-").slice(0, 255);
  if (!JOB_NAME.test(name)) throw invalidResponse("job name", `no valid job name for run ${runId}`);
  return name;
}

interface JobResource {
  name?: string;
  properties?: { status?: unknown; services?: Record<string, { endpoint?: string }>; outputs?: Record<string, { jobOutputType?: string; uri?: string }> | null; tags?: Record<string, string> | null; error?: { message?: unknown } | null };
}

/** Command jobs on one workspace: submit (idempotent by name), read, cancel. */
export class JobsClient {
  private readonly call: AzureMlCall;
  private readonly base: string;

  constructor(options: AzureMlClientOptions) {
    this.call = azureMlCaller(options);
    this.base = `${workspaceUrl(options.workspace)}/jobs`;
  }

  /** The job, or undefined when there is none of that name. */
  async get(name: string): Promise<JobInfo | undefined> {
    try {
      const res = await this.call({ operation: "get job", method: "GET", url: withApiVersion(`${this.base}/${encodeURIComponent(name)}`) });
      return jobInfo("get job", name, jsonOf<JobResource>("get job", res));
    } catch (e) {
      if (isAzureMlError(e) && e.statusCode === 404) return undefined;
      throw e;
    }
  }

  /**
   * Creates the job unless one of that name exists. GET first: the service does not promise a
   * conflict on a second PUT of create-only fields [contract §2], so a PUT alone is not idempotent.
   */
  async submit(name: string, spec: CommandJobSpec): Promise<{ readonly job: JobInfo; readonly alreadySubmitted: boolean }> {
    const existing = await this.get(name);
    if (existing) return { job: existing, alreadySubmitted: true };
    const body = {
      properties: {
        jobType: "Command", command: spec.command, environmentId: spec.environmentId, ...(spec.computeId ? { computeId: spec.computeId } : {}), ...(spec.codeId ? { codeId: spec.codeId } : {}),
        experimentName: spec.experimentName, displayName: spec.displayName, tags: spec.tags, inputs: spec.inputs, outputs: spec.outputs,
        ...(spec.timeoutInSeconds ? { limits: { jobLimitsType: "Command", timeout: `PT${Math.ceil(spec.timeoutInSeconds)}S` } } : {}),
      },
    };
    const res = await this.call({ operation: "submit job", method: "PUT", url: withApiVersion(`${this.base}/${encodeURIComponent(name)}`), body });
    return { job: jobInfo("submit job", name, jsonOf<JobResource>("submit job", res)), alreadySubmitted: false };
  }

  /** Asks the service to cancel; it answers 200, or 202 while the cancel takes effect. */
  async cancel(name: string): Promise<void> {
    await this.call({ operation: "cancel job", method: "POST", url: withApiVersion(`${this.base}/${encodeURIComponent(name)}/cancel`) });
  }
}

function jobInfo(operation: string, name: string, r: JobResource): JobInfo {
  const status = r.properties?.status;
  if (typeof status !== "string" || status === "") throw invalidResponse(operation, `job ${name} with no status`);
  const studio = r.properties?.services?.Studio?.endpoint;
  const error = r.properties?.error?.message;
  return {
    name: r.name ?? name, status, phase: azureMlPhase(status), ...(studio ? { studioUrl: studio } : {}), outputs: r.properties?.outputs ?? {}, tags: r.properties?.tags ?? {},
    ...(typeof error === "string" && error !== "" ? { error: error.slice(0, 1_000) } : {}),
  };
}
