import { randomBytes, randomUUID } from "node:crypto";
import type { Router } from "../../http/router";
import type { AzureMlContext } from "../context";
import { arm, inWorkspace, objectBody } from "../guard";
import { badRequest, checkedTraffic, MAX_DEPLOYMENTS_PER_ENDPOINT, notFound, ONLINE_NAME } from "../rules";
import type { DeploymentRecord, EndpointRecord, OperationRecord } from "../state";
import { workspaceIdOf } from "../config";
import { makeScorer } from "../../training/ilearner";
import { wrongScorer } from "../scoring";
import { OPERATIONS, WS } from "./paths";

/**
 * Online endpoints and deployments with their long-running operations [contract §5]: changes
 * apply when their operation ends, and the operation's URL says when. Traffic rules are checked
 * on the PUT, as Azure does.
 */
export function onlineRoutes(r: Router, ctx: AzureMlContext): void {
  const endpointOf = (name: string): EndpointRecord => {
    const e = ctx.state.endpoint(name);
    if (!e) throw notFound(`Online endpoint ${name}`);
    return e;
  };

  r.add("GET", `${WS}/onlineEndpoints/:ep`, arm(ctx, "getEndpoint", (req) => {
    inWorkspace(ctx, req);
    return { status: 200, body: endpointBody(ctx, endpointOf(req.params.ep!)) };
  }));

  r.add("PUT", `${WS}/onlineEndpoints/:ep`, arm(ctx, "putEndpoint", async (req) => {
    inWorkspace(ctx, req);
    const e = endpointOf(req.params.ep!); // this service updates the endpoints it has; it does not create them
    const body = await objectBody(req);
    const p = (body.properties ?? {}) as Record<string, unknown>;
    if (typeof p.authMode !== "string") throw badRequest("properties.authMode is required (AMLToken, Key or AADToken).");
    const next = checkedTraffic(e, p.traffic, p.mirrorTraffic);
    e.provisioningState = "Updating";
    const op = operation(ctx, ctx.config.updateDelayInMs, () => {
      e.traffic = next.traffic;
      e.trafficLog.push(next.traffic);
      e.mirrorTraffic = next.mirrorTraffic;
      e.body = { ...e.body, ...(body.tags ? { tags: body.tags as Record<string, string> } : {}) };
      e.provisioningState = "Succeeded";
    });
    return { status: 200, headers: op.headers, body: endpointBody(ctx, e) };
  }));

  r.add("POST", `${WS}/onlineEndpoints/:ep/listKeys`, arm(ctx, "listKeys", (req) => {
    inWorkspace(ctx, req);
    const { primaryKey, secondaryKey } = endpointOf(req.params.ep!).keys;
    return { status: 200, body: { primaryKey, secondaryKey } };
  }));

  r.add("POST", `${WS}/onlineEndpoints/:ep/token`, arm(ctx, "getToken", (req) => {
    inWorkspace(ctx, req);
    endpointOf(req.params.ep!);
    const now = ctx.now();
    // Scoring accepts this token as it accepts the keys (a local simplification of AMLToken mode).
    return { status: 200, body: { accessToken: endpointOf(req.params.ep!).keys.primaryKey, tokenType: "Bearer", expiryTimeUtc: Math.floor(now / 1000) + 3600, refreshAfterTimeUtc: Math.floor(now / 1000) + 1800 } };
  }));

  r.add("PUT", `${WS}/onlineEndpoints/:ep/deployments/:dep`, arm(ctx, "putDeployment", async (req) => {
    inWorkspace(ctx, req);
    const e = endpointOf(req.params.ep!);
    const name = req.params.dep!.toLowerCase();
    if (!ONLINE_NAME.test(name)) throw badRequest(`Deployment name ${req.params.dep} is not valid: a letter, then letters, digits and dashes, 3 to 32 characters.`);
    const body = await objectBody(req);
    const p = (body.properties ?? {}) as Record<string, unknown>;
    const sku = body.sku as { name?: unknown } | undefined;
    if (sku?.name !== "Default") throw badRequest('sku.name must be "Default".');
    if (p.endpointComputeType !== "Managed") throw badRequest('properties.endpointComputeType must be "Managed".');
    if (typeof p.instanceType !== "string" || p.instanceType === "") throw badRequest("properties.instanceType is required.");
    const modelId = typeof p.model === "string" ? p.model : "";
    const m = /\/models\/([^/]+)\/versions\/([^/]+)$/.exec(modelId);
    const model = m && modelId.toLowerCase().startsWith(workspaceIdOf(ctx.config).toLowerCase()) ? ctx.state.models.get(m[1]!)?.get(m[2]!) : undefined;
    if (!model) throw badRequest(`properties.model ${modelId || "(none)"} is not a registered model version of this workspace.`);
    // Azure ML makes the scoring script and environment itself for MLflow models only [MLD]; the wording of its refusal is unverified.
    const code = p.codeConfiguration as { scoringScript?: unknown } | undefined;
    if (!isMlflowModel(model.properties.modelType) && (typeof p.environmentId !== "string" || typeof code?.scoringScript !== "string")) {
      throw badRequest(`Model ${model.name}:${model.version} is a ${model.properties.modelType}, not an MLflow model: deploying it needs properties.environmentId and properties.codeConfiguration with a scoring script. Only MLflow models deploy without them.`);
    }
    const existing = e.deployments.get(name);
    if (!existing && e.deployments.size >= MAX_DEPLOYMENTS_PER_ENDPOINT) throw badRequest(`Endpoint ${e.name} has ${MAX_DEPLOYMENTS_PER_ENDPOINT} deployments, the most it can have.`);
    const d: DeploymentRecord = existing ?? { name, body, modelId, provisioningState: "Creating", scored: 0, mirrored: 0 };
    Object.assign(d, { body, modelId, provisioningState: existing ? "Updating" : "Creating" });
    e.deployments.set(name, d);
    const failure = ctx.faults.takeDeploymentFailure();
    const wrong = ctx.faults.takeWrongModel();
    const op = operation(ctx, ctx.config.provisioningDelayInMs, () => {
      if (failure !== undefined) {
        d.provisioningState = "Failed";
        return { code: "DeploymentFailed", message: failure };
      }
      d.scorer = wrong ? wrongScorer(makeScorer(model.model)) : makeScorer(model.model);
      d.provisioningState = "Succeeded";
      return undefined;
    });
    return { status: existing ? 200 : 201, headers: op.headers, body: deploymentBody(ctx, e, d) };
  }));

  r.add("GET", `${WS}/onlineEndpoints/:ep/deployments/:dep`, arm(ctx, "getDeployment", (req) => {
    inWorkspace(ctx, req);
    const e = endpointOf(req.params.ep!);
    const d = e.deployments.get(req.params.dep!.toLowerCase());
    if (!d) throw notFound(`Deployment ${req.params.dep}`);
    return { status: 200, body: deploymentBody(ctx, e, d) };
  }));

  r.add("DELETE", `${WS}/onlineEndpoints/:ep/deployments/:dep`, arm(ctx, "deleteDeployment", (req) => {
    inWorkspace(ctx, req);
    const e = endpointOf(req.params.ep!);
    const name = req.params.dep!.toLowerCase();
    const d = e.deployments.get(name);
    if (!d) return { status: 204 };
    if ((e.traffic[name] ?? 0) > 0 || (e.mirrorTraffic[name] ?? 0) > 0) {
      throw badRequest(`Deployment ${name} takes ${e.traffic[name] ?? 0} % of live and ${e.mirrorTraffic[name] ?? 0} % of mirror traffic; set both to 0 before deleting it.`);
    }
    d.provisioningState = "Deleting";
    const op = operation(ctx, ctx.config.updateDelayInMs, () => {
      e.deployments.delete(name);
    });
    return { status: 202, headers: { Location: op.resultUrl, "Retry-After": "1" } };
  }));

  // Azure-AsyncOperation: {status, error?}; Location: 202 while running, 200 when done [ASY].
  r.add("GET", `${OPERATIONS}/mfeOperationsStatus/:id`, arm(ctx, "getOperationStatus", (req) => {
    const op = ctx.state.operations.get(req.params.id!);
    if (!op) throw notFound(`Operation ${req.params.id}`);
    const headers: Record<string, string> = op.status === "InProgress" ? { "Retry-After": "1" } : {};
    return { status: 200, headers, body: { id: op.id, name: op.id, status: op.status, ...(op.error ? { error: op.error } : {}) } };
  }));
  r.add("GET", `${OPERATIONS}/mfeOperationResults/:id`, arm(ctx, "getOperationResult", (req) => {
    const op = ctx.state.operations.get(req.params.id!);
    if (!op) throw notFound(`Operation ${req.params.id}`);
    if (op.status === "InProgress") return { status: 202, headers: { Location: operationUrls(ctx, op.id).result, "Retry-After": "1" } };
    if (op.error) throw badRequest(op.error.message);
    return { status: 200 };
  }));
}

function operationUrls(ctx: AzureMlContext, id: string) {
  const base = `${ctx.baseUrl()}/subscriptions/${ctx.config.subscriptionId}/providers/Microsoft.MachineLearningServices/locations/${ctx.config.region}`;
  return { status: `${base}/mfeOperationsStatus/${id}?api-version=2025-12-01`, result: `${base}/mfeOperationResults/${id}?api-version=2025-12-01` };
}

/** Starts a long-running operation: `apply` runs when it ends and may return why it failed. */
function operation(ctx: AzureMlContext, delayInMs: number, apply: () => { code: string; message: string } | undefined | void) {
  const op: OperationRecord = { id: randomUUID(), status: "InProgress" };
  ctx.state.operations.set(op.id, op);
  ctx.after(delayInMs, () => {
    const error = apply() ?? undefined;
    op.status = error ? "Failed" : "Succeeded";
    if (error) op.error = error;
  });
  const urls = operationUrls(ctx, op.id);
  return { headers: { "Azure-AsyncOperation": urls.status, "Retry-After": String(Math.max(1, Math.ceil(delayInMs / 1000))) }, resultUrl: urls.result };
}

export function newEndpointKeys() {
  return { primaryKey: randomBytes(24).toString("base64url"), secondaryKey: randomBytes(24).toString("base64url") };
}

function endpointBody(ctx: AzureMlContext, e: EndpointRecord): unknown {
  return {
    ...e.body, id: `${workspaceIdOf(ctx.config)}/onlineEndpoints/${e.name}`, name: e.name, type: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
    properties: { ...e.body.properties, authMode: "Key", traffic: e.traffic, mirrorTraffic: e.mirrorTraffic, provisioningState: e.provisioningState, scoringUri: `${ctx.baseUrl()}/score/${e.name}` },
  };
}

function deploymentBody(ctx: AzureMlContext, e: EndpointRecord, d: DeploymentRecord): unknown {
  return { ...d.body, id: `${workspaceIdOf(ctx.config)}/onlineEndpoints/${e.name}/deployments/${d.name}`, name: d.name, properties: { ...(d.body.properties as object), model: d.modelId, provisioningState: d.provisioningState } };
}

/** `mlflow_model` as the SDK writes it, `MLFlowModel` as the REST examples do. */
const isMlflowModel = (modelType: string) => modelType.replace(/_/g, "").toLowerCase() === "mlflowmodel";
