import { describe, expect, it } from "vitest";
import { EndpointClient } from "../../../../../shared/backends/classic/endpoint-client";
import type { BlobLocation, EndpointInfo } from "../../../../../shared/backends/classic/types";
import { fakeTransport, jsonBody, type Route } from "../../../../support/fake-transport";

const MGMT = "https://management.azureml.net";
const ENDPOINTS = `${MGMT}/workspaces/ws1/webservices/pred1/endpoints`;
const KEY = "mgmt-key-DO-NOT-LEAK-0123456789";
const RESOURCE = "Census Model [trained model]";
const MODEL: BlobLocation = { BaseLocation: "https://acct.blob.core.windows.net/", RelativeLocation: "runs/r1/model.ilearner", SasBlobToken: "?sv=2024&sr=b&sig=abc" };

function client(routes: Route[]) {
  const transport = fakeTransport(routes);
  return { endpoints: new EndpointClient({ managementUrl: `${MGMT}/`, workspaceId: "ws1", webServiceId: "pred1", apiKey: KEY, transport }), transport };
}

const endpoint = (name: string, resources = [RESOURCE]): EndpointInfo => ({ name, apiLocation: "https://x", resources: resources.map((r) => ({ name: r })) });

describe("EndpointClient.getEndpoint", () => {
  it("maps the endpoint's name, API location and updatable resources", async () => {
    const body = {
      Name: "retrain1", Description: "d", PrimaryKey: "pk", ApiLocation: "https://ussouthcentral.services.azureml.net/workspaces/ws1/services/abc",
      Resources: [{ Name: RESOURCE, Kind: "TrainedModel", Location: { BaseLocation: "https://a/", RelativeLocation: "c/m.ilearner" } }, { Name: "Other" }],
    };
    const { endpoints, transport } = client([{ method: "GET", url: `${ENDPOINTS}/retrain1`, reply: () => ({ status: 200, body }) }]);
    await expect(endpoints.getEndpoint("retrain1")).resolves.toEqual({
      name: "retrain1",
      apiLocation: body.ApiLocation,
      primaryKey: "pk",
      resources: [{ name: RESOURCE, location: { BaseLocation: "https://a/", RelativeLocation: "c/m.ilearner" } }, { name: "Other" }],
    });
    expect(transport.requests[0]?.headers.Authorization).toBe(`Bearer ${KEY}`);
  });

  it("reports a missing endpoint as a non-retryable AmlServiceError", async () => {
    const { endpoints } = client([{ method: "GET", url: `${ENDPOINTS}/nope`, reply: () => ({ status: 404, body: { error: { code: "NotFound" } } }) }]);
    await expect(endpoints.getEndpoint("nope")).rejects.toMatchObject({ name: "AmlServiceError", operation: "get endpoint", statusCode: 404, retryable: false });
  });
});

describe("EndpointClient.updateResource", () => {
  it("PATCHes the resource's new location to the endpoint", async () => {
    const { endpoints, transport } = client([{ method: "PATCH", url: `${ENDPOINTS}/retrain%201`, reply: () => ({ status: 200 }) }]);
    await endpoints.updateResource(endpoint("retrain 1"), RESOURCE, MODEL);
    expect(transport.requests).toHaveLength(1);
    expect(transport.requests[0]?.headers).toMatchObject({ Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" });
    expect(jsonBody(transport.requests[0])).toEqual({ Resources: [{ Name: RESOURCE, Location: MODEL }] });
  });

  it("surfaces a failed PATCH", async () => {
    const { endpoints } = client([{ method: "PATCH", url: `${ENDPOINTS}/retrain1`, reply: () => ({ status: 503, body: { error: { code: "ServiceUnavailable" } } }) }]);
    await expect(endpoints.updateResource(endpoint("retrain1"), RESOURCE, MODEL)).rejects.toMatchObject({ operation: "update resource", statusCode: 503, retryable: true });
  });

  it.each(["default", "Default"])("refuses the default endpoint (%s) without calling the service", async (name) => {
    const { endpoints, transport } = client([]);
    await expect(endpoints.updateResource(endpoint(name), RESOURCE, MODEL)).rejects.toMatchObject({ code: "BadArgument", retryable: false, message: expect.stringContaining("default endpoint") as unknown });
    expect(transport.requests).toEqual([]);
  });

  it("refuses a resource the endpoint does not list, naming what it lists, without calling the service", async () => {
    const { endpoints, transport } = client([]);
    const e = endpoint("retrain1", ["Census Model [trained model]", "Other"]);
    await expect(endpoints.updateResource(e, "Census Model", MODEL)).rejects.toThrow('no updatable resource "Census Model" (it lists: "Census Model [trained model]", "Other")');
    await expect(endpoints.updateResource(endpoint("retrain1", []), RESOURCE, MODEL)).rejects.toThrow("(it lists: none)");
    expect(transport.requests).toEqual([]);
  });
});
