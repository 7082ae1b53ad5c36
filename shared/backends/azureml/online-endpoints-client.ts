import { invalidResponse, isAzureMlError } from "./azureml-error";
import { asyncOperationStatus, operationOf, type AsyncOperation, type OperationStatus } from "./async-operation";
import { azureMlCaller, jsonOf, withApiVersion, type AzureMlCall, type AzureMlClientOptions } from "./request";
import { workspaceUrl } from "./workspace";
import { parseRetryAfter } from "../../errors/service-error";
import { emptyRecord } from "../../own-record";

/** Percent of live (or mirrored) traffic per deployment; live traffic sums to 0 or 100 [SR]. */
export type Traffic = Readonly<Record<string, number>>;

export interface OnlineEndpoint {
  readonly name: string;
  readonly provisioningState: string;
  readonly traffic: Traffic;
  readonly mirrorTraffic: Traffic;
  readonly scoringUri?: string;
  readonly authMode: string;
}

export interface OnlineDeployment {
  readonly name: string;
  readonly provisioningState: string;
  /** ARM id of the model version it serves. */
  readonly model?: string;
}

export interface DeploymentSpec {
  /** ARM id `…/models/{m}/versions/{v}`. */
  readonly model: string;
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly environmentId?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

interface EndpointResource {
  name?: string;
  location?: string;
  properties?: { provisioningState?: unknown; traffic?: Record<string, unknown> | null; mirrorTraffic?: Record<string, unknown> | null; scoringUri?: unknown; authMode?: unknown } & Record<string, unknown>;
}

/**
 * Managed online endpoints of one workspace: read an endpoint and set its traffic, create, read and
 * delete deployments, follow their long-running operations one poll at a time, and score one
 * deployment through the `azureml-model-deployment` header.
 */
export class OnlineEndpointsClient {
  private readonly call: AzureMlCall;
  private readonly base: string;
  private readonly armOrigin: string;

  constructor(private readonly options: AzureMlClientOptions) {
    this.call = azureMlCaller(options);
    this.base = `${workspaceUrl(options.workspace)}/onlineEndpoints`;
    this.armOrigin = new URL(options.workspace.armUrl).origin;
  }

  private now = () => (this.options.now ?? Date.now)();
  private endpointUrl = (e: string) => `${this.base}/${encodeURIComponent(e)}`;
  private deploymentUrl = (e: string, d: string) => `${this.endpointUrl(e)}/deployments/${encodeURIComponent(d)}`;

  async getEndpoint(name: string): Promise<OnlineEndpoint> {
    return endpointOf(name, await this.rawEndpoint(name));
  }

  /**
   * Sets live and mirrored traffic: GET the endpoint, change only `traffic` and `mirrorTraffic`,
   * PUT the whole body back (PATCH takes only tags and identity) [contract §5]. Zero entries are
   * dropped, as the SDK does.
   */
  async setTraffic(name: string, traffic: Traffic, mirrorTraffic: Traffic = {}): Promise<AsyncOperation> {
    const current = await this.rawEndpoint(name);
    const nonZero = (t: Traffic) => Object.fromEntries(Object.entries(t).filter(([, v]) => v !== 0));
    const body = { ...current, properties: { ...current.properties, traffic: nonZero(traffic), mirrorTraffic: nonZero(mirrorTraffic) } };
    const res = await this.call({ operation: "set endpoint traffic", method: "PUT", url: withApiVersion(this.endpointUrl(name)), body });
    return operationOf(res, this.now());
  }

  /** Creates or updates a deployment (it takes no traffic until `setTraffic` gives it some). */
  async putDeployment(endpoint: string, deployment: string, spec: DeploymentSpec): Promise<AsyncOperation> {
    const location = (await this.rawEndpoint(endpoint)).location;
    const body = {
      ...(location ? { location } : {}),
      // The service requires sku.name "Default" [SDK:entities/_deployment/online_deployment.py].
      sku: { name: "Default", capacity: spec.instanceCount },
      ...(spec.tags ? { tags: spec.tags } : {}),
      properties: { endpointComputeType: "Managed", model: spec.model, instanceType: spec.instanceType, scaleSettings: { scaleType: "Default" }, ...(spec.environmentId ? { environmentId: spec.environmentId } : {}) },
    };
    const res = await this.call({ operation: "create deployment", method: "PUT", url: withApiVersion(this.deploymentUrl(endpoint, deployment)), body });
    return operationOf(res, this.now());
  }

  async getDeployment(endpoint: string, deployment: string): Promise<OnlineDeployment | undefined> {
    try {
      const res = await this.call({ operation: "get deployment", method: "GET", url: withApiVersion(this.deploymentUrl(endpoint, deployment)) });
      const body = jsonOf<{ name?: string; properties?: { provisioningState?: unknown; model?: unknown } }>("get deployment", res);
      const state = body.properties?.provisioningState;
      if (typeof state !== "string") throw invalidResponse("get deployment", `deployment ${deployment} with no provisioningState`);
      const model = body.properties?.model;
      return { name: body.name ?? deployment, provisioningState: state, ...(typeof model === "string" ? { model } : {}) };
    } catch (e) {
      if (isAzureMlError(e) && e.statusCode === 404) return undefined;
      throw e;
    }
  }

  /** Deletes a deployment; one that is already gone counts as deleted. */
  async deleteDeployment(endpoint: string, deployment: string): Promise<AsyncOperation> {
    try {
      const res = await this.call({ operation: "delete deployment", method: "DELETE", url: withApiVersion(this.deploymentUrl(endpoint, deployment)) });
      return operationOf(res, this.now());
    } catch (e) {
      if (isAzureMlError(e) && e.statusCode === 404) return { done: true };
      throw e;
    }
  }

  /**
   * One poll of a long-running operation. The URL must be on ARM's own origin: the bearer token
   * goes with it, and an operation URL pointing elsewhere would hand the token to that host.
   */
  async pollOperation(op: AsyncOperation): Promise<OperationStatus> {
    if (op.done) return { state: "succeeded" };
    if (new URL(op.url).origin !== this.armOrigin) throw invalidResponse("poll operation", `an operation URL outside ${this.armOrigin}; it was not followed`);
    const res = await this.call({ operation: "poll operation", method: "GET", url: op.url });
    const retryAfterInMs = parseRetryAfter(res.headers["retry-after"], this.now());
    if (op.via === "location") return res.status === 202 ? (retryAfterInMs !== undefined ? { state: "running", retryAfterInMs } : { state: "running" }) : { state: "succeeded" };
    return asyncOperationStatus(jsonOf("poll operation", res), retryAfterInMs);
  }

  /** The endpoint's keys (authMode Key). Secrets: never returned from an activity or logged. */
  async listKeys(endpoint: string): Promise<{ readonly primaryKey: string; readonly secondaryKey?: string }> {
    const res = await this.call({ operation: "list endpoint keys", method: "POST", url: withApiVersion(`${this.endpointUrl(endpoint)}/listKeys`) });
    const body = jsonOf<{ primaryKey?: unknown; secondaryKey?: unknown }>("list endpoint keys", res);
    if (typeof body.primaryKey !== "string" || body.primaryKey === "") throw invalidResponse("list endpoint keys", "no primary key", res.status);
    return { primaryKey: body.primaryKey, ...(typeof body.secondaryKey === "string" ? { secondaryKey: body.secondaryKey } : {}) };
  }

  /** An AML token for scoring (authMode AMLToken). A secret, like the keys. */
  async getToken(endpoint: string): Promise<{ readonly accessToken: string; readonly expiryTimeUtc?: number }> {
    const res = await this.call({ operation: "get endpoint token", method: "POST", url: withApiVersion(`${this.endpointUrl(endpoint)}/token`) });
    const body = jsonOf<{ accessToken?: unknown; expiryTimeUtc?: unknown }>("get endpoint token", res);
    if (typeof body.accessToken !== "string" || body.accessToken === "") throw invalidResponse("get endpoint token", "no access token", res.status);
    return { accessToken: body.accessToken, ...(typeof body.expiryTimeUtc === "number" ? { expiryTimeUtc: body.expiryTimeUtc } : {}) };
  }

  /**
   * Scores `body` on the endpoint; with `deployment`, on that deployment alone, even at 0 % traffic,
   * and the call is not mirrored [SR]. The credential is the endpoint's key or token.
   */
  async score(scoringUri: string, credential: string, body: unknown, deployment?: string): Promise<unknown> {
    // The endpoint's own credential, not the ARM token: a caller of its own.
    const res = await azureMlCaller({ ...this.options, credential: { getToken: () => Promise.resolve({ token: credential, expiresOnTimestamp: Number.MAX_SAFE_INTEGER }) } })({
      operation: `score${deployment ? ` deployment ${deployment}` : ""}`, method: "POST", url: scoringUri, body,
      ...(deployment ? { headers: { "azureml-model-deployment": deployment } } : {}),
    });
    return jsonOf<unknown>("score", res);
  }

  private async rawEndpoint(name: string): Promise<EndpointResource> {
    const res = await this.call({ operation: "get endpoint", method: "GET", url: withApiVersion(this.endpointUrl(name)) });
    return jsonOf<EndpointResource>("get endpoint", res);
  }
}

/** Without a prototype, so a name such as `__proto__` in the answer is kept as it came, not dropped. */
function percentages(t: Record<string, unknown> | null | undefined, what: string): Traffic {
  const out = emptyRecord<number>();
  for (const [k, v] of Object.entries(t ?? {})) {
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 100) throw invalidResponse("get endpoint", `${what} ${JSON.stringify(v)} for deployment ${k}`);
    out[k] = v;
  }
  return out;
}

function endpointOf(name: string, r: EndpointResource): OnlineEndpoint {
  const p = r.properties ?? {};
  if (typeof p.provisioningState !== "string") throw invalidResponse("get endpoint", `endpoint ${name} with no provisioningState`);
  return {
    name: r.name ?? name,
    provisioningState: p.provisioningState,
    traffic: percentages(p.traffic, "traffic"),
    mirrorTraffic: percentages(p.mirrorTraffic, "mirror traffic"),
    ...(typeof p.scoringUri === "string" ? { scoringUri: p.scoringUri } : {}),
    authMode: typeof p.authMode === "string" ? p.authMode : "Key",
  };
}
