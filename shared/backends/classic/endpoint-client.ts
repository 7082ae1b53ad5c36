import { AmlServiceError } from "./aml-error";
import { callService, parseJsonBody, type CallOptions } from "./request";
import type { BlobLocation, EndpointInfo } from "./types";
import { fetchTransport, type HttpTransport } from "../../http/transport";

export interface EndpointClientOptions {
  /** `https://management.azureml.net` (or a regional one) */
  readonly managementUrl: string;
  readonly workspaceId: string;
  /** The predictive web service's id. */
  readonly webServiceId: string;
  /** Workspace authorization token, or the endpoint's own API key. */
  readonly apiKey: string;
  readonly transport?: HttpTransport;
  readonly timeoutInMs?: number;
  readonly now?: () => number;
}

/** The classic default endpoint is named "default" and has no updatable resources. */
export const DEFAULT_ENDPOINT_NAME = "default";

/** Endpoints of a predictive web service: read one, and Update Resource (PATCH) its trained model. */
export class EndpointClient {
  private readonly o: CallOptions;
  private readonly base: string;

  constructor(options: EndpointClientOptions) {
    this.base = `${options.managementUrl.replace(/\/+$/, "")}/workspaces/${encodeURIComponent(options.workspaceId)}/webservices/${encodeURIComponent(options.webServiceId)}/endpoints`;
    this.o = { transport: options.transport ?? fetchTransport, apiKey: options.apiKey, timeoutInMs: options.timeoutInMs, now: options.now };
  }

  async getEndpoint(name: string): Promise<EndpointInfo> {
    const res = await callService(this.o, "get endpoint", "GET", `${this.base}/${encodeURIComponent(name)}`);
    const body = parseJsonBody<{ Name?: string; ApiLocation?: string; PrimaryKey?: string; Resources?: { Name?: string; Location?: { BaseLocation: string; RelativeLocation: string } }[] }>("get endpoint", res);
    return {
      name: body.Name ?? name,
      apiLocation: body.ApiLocation ?? "",
      ...(body.PrimaryKey ? { primaryKey: body.PrimaryKey } : {}),
      resources: (body.Resources ?? []).map((r) => ({ name: r.Name ?? "", ...(r.Location ? { location: r.Location } : {}) })),
    };
  }

  /**
   * PATCHes `resourceName` of `endpoint` to the model at `location`. Refuses, before any network
   * call, the default endpoint and a resource the endpoint does not list: both can only fail.
   */
  async updateResource(endpoint: EndpointInfo, resourceName: string, location: BlobLocation): Promise<void> {
    if (endpoint.name.toLowerCase() === DEFAULT_ENDPOINT_NAME) {
      throw new AmlServiceError(`Endpoint "${endpoint.name}" is the default endpoint, which has no updatable resources; add an endpoint and retrain that.`, { operation: "update resource", code: "BadArgument", retryable: false });
    }
    if (!endpoint.resources.some((r) => r.name === resourceName)) {
      const listed = endpoint.resources.map((r) => `"${r.name}"`).join(", ") || "none";
      throw new AmlServiceError(`Endpoint "${endpoint.name}" has no updatable resource "${resourceName}" (it lists: ${listed}).`, { operation: "update resource", code: "BadArgument", retryable: false });
    }
    await callService(this.o, "update resource", "PATCH", `${this.base}/${encodeURIComponent(endpoint.name)}`, {
      Resources: [{ Name: resourceName, Location: location }],
    });
  }
}
