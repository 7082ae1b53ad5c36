import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestAzureMl } from "../support/azureml";
import type { RunningAzureMlService } from "../../emulator/azureml/service";
import { rawRequest } from "./raw-http";

/**
 * The local Azure ML (v2) service as an attacker meets it: every route without a token, with a
 * wrong one, and with the wrong kind (an endpoint's scoring key on ARM, the ARM token on
 * scoring); malformed, aborted and huge requests. Each is refused before a body is read or
 * anything is done; afterwards nothing changed, the service still answers, and no answer
 * carried its token or a key.
 */
let svc: RunningAzureMlService;
const answers: string[] = [];
let before: string;

const snapshot = () => JSON.stringify({
  jobs: [...svc.state.jobs.keys()],
  models: [...svc.state.models].map(([n, v]) => [n, [...v.keys()]]),
  endpoints: [...svc.state.endpoints.values()].map((e) => [e.name, e.traffic, e.mirrorTraffic, [...e.deployments.values()].map((d) => [d.name, d.provisioningState, d.modelId])]),
  operations: svc.state.operations.size,
});

beforeAll(async () => {
  ({ svc } = await startTestAzureMl());
  before = snapshot();
});
afterAll(() => svc?.stop());

async function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<number> {
  const r = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  answers.push(`${r.status} ${JSON.stringify([...r.headers])} ${await r.text()}`);
  return r.status;
}

const API = "api-version=2025-12-01";
/** Every route the service registers, with a body that would do harm if it were accepted. */
const routes = (): [method: string, url: string, body?: string][] => {
  const ws = `${svc.armUrl}${svc.workspaceId}`;
  const ep = `${ws}/onlineEndpoints/census-v2`;
  const ops = `${svc.armUrl}/subscriptions/${svc.config.subscriptionId}/providers/Microsoft.MachineLearningServices/locations/${svc.config.region}`;
  const mlflow = `${svc.armUrl}/mlflow/v1.0${svc.workspaceId}/api/2.0/mlflow`;
  return [
    ["GET", `${ws}?${API}`],
    ["PUT", `${ws}/jobs/evil?${API}`, JSON.stringify({ properties: { jobType: "Command", command: "rm -rf /", environmentId: "x" } })],
    ["GET", `${ws}/jobs/evil?${API}`],
    ["POST", `${ws}/jobs/evil/cancel?${API}`],
    ["PUT", `${ws}/models/census/versions/666?${API}`, JSON.stringify({ properties: { modelUri: "https://evil.example/model" } })],
    ["GET", `${ws}/models/census/versions/1?${API}`],
    ["GET", `${ws}/models/census/versions?${API}`],
    ["GET", `${ep}?${API}`],
    ["PUT", `${ep}?${API}`, JSON.stringify({ location: "x", properties: { authMode: "Key", traffic: {} } })],
    ["POST", `${ep}/listKeys?${API}`],
    ["POST", `${ep}/token?${API}`],
    ["PUT", `${ep}/deployments/evil?${API}`, JSON.stringify({ properties: { model: "x" } })],
    ["GET", `${ep}/deployments/blue?${API}`],
    ["DELETE", `${ep}/deployments/blue?${API}`],
    ["GET", `${ops}/mfeOperationsStatus/x?${API}`],
    ["GET", `${ops}/mfeOperationResults/x?${API}`],
    ["GET", `${mlflow}/runs/get?run_id=evil`],
    ["GET", `${mlflow}/metrics/get-history?run_id=evil&metric_key=auc`],
    ["POST", `${mlflow}/runs/create`, JSON.stringify({ experiment_id: "0" })],
    ["POST", `${mlflow}/runs/update`, JSON.stringify({ run_id: "evil", status: "FINISHED" })],
    ["POST", `${mlflow}/runs/log-metric`, JSON.stringify({ run_id: "evil", key: "auc", value: 1, timestamp: 0 })],
    ["POST", `${mlflow}/runs/log-batch`, JSON.stringify({ run_id: "evil", metrics: [{ key: "auc", value: 1, timestamp: 0 }] })],
    ["POST", `${svc.armUrl}/admin/faults`, JSON.stringify({ failNextJob: "x" })],
    ["GET", `${svc.armUrl}/admin/calls`],
    ["POST", `${svc.armUrl}/score/census-v2`, JSON.stringify({ input_data: { columns: [], data: [] } })],
  ];
};

describe("the v2 service's routes, without the right token", () => {
  it("the attack list names every route the service registers", () => {
    const dir = path.resolve(__dirname, "../../emulator/azureml");
    const files = [...readdirSync(dir).map((f) => path.join(dir, f)), ...readdirSync(path.join(dir, "routes")).map((f) => path.join(dir, "routes", f))].filter((f) => f.endsWith(".ts"));
    const registered = files.reduce((n, f) => n + (readFileSync(f, "utf8").match(/\br\.add\(/g) ?? []).length, 0);
    expect(routes()).toHaveLength(registered);
  });

  it("every route: no token, a wrong one, the other kind → 401", async () => {
    const key = svc.state.endpoint("census-v2")!.keys.primaryKey;
    for (const [method, url, body] of routes()) {
      const json = { "Content-Type": "application/json" };
      const scoring = url.includes("/score/");
      expect(await send(url, method, json, body), `${method} ${url}`).toBe(401);
      expect(await send(url, method, { ...json, Authorization: "Bearer wrong" }, body), `${method} ${url}`).toBe(401);
      // the endpoint's scoring key opens no ARM route, and ARM's token does not score
      expect(await send(url, method, { ...json, Authorization: `Bearer ${scoring ? svc.config.armToken : key}` }, body), `${method} ${url}`).toBe(401);
    }
  });
});

describe("malformed, aborted and huge requests", () => {
  const line = () => `PUT ${svc.workspaceId}/onlineEndpoints/census-v2?${API}`;

  it.each([
    ["a malformed request line", "GET http://[/ HTTP/1.1\r\nHost: x\r\n\r\n"],
    ["bad percent-encoding", "GET /subscriptions/%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n"],
    ["a 64 KiB header", `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`],
    ["not HTTP at all", "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003\r\n\r\n"],
  ])("%s: a 4xx or a closed connection", async (_what, head) => {
    const a = await rawRequest(svc.armUrl, head);
    expect(a.status === "closed" || (typeof a.status === "number" && a.status >= 400 && a.status < 500), String(a.status)).toBe(true);
    answers.push(a.text);
  });

  it("a client hanging up mid-body", async () => {
    const a = await rawRequest(svc.armUrl, `${line()} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer ${svc.config.armToken}\r\nContent-Length: 10000000\r\n\r\n`, { bodyBytes: 10_000_000, hangUpAfterBytes: 2 * 1024 * 1024 });
    expect(a.status).not.toBe("timeout");
  });

  it("540 MB chunked without a token: refused (401) after a few MB, not read to the end", async () => {
    const a = await rawRequest(svc.armUrl, `${line()} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`, { bodyBytes: 540 * 1024 * 1024, timeoutInMs: 60_000 });
    expect(a.status).toBe(401);
    expect(a.sent).toBeLessThan(64 * 1024 * 1024);
    answers.push(a.text);
  });

  it("a body over the limit with the right token: 413 once it ends (drained, not buffered); past 64 MB more, the connection is cut", async () => {
    const head = (framing: string) => `${line()} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer ${svc.config.armToken}\r\n${framing}\r\n\r\n`;
    const over = await rawRequest(svc.armUrl, head(`Content-Length: ${20 * 1024 * 1024}`), { bodyBytes: 20 * 1024 * 1024, timeoutInMs: 60_000 });
    expect(over.status).toBe(413);
    answers.push(over.text);
    const huge = await rawRequest(svc.armUrl, head("Transfer-Encoding: chunked"), { bodyBytes: 540 * 1024 * 1024, timeoutInMs: 60_000 });
    expect(huge.status).toBe("closed");
    expect(huge.sent).toBeLessThan(svc.config.maxRequestBodyBytes + 96 * 1024 * 1024);
  });

  it("a malformed JSON body with the right token: 400 that names it", async () => {
    const r = await fetch(`${svc.armUrl}${line().slice(4)}`, { method: "PUT", headers: { Authorization: `Bearer ${svc.config.armToken}`, "Content-Type": "application/json" }, body: "{\"properties\": {" });
    const text = await r.text();
    answers.push(text);
    expect(r.status).toBe(400);
    expect(text).toMatch(/JSON/i);
  });
});

/**
 * Traffic keys that are names on every JavaScript object. Sent as raw JSON text: a JS literal
 * `{ __proto__: 5 }` would not even put the key on the wire. Azure refuses any traffic key that is
 * not a deployment of the endpoint; these meet the same 400 as `ghost`, word for word, and change nothing.
 */
describe("traffic keys that are Object.prototype names", () => {
  const put = async (json: string) => {
    const head = `PUT ${svc.workspaceId}/onlineEndpoints/census-v2?${API} HTTP/1.0\r\nHost: x\r\nAuthorization: Bearer ${svc.config.armToken}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`;
    const a = await rawRequest(svc.armUrl, head);
    answers.push(a.text);
    const body = a.text.slice(a.text.indexOf("\r\n\r\n") + 4);
    return { status: a.status, error: (JSON.parse(body) as { error: { code: string; message: string } }).error };
  };
  const traffic = (entries: string) => `{"location":"localregion","properties":{"authMode":"Key","traffic":{${entries}}}}`;
  const mirror = (entries: string) => `{"location":"localregion","properties":{"authMode":"Key","traffic":{"blue":100},"mirrorTraffic":{${entries}}}}`;
  const endpointNow = async () => {
    const r = await fetch(`${svc.armUrl}${svc.workspaceId}/onlineEndpoints/census-v2?${API}`, { headers: { Authorization: `Bearer ${svc.config.armToken}` } });
    const p = ((await r.json()) as { properties: { traffic: unknown; mirrorTraffic: unknown } }).properties;
    return { traffic: p.traffic, mirrorTraffic: p.mirrorTraffic };
  };

  it.each([
    ["traffic", traffic],
    ["mirrorTraffic", mirror],
  ])("%s: __proto__, constructor, toString, hasOwnProperty → the 400 that ghost gets; the endpoint keeps its traffic", async (_field, body) => {
    const e = svc.state.endpoint("census-v2")!;
    const [operations, applied] = [svc.state.operations.size, e.trafficLog.length];
    const ghost = await put(body(body === traffic ? '"blue":100,"ghost":5' : '"ghost":5'));
    expect(ghost.status).toBe(400);
    expect(ghost.error.message).toMatch(/Deployment ghost does not exist on endpoint census-v2/);
    for (const key of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      for (const percent of [0, 5]) {
        const a = await put(body(body === traffic ? `"blue":100,"${key}":${percent}` : `"${key}":${percent}`));
        expect(a.status, `${key}: ${percent}`).toBe(400);
        expect(a.error, `${key}: ${percent}`).toEqual({ code: ghost.error.code, message: ghost.error.message.replace("ghost", key.toLowerCase()) });
      }
    }
    expect(await endpointNow()).toEqual({ traffic: { blue: 100 }, mirrorTraffic: {} });
    expect([svc.state.operations.size, e.trafficLog.length]).toEqual([operations, applied]);
  });
});

describe("afterwards", () => {
  it("the service still answers, nothing changed, and no answer carried its token or a key", async () => {
    const r = await fetch(`${svc.armUrl}${svc.workspaceId}/onlineEndpoints/census-v2?${API}`, { headers: { Authorization: `Bearer ${svc.config.armToken}` } });
    expect(r.status).toBe(200);
    expect(snapshot()).toBe(before);
    expect(answers.length).toBeGreaterThan(60);
    const all = answers.join("\n");
    const e = svc.state.endpoint("census-v2")!;
    for (const secret of [svc.config.armToken, e.keys.primaryKey, e.keys.secondaryKey]) expect(all.includes(secret), "an answer carried a secret").toBe(false);
  });
});
