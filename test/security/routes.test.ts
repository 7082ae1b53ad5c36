import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registrations, triggerOf } from "../../local-host/registry";
import { FUNCTION_KEY, startHostedPipeline, type HostedPipeline } from "../support/host";
import { rawRequest } from "./raw-http";
import { expectNoSecrets, secrets, waitFor, world, type World } from "./world";

/**
 * Issue 14 as an attacker replays it against the running stack: every route of the host and the
 * ML service without a key, with a wrong one, and with the wrong kind; malformed, aborted and
 * huge requests. Each must be refused before anything is read or done; afterwards nothing has
 * started or changed, every server still answers, and no answer carried a secret.
 */
let p: HostedPipeline;
let before: World;
let known: Record<string, string>;
const answers: string[] = [];
const ID = "retrain-retrain";

beforeAll(async () => {
  p = await startHostedPipeline({ speed: 200 });
  known = secrets(p);
  // Something to attack: a finished run (a record, a served model) and one waiting for approval.
  expect((await p.call("POST", "/api/retrain", {})).status).toBe(202);
  const done = await p.engine.waitUntilEnded(ID);
  expect(done.customStatus).toMatchObject({ result: "promoted" });
  expect((await p.call("POST", "/api/retrain", { requireApproval: true })).status).toBe(202);
  await waitFor(async () => ((await p.call("GET", `/api/retrain/${ID}`)).body as { stage?: string }).stage, "awaiting-approval");
  before = await world(p);
}, 120_000);
afterAll(() => p.stop());

async function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<number> {
  const r = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await r.text();
  answers.push(`${r.status} ${JSON.stringify([...r.headers])} ${text}`); // the answer only: the request carries keys
  return r.status;
}

const approve = JSON.stringify({ approved: true, comment: "let me in" });
/** Every HTTP route of the app, with a body that would do harm if it were accepted. */
const APP_ROUTES: [method: string, route: string, body?: string][] = [
  ["POST", "/api/retrain", JSON.stringify({ gate: "AUC>=0.5" })],
  ["GET", `/api/retrain/${ID}`],
  ["POST", `/api/retrain/${ID}/approve`, approve],
  ["POST", `/api/retrain/${ID}/reject`, approve],
  ["POST", `/api/retrain/${ID}/cancel`, "{}"],
  ["GET", "/api/runs"],
  ["GET", "/api/runs/retrain-20260101T000000Z-000000"],
  ["GET", "/api/endpoints"],
  ["GET", "/api/endpoints/retrain"],
  ["POST", "/api/endpoints/retrain/rollback", "{}"],
  ["POST", "/api/endpoints/retrain/uploads", JSON.stringify({ name: "x.csv" })],
];
/**
 * The operator console's routes: keyless to the host (a browser cannot send a function key), so
 * the app itself refuses them without a console session; here the console is off (no
 * RETRAIN_CONSOLE_SECRET), so each says so, and a function key opens none of them. Its style and
 * script carry no data and are served to anyone, as the sign-in page needs them.
 */
const CONSOLE_ROUTES: [method: string, route: string, body?: string][] = [
  ["GET", "/api/console"],
  ["GET", "/api/console/endpoints/retrain"],
  ["GET", "/api/console/endpoints/retrain/rollback"],
  ["POST", "/api/console/endpoints/retrain/start", "dryRun=false"],
  ["GET", "/api/console/runs/retrain-20260101T000000Z-000000"],
  ["GET", "/api/console/runs/retrain-20260101T000000Z-000000/live"],
  ["POST", "/api/console/runs/retrain-20260101T000000Z-000000/decide", "decision=approve"],
  ["GET", "/api/console/confirm?token=x"],
  ["POST", "/api/console/confirm", "token=x"],
  ["GET", "/api/console/login"],
  ["POST", "/api/console/login", "key=x"],
  ["POST", "/api/console/logout"],
];
const CONSOLE_ASSETS: [method: string, route: string][] = [["GET", "/api/console/assets/console.css"]];
/** The API's OpenAPI description: anonymous, as the Azure Functions OpenAPI extension serves its own; it holds no key or setting. */
const PUBLIC_ROUTES: [method: string, route: string][] = [["GET", "/api/openapi.json"]];
const WEBHOOK = "/runtime/webhooks/durabletask";
const DURABLE_ROUTES: [method: string, route: string, body?: string][] = [
  ["GET", `${WEBHOOK}/instances`],
  ["GET", `${WEBHOOK}/instances/${ID}?showInput=true&showHistory=true`],
  ["POST", `${WEBHOOK}/instances/${ID}/raiseEvent/ApprovalDecision`, approve],
  ["POST", `${WEBHOOK}/instances/${ID}/terminate?reason=x`],
  ["DELETE", `${WEBHOOK}/instances/${ID}`],
  ["POST", `${WEBHOOK}/orchestrators/retrainOrchestrator/evil`, JSON.stringify({ endpoint: "retrain", gate: [] })],
];

describe("the host's routes, without the right key", () => {
  it("covers every HTTP route the app registers", () => {
    const registered = [...registrations().values()].map(triggerOf).filter((t) => t.type === "httpTrigger").map((t) => `${String(t.route)} ${(t.methods as string[]).join(",")}`);
    // On the real engine the app loads in its worker, not here: the local run checks the list.
    if (registered.length === 0) return;
    const pattern = (route: string) => new RegExp(`^/api/${route.replace(/\{[^}]+\}/g, "[^/]+")}$`);
    for (const r of registered) {
      const [route, methods] = r.split(" ") as [string, string];
      for (const m of methods.split(",")) expect([...APP_ROUTES, ...CONSOLE_ROUTES, ...CONSOLE_ASSETS, ...PUBLIC_ROUTES].some(([method, url]) => method === m && pattern(route).test(url.split("?")[0]!)), `${m} ${route} is attacked`).toBe(true);
    }
  });

  it.each(APP_ROUTES)("%s %s: no key, an empty key, a wrong key, the key in the wrong place → 401", async (method, route, body) => {
    const url = `${p.host.url}${route}`;
    const json = { "Content-Type": "application/json" };
    expect(await send(url, method, json, body)).toBe(401);
    expect(await send(url, method, { ...json, "x-functions-key": "" }, body)).toBe(401);
    expect(await send(url, method, { ...json, "x-functions-key": `${FUNCTION_KEY}x` }, body)).toBe(401);
    expect(await send(`${url}${url.includes("?") ? "&" : "?"}code=${FUNCTION_KEY.slice(0, -1)}`, method, json, body)).toBe(401);
    expect(await send(url, method, { ...json, Authorization: `Bearer ${FUNCTION_KEY}` }, body)).toBe(401);
  });

  it.each(CONSOLE_ROUTES)("%s %s: without a console, no key and the function key alike → 503, the console is off", async (method, route, body) => {
    const url = `${p.host.url}${route}`;
    const form = { "Content-Type": "application/x-www-form-urlencoded" };
    expect(await send(url, method, form, body)).toBe(503);
    expect(await send(url, method, { ...form, "x-functions-key": FUNCTION_KEY }, body)).toBe(503);
    expect(answers.at(-1)).toContain("The console is off");
  });

  it("the console's stylesheet is served to anyone, and is only a stylesheet", async () => {
    const r = await fetch(`${p.host.url}${CONSOLE_ASSETS[0]![1]}`);
    expect([r.status, r.headers.get("content-type")]).toEqual([200, "text/css; charset=utf-8"]);
  });

  it("the OpenAPI description is served to anyone (its answer is checked for secrets with the rest)", async () => {
    expect(await send(`${p.host.url}${PUBLIC_ROUTES[0]![1]}`, "GET", {})).toBe(200);
  });

  it.each(DURABLE_ROUTES)("%s %s: no key, the function key instead of the system key → 401", async (method, route, body) => {
    const url = `${p.host.url}${route}`;
    const json = { "Content-Type": "application/json" };
    expect(await send(url, method, json, body)).toBe(401);
    expect(await send(url, method, { ...json, "x-functions-key": FUNCTION_KEY }, body)).toBe(401);
    expect(await send(`${url}${url.includes("?") ? "&" : "?"}code=${FUNCTION_KEY}`, method, json, body)).toBe(401);
  });

  it("the durable client's own API answers nowhere on the callers' port", async () => {
    for (const path of ["/_durable/instances", "/_durable/instances/retrain-retrain/raiseEvent/ApprovalDecision"]) {
      expect(await send(`${p.host.url}${path}`, "POST", { "x-functions-key": FUNCTION_KEY, "Content-Type": "application/json" }, approve)).toBe(404);
    }
  });
});

describe("the ML service's routes, without the right key", () => {
  const e = () => p.emulator;
  const routes = (): [string, string, string?][] => [
    ["POST", `${e().besBase}/jobs?api-version=2.0`, "{}"],
    ["POST", `${e().besBase}/jobs/0123456789abcdef0123456789abcdef/start?api-version=2.0`],
    ["GET", `${e().besBase}/jobs/0123456789abcdef0123456789abcdef?api-version=2.0`],
    ["DELETE", `${e().besBase}/jobs/0123456789abcdef0123456789abcdef?api-version=2.0`],
    ["POST", `${e().endpoints()[0]!.apiLocation}/execute?api-version=2.0&details=true`, "{}"],
    ["GET", e().endpointsUrl],
    ["GET", `${e().endpointsUrl}/retrain`],
    ["PUT", `${e().endpointsUrl}/intruder`, "{}"],
    ["PATCH", `${e().endpointsUrl}/retrain`, JSON.stringify({ Resources: [] })],
    ["DELETE", `${e().endpointsUrl}/retrain`],
    ["GET", `${e().managementUrl}/_admin/jobs`],
    ["POST", `${e().managementUrl}/_admin/faults`, JSON.stringify({ failJobs: ["x"] })],
    ["DELETE", `${e().managementUrl}/_admin/faults`],
  ];

  it("every route: no key, a wrong key, another service's key → 401", async () => {
    for (const [method, url, body] of routes()) {
      const json = { "Content-Type": "application/json" };
      expect(await send(url, method, json, body), `${method} ${url}`).toBe(401);
      expect(await send(url, method, { ...json, Authorization: "Bearer wrong" }, body), `${method} ${url}`).toBe(401);
      // the endpoint's scoring key opens neither BES nor management
      if (!url.includes("/execute")) expect(await send(url, method, { ...json, Authorization: `Bearer ${e().endpoints()[0]!.primaryKey}` }, body), `${method} ${url}`).toBe(401);
    }
  });
});

describe("malformed, aborted and huge requests", () => {
  const servers = () => [
    ["host", p.host.url, "POST /api/retrain"],
    ["ML services", p.emulator.servicesUrl, `POST ${new URL(p.emulator.besBase).pathname}/jobs?api-version=2.0`],
    ["ML management", p.emulator.managementUrl, `PATCH ${new URL(p.emulator.endpointsUrl).pathname}/retrain`],
  ] as const;

  it.each([
    ["a malformed request line", "GET http://[/ HTTP/1.1\r\nHost: x\r\n\r\n"],
    ["bad percent-encoding", "GET /api/retrain/%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n"],
    ["a 64 KiB header", `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`],
    ["not HTTP at all", "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003\r\n\r\n"],
  ])("%s: a 4xx or a closed connection from each server", async (_what, head) => {
    for (const [name, url] of servers()) {
      const a = await rawRequest(url, head);
      expect(a.status === "closed" || (typeof a.status === "number" && a.status >= 400 && a.status < 500), `${name}: ${a.status}`).toBe(true);
      answers.push(a.text);
    }
  });

  it("a client hanging up mid-body, on each server", async () => {
    for (const [, url, line] of servers()) {
      const a = await rawRequest(url, `${line} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nx-functions-key: ${FUNCTION_KEY}\r\nContent-Length: 10000000\r\n\r\n`, { bodyBytes: 10_000_000, hangUpAfterBytes: 2 * 1024 * 1024 });
      expect(a.status).not.toBe("timeout");
    }
  });

  it("540 MB chunked without a key: refused (401) after a few MB, not read to the end", async () => {
    for (const [name, url, line] of servers()) {
      const a = await rawRequest(url, `${line} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`, { bodyBytes: 540 * 1024 * 1024, timeoutInMs: 60_000 });
      expect(a.status, name).toBe(401);
      expect(a.sent, name).toBeLessThan(64 * 1024 * 1024);
      answers.push(a.text);
    }
  });
});

describe("afterwards", () => {
  it("every server still answers, nothing started or changed, and no answer carried a secret", async () => {
    expect((await p.call("GET", `/api/retrain/${ID}`)).body).toMatchObject({ stage: "awaiting-approval" });
    expect((await p.emulator.call("GET", p.emulator.endpointsUrl, p.emulator.config.managementToken)).status).toBe(200);
    expect(await world(p)).toEqual(before);
    expect(answers.length).toBeGreaterThan(100);
    expectNoSecrets(answers.join("\n"), known, "the answers");
    expectNoSecrets(p.logs.join("\n"), known, "the host's log");
    expectNoSecrets(p.emulator.logs.join("\n"), known, "the ML service's log");
  });
});
