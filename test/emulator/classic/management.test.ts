import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ContainerClient } from "@azure/storage-blob";
import { startTestEmulator, sasFor, upload, type TestEmulator } from "../../support/emulator";
import { runBatchJob, type BlobResult } from "../../support/bes-client";
import { getEndpoint, score, type Endpoint } from "../../support/rrs-client";
import { adultSample, csvRows } from "../../support/census";

const RESOURCE = "Census Model [trained model]";
let e: TestEmulator;
let c: ContainerClient;
let trained: BlobResult;
const probe = csvRows(adultSample(20));

beforeAll(async () => {
  e = await startTestEmulator({ addedEndpoints: ["retrain", "second"] });
  c = await e.container();
  await upload(c, "input.csv", adultSample(3000));
  const cs = e.storageConnectionString;
  ({ output1: trained } = (
    await runBatchJob(e.besBase, e.config.trainingApiKey, {
      Inputs: { input1: { ConnectionString: cs, RelativeLocation: `${c.containerName}/input.csv` } },
      Outputs: { output1: { ConnectionString: cs, RelativeLocation: `${c.containerName}/m/model.ilearner` } },
      GlobalParameters: { "Random Seed": "5" },
    })
  ).results as { output1: BlobResult });
});
afterAll(() => e.stop());

const token = () => e.config.managementToken;
const patchBody = (location: unknown, name = RESOURCE) => ({ Resources: [{ Name: name, Location: location }] });
const errorOf = (b: unknown) => (b as { error: { code: string; message: string; details?: { code: string }[] } }).error;
const scores = (ep: Endpoint) => score(e, ep, probe.columns, probe.rows);

describe("management API: endpoints", () => {
  it("lists the default and added endpoints, each with its own keys and RRS location", async () => {
    const r = await e.call("GET", e.endpointsUrl, token());
    expect(r.status).toBe(200);
    const list = r.body as Endpoint[];
    expect(list.map((x) => x.Name)).toEqual(["default", "retrain", "second"]);
    expect(new Set(list.map((x) => x.PrimaryKey)).size).toBe(3);
    expect(new Set(list.map((x) => x.ApiLocation)).size).toBe(3);
    const retrain = list[1]!;
    expect(retrain).toMatchObject({ WorkspaceId: e.config.workspaceId, WebServiceId: e.config.predictiveServiceId, PreventUpdate: false, MaxConcurrentCalls: 20 });
    expect(retrain.Resources).toHaveLength(1);
    expect(retrain.Resources[0]).toMatchObject({ Name: RESOURCE, Kind: "TrainedModel" });
    expect(retrain.Resources[0]!.Location.RelativeLocation).toMatch(/\.ilearner$/);
  });

  it("adds an endpoint with PUT that scores at once, and deletes it", async () => {
    const put = await e.call("PUT", `${e.endpointsUrl}/customer42`, token(), { Description: "per-customer", ThrottleLevel: "High", MaxConcurrentCalls: 4 });
    expect(put.status).toBe(201);
    const added = await getEndpoint(e, "customer42");
    expect(added).toMatchObject({ Description: "per-customer", MaxConcurrentCalls: 4 });
    expect((await scores(added)).length).toBe(probe.rows.length);
    expect((await e.call("DELETE", `${e.endpointsUrl}/customer42`, token())).status).toBe(204);
    expect((await e.call("GET", `${e.endpointsUrl}/customer42`, token())).status).toBe(404);
    expect((await e.call("DELETE", `${e.endpointsUrl}/default`, token())).status).toBe(400);
  });

  it("refuses bad PUT input by name and changes nothing", async () => {
    const before = ((await e.call("GET", e.endpointsUrl, token())).body as unknown[]).length;
    const bad = await e.call("PUT", `${e.endpointsUrl}/x1`, token(), { MaxConcurrentCalls: 500 });
    expect([bad.status, errorOf(bad.body).message]).toEqual([400, expect.stringMatching(/MaxConcurrentCalls/)]);
    const badName = await e.call("PUT", `${e.endpointsUrl}/${"a".repeat(30)}`, token(), {});
    expect(badName.status).toBe(400);
    const unknown = await e.call("PUT", `${e.endpointsUrl}/x2`, token(), { Colour: "red" });
    expect(errorOf(unknown.body).message).toMatch(/Colour/);
    expect(((await e.call("GET", e.endpointsUrl, token())).body as unknown[]).length).toBe(before);
  });

  it("answers 401 without the workspace token or the endpoint's key, and 404 for unknown names", async () => {
    expect((await e.call("GET", e.endpointsUrl, "nope")).status).toBe(401);
    const retrain = await getEndpoint(e, "retrain");
    expect((await e.call("GET", e.endpointsUrl, retrain.PrimaryKey)).status).toBe(401); // listing needs the workspace token
    expect((await e.call("GET", `${e.endpointsUrl}/retrain`, retrain.PrimaryKey)).status).toBe(200);
    expect((await e.call("GET", `${e.endpointsUrl}/second`, retrain.PrimaryKey)).status).toBe(401);
    const missing = await e.call("GET", `${e.endpointsUrl}/ghost`, token());
    expect([missing.status, errorOf(missing.body).code]).toEqual([404, "NotFound"]);
    const svc = await e.call("GET", e.endpointsUrl.replace(e.config.predictiveServiceId, "abc"), token());
    expect([svc.status, errorOf(svc.body).details?.[0]?.code]).toEqual([404, "WebServiceNotFound"]);
  });
});

describe("management API: Update Resource (PATCH)", () => {
  it("refuses the default endpoint and the training service with 'no updatable resources'", async () => {
    const d = await e.call("PATCH", `${e.endpointsUrl}/default`, token(), patchBody(trained));
    expect(d.status).toBe(400);
    expect(errorOf(d.body).message).toMatch(/no updatable resources/);
    const t = await e.call("PATCH", `${e.endpointsUrl.replace(e.config.predictiveServiceId, e.config.trainingServiceId)}/default`, token(), patchBody(trained));
    expect(errorOf(t.body).message).toMatch(/no updatable resources/);
  });

  it.each([
    ["a wrong resource name", () => patchBody(trained, "Census Model [trained]"), /not an updatable resource/],
    ["a location not ending in .ilearner", () => patchBody({ ...trained, RelativeLocation: trained.RelativeLocation.replace(".ilearner", ".zip") }), /\.ilearner/],
    ["a location without a SAS token", () => patchBody({ BaseLocation: trained.BaseLocation, RelativeLocation: trained.RelativeLocation }), /SasBlobToken/],
    ["a missing blob", () => patchBody({ ...trained, RelativeLocation: `${c.containerName}/ghost.ilearner` }), /not found|refused/],
    ["no Resources", () => ({}), /Resources/],
  ])("refuses %s with 400, leaving the endpoint's model as it was", async (_what, body, message) => {
    const ep = await getEndpoint(e, "second");
    const before = await scores(ep);
    const r = await e.call("PATCH", `${e.endpointsUrl}/second`, token(), body());
    expect(r.status).toBe(400);
    expect(errorOf(r.body).message).toMatch(message);
    expect(await scores(ep)).toEqual(before);
  });

  it("refuses a blob that is not a trained model", async () => {
    await upload(c, "junk.ilearner", "this is not a model");
    const r = await e.call("PATCH", `${e.endpointsUrl}/second`, token(), patchBody({ BaseLocation: trained.BaseLocation, RelativeLocation: `${c.containerName}/junk.ilearner`, SasBlobToken: await sasFor(c, "junk.ilearner", "r") }));
    expect([r.status, errorOf(r.body).details?.[0]?.code]).toEqual([400, "InvalidBlob"]);
  });

  it("refuses an expired SAS token: Azurite enforces the expiry", async () => {
    const expired = await sasFor(c, "m/model.ilearner", "r", -60);
    const r = await e.call("PATCH", `${e.endpointsUrl}/second`, token(), patchBody({ ...trained, SasBlobToken: expired }));
    expect(r.status).toBe(400);
    expect(errorOf(r.body).message).toMatch(/refused.*403/);
  });

  it("keeps serving the old model until the propagation delay has passed", async () => {
    const slow = await startTestEmulator({ propagationDelayInMs: 1_500, storageConnectionString: e.storageConnectionString });
    try {
      const ep = await getEndpoint(slow, "retrain");
      const before = await score(slow, ep, probe.columns, probe.rows);
      const patched = await slow.call("PATCH", `${slow.endpointsUrl}/retrain`, ep.PrimaryKey, patchBody(trained));
      const acceptedAt = Date.now();
      expect(patched.status).toBe(200);
      expect(await score(slow, ep, probe.columns, probe.rows)).toEqual(before);
      await expect.poll(() => score(slow, ep, probe.columns, probe.rows), { timeout: 10_000, interval: 100 }).not.toEqual(before);
      expect(Date.now() - acceptedAt).toBeGreaterThanOrEqual(1_400);
    } finally {
      await slow.stop();
    }
  });

  it("serves the new model after PATCH with the endpoint's own key", async () => {
    const ep = await getEndpoint(e, "retrain");
    const before = await scores(ep);
    const r = await e.call("PATCH", `${e.endpointsUrl}/retrain`, ep.PrimaryKey, patchBody(trained));
    expect(r.status).toBe(200);
    expect(await scores(ep)).not.toEqual(before);
    // the other endpoints are untouched
    const untouched = await getEndpoint(e, "second");
    expect(untouched.Resources[0]!.Location.RelativeLocation).not.toBe(trained.RelativeLocation);
  });
});
