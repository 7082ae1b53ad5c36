import { RestError } from "@azure/storage-blob";
import type { Router, Request } from "../../http/router";
import { AmlHttpError, badArgument, notFound, unauthorized } from "../../http/errors";
import { keyMatches, bearerKey } from "../../auth";
import { checkReference, openReference } from "../blob-refs";
import { InvalidModelError, parseModel } from "../../training/ilearner";
import { TRAINED_MODEL_RESOURCE, type EndpointRecord } from "../workspace";
import type { ServiceContext } from "./context";

const ENDPOINT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,23}$/;

/** The management API for the predictive (and training) web service's endpoints. */
export function managementRoutes(router: Router, ctx: ServiceContext): void {
  const base = "/workspaces/:ws/webservices/:svc/endpoints";
  router.add("GET", base, (req) => {
    const svc = service(ctx, req, undefined);
    return { status: 200, body: svc === "training" ? [trainingEndpoint(ctx)] : ctx.workspace.endpoints.map((e) => view(ctx, e)) };
  });
  router.add("GET", `${base}/:name`, (req) => {
    const svc = service(ctx, req, req.params.name);
    if (svc === "training") return { status: 200, body: trainingEndpoint(ctx) };
    return { status: 200, body: view(ctx, endpointOf(ctx, req)) };
  });
  router.add("PUT", `${base}/:name`, (req) => put(ctx, req));
  router.add("DELETE", `${base}/:name`, async (req) => {
    requirePredictive(ctx, req, undefined);
    const e = endpointOf(ctx, req);
    if (e.isDefault) throw badArgument("CannotDeleteDefaultEndpoint", "The default endpoint cannot be deleted.");
    await ctx.workspace.deleteEndpoint(e);
    return { status: 204 };
  });
  router.add("PATCH", `${base}/:name`, (req) => patch(ctx, req));
}

/**
 * Which service a call is for, after checking the workspace and the key. The workspace token
 * opens everything; an endpoint's own API key opens GET and PATCH of that endpoint only, as the
 * retraining samples used it (unconfirmed which the real service accepted for PATCH; both here).
 */
function service(ctx: ServiceContext, req: Request, endpointName: string | undefined): "training" | "predictive" {
  if (req.params.ws!.toLowerCase() !== ctx.config.workspaceId.toLowerCase()) throw notFound("WorkspaceNotFound", `Workspace ${req.params.ws} was not found.`);
  const svc = req.params.svc!.toLowerCase();
  const kind = svc === ctx.config.trainingServiceId.toLowerCase() ? "training" : svc === ctx.config.predictiveServiceId.toLowerCase() ? "predictive" : undefined;
  if (!kind) throw notFound("WebServiceNotFound", `Web service ${req.params.svc} was not found in this workspace.`);
  const accepted = [ctx.config.managementToken];
  const e = endpointName !== undefined && kind === "predictive" ? ctx.workspace.endpoint(endpointName) : undefined;
  if (e) accepted.push(e.primaryKey, e.secondaryKey);
  if (kind === "training" && endpointName !== undefined) accepted.push(ctx.config.trainingApiKey);
  if (!keyMatches(bearerKey(req.raw), accepted)) throw unauthorized();
  return kind;
}

function requirePredictive(ctx: ServiceContext, req: Request, endpointName: string | undefined): void {
  if (service(ctx, req, endpointName) === "training") {
    throw badArgument("NoUpdatableResources", "This Web Service has no updatable resources: endpoints of a training web service cannot be changed.");
  }
}

function endpointOf(ctx: ServiceContext, req: Request): EndpointRecord {
  const e = ctx.workspace.endpoint(req.params.name!);
  if (!e) throw notFound("EndpointNotFound", `Endpoint ${req.params.name} was not found on this web service.`);
  return e;
}

function view(ctx: ServiceContext, e: EndpointRecord) {
  const shown = e.pending ?? e.model;
  return {
    Name: e.name,
    Description: e.description,
    CreationTime: e.creationTime,
    WorkspaceId: ctx.config.workspaceId,
    WebServiceId: ctx.config.predictiveServiceId,
    HelpLocation: `${ctx.servicesUrl()}/workspaces/${ctx.config.workspaceId}/services/${e.serviceId}/help`,
    PrimaryKey: e.primaryKey,
    SecondaryKey: e.secondaryKey,
    ApiLocation: `${ctx.servicesUrl()}/workspaces/${ctx.config.workspaceId}/services/${e.serviceId}`,
    Version: shown.sha256.slice(0, 12),
    PreventUpdate: e.preventUpdate,
    MaxConcurrentCalls: e.maxConcurrentCalls,
    ThrottleLevel: e.throttleLevel,
    // The default endpoint shows no updatable resource: it cannot be patched.
    Resources: e.isDefault ? [] : [{ Name: TRAINED_MODEL_RESOURCE, Kind: "TrainedModel", Location: shown.location }],
  };
}

function trainingEndpoint(ctx: ServiceContext) {
  return {
    Name: "default",
    Description: "Default endpoint",
    WorkspaceId: ctx.config.workspaceId,
    WebServiceId: ctx.config.trainingServiceId,
    PrimaryKey: ctx.config.trainingApiKey,
    ApiLocation: `${ctx.servicesUrl()}/workspaces/${ctx.config.workspaceId}/services/${ctx.config.trainingServiceId}`,
    Resources: [],
  };
}

async function put(ctx: ServiceContext, req: Request) {
  requirePredictive(ctx, req, undefined);
  const name = req.params.name!;
  if (!ENDPOINT_NAME.test(name)) throw badArgument("InvalidEndpointName", `Endpoint name "${name}" must be 1–24 letters, digits, "-" or "_", starting with a letter or digit.`);
  const body = await req.json();
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badArgument("InvalidRequestBody", "The body must be an object.");
  const b = body as Record<string, unknown>;
  const known = ["Description", "ThrottleLevel", "MaxConcurrentCalls", "PreventUpdate"];
  for (const k of Object.keys(b)) if (!known.includes(k)) throw badArgument("InvalidRequestBody", `Unknown field "${k}"; fields: ${known.join(", ")}.`);
  if (b.Description !== undefined && typeof b.Description !== "string") throw badArgument("InvalidRequestBody", "Description must be a string.");
  if (b.ThrottleLevel !== undefined && b.ThrottleLevel !== "Low" && b.ThrottleLevel !== "High") throw badArgument("InvalidRequestBody", 'ThrottleLevel must be "Low" or "High".');
  const mcc = b.MaxConcurrentCalls;
  if (mcc !== undefined && (typeof mcc !== "number" || !Number.isInteger(mcc) || mcc < 1 || mcc > 200)) throw badArgument("InvalidRequestBody", "MaxConcurrentCalls must be an integer from 1 to 200.");
  if (b.PreventUpdate !== undefined && typeof b.PreventUpdate !== "boolean") throw badArgument("InvalidRequestBody", "PreventUpdate must be true or false.");
  const existing = ctx.workspace.endpoint(name);
  if (existing) {
    if (b.Description !== undefined) existing.description = b.Description;
    if (b.ThrottleLevel !== undefined) existing.throttleLevel = b.ThrottleLevel;
    if (mcc !== undefined) existing.maxConcurrentCalls = mcc;
    if (b.PreventUpdate !== undefined) existing.preventUpdate = b.PreventUpdate;
    await ctx.workspace.saveEndpoint(existing);
    return { status: 200, body: view(ctx, existing) };
  }
  const created = await ctx.workspace.addEndpoint(name, {
    description: (b.Description) ?? "",
    throttleLevel: (b.ThrottleLevel) ?? "High",
    maxConcurrentCalls: (mcc) ?? 20,
    preventUpdate: (b.PreventUpdate) ?? false,
  });
  return { status: 201, body: view(ctx, created) };
}

/** Update Resource: validate everything, download and check the model, then accept it. */
async function patch(ctx: ServiceContext, req: Request) {
  requirePredictive(ctx, req, req.params.name);
  const e = endpointOf(ctx, req);
  if (e.isDefault) throw badArgument("NoUpdatableResources", "This Web Service has no updatable resources: the default endpoint cannot be updated; add an endpoint and update that.");
  const body = await req.json();
  const resources = (body as { Resources?: unknown } | null)?.Resources;
  if (!Array.isArray(resources) || resources.length !== 1) {
    throw badArgument("InvalidRequestBody", 'The body must be {"Resources":[{"Name":...,"Location":{...}}]} with exactly one resource.');
  }
  const r = resources[0] as { Name?: unknown; Location?: unknown };
  if (r.Name !== TRAINED_MODEL_RESOURCE) {
    throw badArgument("ResourceNotFound", `Resource ${JSON.stringify(r.Name ?? null)} is not an updatable resource of this endpoint; its resource is "${TRAINED_MODEL_RESOURCE}".`);
  }
  const location = checkReference(r.Location, "Resources[0].Location", ".ilearner");
  if (location.ConnectionString) throw badArgument("InvalidBlob", "Resources[0].Location needs BaseLocation, RelativeLocation and SasBlobToken.");
  const failure = ctx.faults.takePatchFailure();
  if (failure !== undefined) throw new AmlHttpError(failure, "InternalError", "The service failed to update the resource (injected fault); nothing was changed.");
  const text = await download(location);
  try {
    const model = parseModel(text);
    const unknown = model.features.map((f) => f.name).filter((n) => !ctx.workspace.inputColumns.includes(n));
    if (unknown.length > 0) throw new InvalidModelError(`the model needs column(s) ${unknown.join(", ")} that this web service's input does not have.`);
  } catch (err) {
    if (err instanceof InvalidModelError) throw badArgument("InvalidBlob", `Resources[0].Location is not a usable trained model: ${err.message}`);
    throw err;
  }
  if (ctx.faults.takePatchIgnored()) return { status: 200 };
  await ctx.workspace.acceptModel(e, text, { BaseLocation: location.BaseLocation!, RelativeLocation: location.RelativeLocation! }, ctx.config.propagationDelayInMs);
  return { status: 200 };
}

async function download(location: Parameters<typeof openReference>[0]): Promise<string> {
  try {
    return (await openReference(location).client.downloadToBuffer()).toString("utf8");
  } catch (e) {
    const status = e instanceof RestError ? e.statusCode : undefined;
    if (status === 404) throw badArgument("BlobNotFound", `Resources[0].Location: blob ${location.RelativeLocation} was not found.`);
    throw badArgument("InvalidBlob", `Resources[0].Location: storage refused to read ${location.RelativeLocation} (${status ?? "unreachable"}); the SAS token may be expired or lack read permission.`);
  }
}
