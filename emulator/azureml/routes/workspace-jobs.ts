import type { Router } from "../../http/router";
import type { AzureMlContext } from "../context";
import { arm, inWorkspace, objectBody } from "../guard";
import { badRequest, notFound, JOB_NAME } from "../rules";
import type { JobRecord } from "../state";
import { workspaceIdOf } from "../config";
import { checkedCommand } from "../job-spec";
import { WS } from "./paths";

/** Workspace GET (its MLflow tracking URI) and command jobs: PUT, GET, cancel [contract §1, §2]. */
export function workspaceAndJobRoutes(r: Router, ctx: AzureMlContext): void {
  r.add("GET", WS, arm(ctx, "getWorkspace", (req) => {
    inWorkspace(ctx, req);
    const c = ctx.config;
    // Azure answers azureml://{region}.api.azureml.ms/mlflow/v1.0/…; this service has no TLS, so it names itself over http.
    return { status: 200, body: { id: workspaceIdOf(c), name: c.workspaceName, location: c.region, properties: { mlFlowTrackingUri: `${ctx.baseUrl()}/mlflow/v1.0${workspaceIdOf(c)}` } } };
  }));

  r.add("PUT", `${WS}/jobs/:job`, arm(ctx, "putJob", async (req) => {
    inWorkspace(ctx, req);
    const name = req.params.job!;
    if (!JOB_NAME.test(name)) throw badRequest(`Job name ${name} is not valid: it must match ^[a-zA-Z0-9][a-zA-Z0-9\\-_]{0,254}$.`);
    const body = await objectBody(req);
    const p = (body.properties ?? {}) as Record<string, unknown>;
    const existing = ctx.state.jobs.get(name);
    if (existing) {
      // A second PUT replaces the tags; create-only fields must not change (the real error is unverified).
      for (const k of ["command", "environmentId", "codeId"] as const) if (p[k] !== undefined && p[k] !== existing.properties[k]) throw badRequest(`Property ${k} of job ${name} cannot be changed after it is created.`);
      existing.properties.tags = p.tags ?? {};
      return { status: 200, body: jobBody(ctx, existing) };
    }
    if (p.jobType !== "Command") throw badRequest('properties.jobType must be "Command" (this service runs command jobs).');
    for (const k of ["command", "environmentId"] as const) if (typeof p[k] !== "string" || p[k] === "") throw badRequest(`properties.${k} is required.`);
    const resolvedCommand = checkedCommand(name, p);
    const job: JobRecord = { name, status: "NotStarted", properties: { experimentName: "Default", ...p }, resolvedCommand, createdAtMs: ctx.now(), metrics: new Map(), history: new Map() };
    ctx.state.jobs.set(name, job);
    ctx.jobs.submit(job);
    ctx.log(`job ${name} submitted: ${resolvedCommand}`);
    return { status: 201, body: jobBody(ctx, job) };
  }));

  r.add("GET", `${WS}/jobs/:job`, arm(ctx, "getJob", (req) => {
    inWorkspace(ctx, req);
    const job = ctx.state.jobs.get(req.params.job!);
    if (!job) throw notFound(`Job ${req.params.job}`);
    return { status: 200, body: jobBody(ctx, job) };
  }));

  r.add("POST", `${WS}/jobs/:job/cancel`, arm(ctx, "cancelJob", (req) => {
    inWorkspace(ctx, req);
    const job = ctx.state.jobs.get(req.params.job!);
    if (!job) throw notFound(`Job ${req.params.job}`);
    ctx.jobs.cancel(job);
    const url = `${ctx.baseUrl()}${workspaceIdOf(ctx.config)}/jobs/${job.name}?api-version=2025-12-01`;
    return job.status === "CancelRequested" ? { status: 202, headers: { Location: url, "Retry-After": "10" } } : { status: 200 };
  }));
}

function jobBody(ctx: AzureMlContext, job: JobRecord): unknown {
  const outputs = Object.fromEntries(Object.entries((job.properties.outputs ?? {}) as Record<string, Record<string, unknown>>).map(([k, v]) => [k, { ...v, uri: v.uri ?? `azureml://jobs/${job.name}/outputs/${k}` }]));
  return {
    id: `${workspaceIdOf(ctx.config)}/jobs/${job.name}`, name: job.name, type: "Microsoft.MachineLearningServices/workspaces/jobs",
    properties: {
      ...job.properties, outputs, status: job.status,
      services: { Studio: { endpoint: `${ctx.baseUrl()}/studio/jobs/${job.name}` } },
      ...(job.error ? { error: { code: "UserError", message: job.error } } : {}),
    },
  };
}
