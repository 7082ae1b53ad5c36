import type { Router } from "../../http/router";
import type { AzureMlContext } from "../context";
import { arm, inWorkspace, objectBody } from "../guard";
import { badRequest, notFound } from "../rules";
import type { ModelVersionRecord } from "../state";
import { workspaceIdOf } from "../config";
import { WS } from "./paths";

/** Model versions: PUT (from a job's output), GET, list by tag [contract §4]. */
export function modelRoutes(r: Router, ctx: AzureMlContext): void {
  r.add("PUT", `${WS}/models/:model/versions/:version`, arm(ctx, "putModelVersion", async (req) => {
    inWorkspace(ctx, req);
    const { model: name, version } = req.params as { model: string; version: string };
    const p = ((await objectBody(req)).properties ?? {}) as Record<string, unknown>;
    if (typeof p.modelUri !== "string" || p.modelUri === "") throw badRequest("properties.modelUri is required.");
    const tags = (p.tags ?? {}) as Record<string, string>;
    const versions = ctx.state.models.get(name) ?? new Map<string, ModelVersionRecord>();
    const existing = versions.get(version);
    if (existing) {
      if (existing.properties.modelUri !== p.modelUri) throw badRequest(`Model ${name}:${version} exists with another modelUri; a version's model cannot be changed.`);
      existing.properties.tags = tags;
      return { status: 200, body: versionBody(ctx, existing) };
    }
    const m = /^azureml:\/\/jobs\/([^/]+)\/outputs\/([^/]+)(?:\/paths\/.*)?$/.exec(p.modelUri);
    const job = m ? ctx.state.jobs.get(m[1]!) : undefined;
    if (!job?.model) throw badRequest(`modelUri ${p.modelUri} is not the output of a completed job of this workspace.`);
    const record: ModelVersionRecord = {
      name, version, model: job.model,
      properties: { modelType: typeof p.modelType === "string" ? p.modelType : "custom_model", modelUri: p.modelUri, jobName: job.name, tags, ...(typeof p.description === "string" ? { description: p.description } : {}) },
    };
    versions.set(version, record);
    ctx.state.models.set(name, versions);
    return { status: 201, body: versionBody(ctx, record) };
  }));

  r.add("GET", `${WS}/models/:model/versions/:version`, arm(ctx, "getModelVersion", (req) => {
    inWorkspace(ctx, req);
    const v = ctx.state.models.get(req.params.model!)?.get(req.params.version!);
    if (!v) throw notFound(`Model ${req.params.model}:${req.params.version}`);
    return { status: 200, body: versionBody(ctx, v) };
  }));

  r.add("GET", `${WS}/models/:model/versions`, arm(ctx, "listModelVersions", (req) => {
    inWorkspace(ctx, req);
    // `tags=a,b=v`: every listed tag present (with that value, when given).
    const wanted = (req.url.searchParams.get("tags") ?? "").split(",").filter(Boolean).map((t) => t.split("="));
    const all = [...(ctx.state.models.get(req.params.model!)?.values() ?? [])]
      .filter((v) => wanted.every(([k, val]) => Object.prototype.hasOwnProperty.call(v.properties.tags, k!) && (val === undefined || v.properties.tags[k!] === val)))
      .reverse();
    return { status: 200, body: { value: all.map((v) => versionBody(ctx, v)) } };
  }));
}

function versionBody(ctx: AzureMlContext, v: ModelVersionRecord): unknown {
  return { id: `${workspaceIdOf(ctx.config)}/models/${v.name}/versions/${v.version}`, name: v.version, properties: v.properties };
}
