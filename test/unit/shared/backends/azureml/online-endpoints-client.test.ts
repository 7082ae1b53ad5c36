import { describe, expect, it } from "vitest";
import { OnlineEndpointsClient } from "../../../../../shared/backends/azureml/online-endpoints-client";
import { fakeTransport, jsonBody, type Route } from "../../../../support/fake-transport";
import { countingCredential, NOW, TOKEN, v, WS, WS_URL } from "./fixtures";

const EP = `${WS_URL}/onlineEndpoints/census`;
const OP = `https://management.azure.com/subscriptions/sub-1/providers/Microsoft.MachineLearningServices/locations/eastus/mfeOperationsStatus/op-1?api-version=2025-12-01`;
const endpoint = (traffic: Record<string, number>, mirror: Record<string, number> = {}) => ({
  name: "census", location: "eastus", identity: { type: "SystemAssigned" }, tags: { team: "ml" },
  properties: { authMode: "Key", traffic, mirrorTraffic: mirror, provisioningState: "Succeeded", scoringUri: "https://census.eastus.inference.ml.azure.com/score" },
});
const client = (routes: Route[]) => {
  const transport = fakeTransport(routes);
  return { transport, online: new OnlineEndpointsClient({ workspace: WS, credential: countingCredential(), transport, now: () => NOW }) };
};

describe("OnlineEndpointsClient", () => {
  it("reads an endpoint's traffic", async () => {
    const { online } = client([{ method: "GET", url: v(EP), reply: () => ({ status: 200, body: endpoint({ blue: 90, green: 10 }, {}) }) }]);
    expect(await online.getEndpoint("census")).toEqual({ name: "census", provisioningState: "Succeeded", traffic: { blue: 90, green: 10 }, mirrorTraffic: {}, scoringUri: "https://census.eastus.inference.ml.azure.com/score", authMode: "Key" });
  });

  it("sets traffic by GET, edit, PUT of the whole body, dropping zero entries, and returns the operation to follow", async () => {
    const { online, transport } = client([
      { method: "GET", url: v(EP), reply: () => ({ status: 200, body: endpoint({ blue: 100 }) }) },
      { method: "PUT", url: v(EP), reply: () => ({ status: 201, headers: { "Azure-AsyncOperation": OP, "Retry-After": "5" }, body: endpoint({ blue: 50, green: 50 }) }) },
    ]);
    expect(await online.setTraffic("census", { blue: 50, green: 50, old: 0 })).toEqual({ done: false, url: OP, via: "azure-asyncoperation", retryAfterInMs: 5_000 });
    expect(jsonBody(transport.requests[1])).toEqual({ ...endpoint({ blue: 50, green: 50 }), properties: { ...endpoint({}).properties, traffic: { blue: 50, green: 50 }, mirrorTraffic: {} } });
  });

  it("creates a deployment with sku Default in the endpoint's region", async () => {
    const { online, transport } = client([
      { method: "GET", url: v(EP), reply: () => ({ status: 200, body: endpoint({ blue: 100 }) }) },
      { method: "PUT", url: v(`${EP}/deployments/green`), reply: () => ({ status: 201, headers: { "Azure-AsyncOperation": OP } }) },
    ]);
    const op = await online.putDeployment("census", "green", { model: `${WS.workspaceId}/models/census/versions/7`, instanceType: "Standard_DS3_v2", instanceCount: 1 });
    expect(op).toEqual({ done: false, url: OP, via: "azure-asyncoperation" });
    expect(jsonBody(transport.requests[1])).toEqual({ location: "eastus", sku: { name: "Default", capacity: 1 }, properties: { endpointComputeType: "Managed", model: `${WS.workspaceId}/models/census/versions/7`, instanceType: "Standard_DS3_v2", scaleSettings: { scaleType: "Default" } } });
  });

  it("follows an operation one poll at a time: running with its hint, then the end, with the service's reason on failure", async () => {
    const { online } = client([
      { method: "GET", url: OP, times: 1, reply: () => ({ status: 200, headers: { "Retry-After": "3" }, body: { status: "InProgress" } }) },
      { method: "GET", url: OP, times: 1, reply: () => ({ status: 200, body: { status: "Succeeded" } }) },
      { method: "GET", url: OP, reply: () => ({ status: 200, body: { status: "Failed", error: { code: "ResourceNotReady", message: "the container crashed" } } }) },
    ]);
    const op = { done: false as const, url: OP, via: "azure-asyncoperation" as const };
    expect(await online.pollOperation(op)).toEqual({ state: "running", retryAfterInMs: 3_000 });
    expect(await online.pollOperation(op)).toEqual({ state: "succeeded" });
    expect(await online.pollOperation(op)).toEqual({ state: "failed", reason: "the operation ended Failed (ResourceNotReady: the container crashed)" });
    expect(await online.pollOperation({ done: true })).toEqual({ state: "succeeded" });
  });

  it("reads a Location operation by its status: 202 running, 200 or 204 done", async () => {
    const loc = `${WS_URL}/onlineEndpoints/census/deployments/blue/operationResults/x`;
    const { online } = client([
      { method: "GET", url: loc, times: 1, reply: () => ({ status: 202 }) },
      { method: "GET", url: loc, reply: () => ({ status: 204 }) },
    ]);
    const op = { done: false as const, url: loc, via: "location" as const };
    expect(await online.pollOperation(op)).toEqual({ state: "running" });
    expect(await online.pollOperation(op)).toEqual({ state: "succeeded" });
  });

  it("never sends its token to an operation URL off ARM's origin", async () => {
    const { online, transport } = client([]);
    await expect(online.pollOperation({ done: false, url: "https://169.254.169.254/metadata", via: "azure-asyncoperation" })).rejects.toMatchObject({ code: "InvalidResponse", retryable: false });
    expect(transport.requests).toEqual([]);
  });

  it("deletes a deployment (202 with Location), and a deployment already gone counts as deleted", async () => {
    const loc = `${EP}/deployments/blue/operationResults/y`;
    const { online } = client([
      { method: "DELETE", url: v(`${EP}/deployments/blue`), times: 1, reply: () => ({ status: 202, headers: { Location: loc } }) },
      { method: "DELETE", url: v(`${EP}/deployments/blue`), reply: () => ({ status: 404, body: { error: { code: "NotFound" } } }) },
    ]);
    expect(await online.deleteDeployment("census", "blue")).toEqual({ done: false, url: loc, via: "location" });
    expect(await online.deleteDeployment("census", "blue")).toEqual({ done: true });
  });

  it("refuses to delete a deployment that takes traffic with the service's own error", async () => {
    const { online } = client([{ method: "DELETE", url: v(`${EP}/deployments/blue`), reply: () => ({ status: 400, body: { error: { code: "BadRequest", message: "Deployment blue has traffic 100" } } }) }]);
    await expect(online.deleteDeployment("census", "blue")).rejects.toMatchObject({ statusCode: 400, retryable: false, message: "delete deployment failed with 400 BadRequest: Deployment blue has traffic 100" });
  });

  it("scores one deployment through the header with the endpoint's key, never the ARM token", async () => {
    const { online, transport } = client([
      { method: "POST", url: v(`${EP}/listKeys`), reply: () => ({ status: 200, body: { primaryKey: "ep-key-1", secondaryKey: "ep-key-2" } }) },
      { method: "POST", url: "https://census.eastus.inference.ml.azure.com/score", reply: () => ({ status: 200, body: [0.1, 0.9] }) },
    ]);
    const { primaryKey } = await online.listKeys("census");
    expect(await online.score("https://census.eastus.inference.ml.azure.com/score", primaryKey, { input_data: { columns: ["age"], data: [[39]] } }, "green")).toEqual([0.1, 0.9]);
    expect(transport.requests[1]!.headers).toMatchObject({ Authorization: "Bearer ep-key-1", "azureml-model-deployment": "green" });
    expect(transport.requests[1]!.headers.Authorization).not.toContain(TOKEN);
  });

  it("reads traffic names as the service sent them: __proto__ and constructor are kept, not dropped or inherited", async () => {
    const traffic = JSON.parse('{"blue":90,"__proto__":10}') as Record<string, number>;
    const { online } = client([{ method: "GET", url: v(EP), reply: () => ({ status: 200, body: endpoint(traffic) }) }]);
    const e = await online.getEndpoint("census");
    expect(Object.entries(e.traffic)).toEqual([["blue", 90], ["__proto__", 10]]);
    expect(e.mirrorTraffic.constructor).toBeUndefined();
  });

  it("refuses traffic that cannot be a percentage", async () => {
    const { online } = client([{ method: "GET", url: v(EP), reply: () => ({ status: 200, body: endpoint({ blue: 150 }) }) }]);
    await expect(online.getEndpoint("census")).rejects.toMatchObject({ code: "InvalidResponse" });
  });
});
