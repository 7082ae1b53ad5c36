import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shape, KEY, startFixtureHost, uniqueHub, type FixtureHost } from "./fixture-host";

const SPEED = 10_000;
const HOOKS = "/runtime/webhooks/durabletask";

let f: FixtureHost;

beforeAll(async () => {
  f = await startFixtureHost({ hubName: uniqueHub("api"), speed: SPEED });
});
afterAll(() => f?.host.stop());

const waiting = (id: string) =>
  expect.poll(() => f.host.engine.get(id)?.customStatus, { timeout: 10_000 }).toEqual({ stage: "waiting" });

describe("instance management through the durable webhooks and the app's own durable client", () => {
  it("the status webhook needs the key, answers 202 while running and 200 once done", async () => {
    const id = await f.start("WaitForApproval", null, "hook-status");
    await waiting(id);

    expect((await f.call("GET", `${HOOKS}/instances/${id}`)).status).toBe(401);
    expect((await f.call("GET", `${HOOKS}/instances/${id}?code=wrong`)).status).toBe(401);

    const running = await f.call("GET", `${HOOKS}/instances/${id}?code=${KEY}`);
    expect(running.status).toBe(202);
    expect(running.body).toMatchObject({ name: "WaitForApproval", instanceId: id, runtimeStatus: "Running", customStatus: { stage: "waiting" }, output: null });
    // The key may come as a header instead.
    expect((await f.call("GET", `${HOOKS}/instances/${id}`, undefined, { "x-functions-key": KEY })).status).toBe(202);

    expect((await f.call("POST", `${HOOKS}/instances/${id}/raiseEvent/Approval`, { by: "hook" })).status).toBe(401);
    expect((await f.call("POST", `${HOOKS}/instances/${id}/raiseEvent/Approval?code=${KEY}`, { by: "hook" })).status).toBe(202);
    await f.ended(id);

    const done = await f.call("GET", `${HOOKS}/instances/${id}?code=${KEY}&showHistory=true`);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ runtimeStatus: "Completed", output: { approved: { by: "hook" } }, customStatus: { stage: "approved", by: "hook" } });
    const events = (done.body as { historyEvents: { EventType: number }[] }).historyEvents;
    expect(events.length).toBe(f.host.engine.get(id)!.history.length);

    expect((await f.call("GET", `${HOOKS}/instances/nobody?code=${KEY}`)).status).toBe(404);
    expect((await f.call("POST", `${HOOKS}/instances/${id}/raiseEvent/Approval?code=${KEY}`, { by: "late" })).status).toBe(410);
  });

  it("terminate ends a waiting instance as Terminated with the reason; a second terminate is refused", async () => {
    const id = await f.start("WaitForApproval", null, "hook-terminate");
    await waiting(id);
    expect((await f.call("POST", `${HOOKS}/instances/${id}/terminate?reason=no%20longer%20needed`)).status).toBe(401);
    expect((await f.call("POST", `${HOOKS}/instances/${id}/terminate?reason=no%20longer%20needed&code=${KEY}`)).status).toBe(202);
    const s = await f.ended(id);
    expect(s.status).toBe("Terminated");
    expect(s.output).toBe("no longer needed");
    expect(shape(s.history).at(-1)).toBe("ExecutionTerminated");
    const status = await f.call("GET", `${HOOKS}/instances/${id}?code=${KEY}`);
    expect(status).toMatchObject({ status: 200, body: { runtimeStatus: "Terminated", output: "no longer needed" } });
    expect((await f.call("POST", `${HOOKS}/instances/${id}/terminate?reason=again&code=${KEY}`)).status).toBe(410);
  });

  it("purge deletes an ended instance (from memory and storage) but refuses a running one", async () => {
    const id = await f.start("WaitForApproval", null, "hook-purge");
    await waiting(id);
    expect((await f.call("DELETE", `${HOOKS}/instances/${id}`)).status).toBe(401);
    expect((await f.call("DELETE", `${HOOKS}/instances/${id}?code=${KEY}`)).status).toBe(409);
    await f.call("POST", `${HOOKS}/instances/${id}/raiseEvent/Approval?code=${KEY}`, { by: "purger" });
    await f.ended(id);

    const purged = await f.call("DELETE", `${HOOKS}/instances/${id}?code=${KEY}`);
    expect(purged).toMatchObject({ status: 200, body: { instancesDeleted: 1 } });
    expect((await f.call("GET", `${HOOKS}/instances/${id}?code=${KEY}`)).status).toBe(404);
    expect((await f.call("DELETE", `${HOOKS}/instances/${id}?code=${KEY}`)).status).toBe(404);
    // An id can be reused once purged.
    expect((await f.call("POST", `/_durable/orchestrators/WaitForApproval/${id}`, null)).status).toBe(202);
    await f.call("POST", `/_durable/instances/${id}/raiseEvent/Approval`, { by: "again" });
    expect((await f.ended(id)).output).toEqual({ approved: { by: "again" } });
  });

  it("an instance id cannot be started twice while running (409), and a bad JSON body is a 400", async () => {
    const id = await f.start("WaitForApproval", null, "hook-dup");
    expect((await f.call("POST", `/_durable/orchestrators/WaitForApproval/${id}`, null)).status).toBe(409);
    expect((await f.call("POST", `/_durable/instances/${id}/raiseEvent/Approval`, "{not json")).status).toBe(400);
    expect((await f.call("POST", `/_durable/orchestrators/NoSuchOrchestrator`, null)).status).toBe(400);
    await f.call("POST", `/_durable/instances/${id}/terminate?reason=cleanup`);
    expect((await f.ended(id)).status).toBe("Terminated");
  });

  it("an HTTP starter's durable client (real library) starts an instance, raises its event and reads its status", async () => {
    const started = await f.call("POST", `/api/start/WaitForApproval/http-client?code=${KEY}`, "");
    expect(started.status).toBe(202);
    const urls = started.body as { id: string; statusQueryGetUri: string; sendEventPostUri: string };
    expect(urls.id).toBe("http-client");
    expect(urls.statusQueryGetUri.startsWith(`${f.host.url}${HOOKS}/instances/http-client`)).toBe(true);
    await waiting("http-client");

    const raised = await f.call("POST", `/api/raise/http-client/Approval?code=${KEY}`, { by: "client" });
    expect(raised.status).toBe(202);
    const s = await f.ended("http-client");
    expect(s.output).toEqual({ approved: { by: "client" } });

    // The status URL the client handed out works as given.
    const res = await fetch(urls.statusQueryGetUri);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ runtimeStatus: "Completed", output: { approved: { by: "client" } } });
    // And the HTTP trigger itself is keyed.
    expect((await f.call("POST", `/api/start/WaitForApproval/other`, "")).status).toBe(401);
  });

  it("raising an event needs application/json, as the extension's HttpApiHandler: 400 otherwise, and the event is not raised", async () => {
    const id = await f.start("WaitForApproval", null, "hook-media");
    await waiting(id);
    const res = await fetch(`${f.host.url}${HOOKS}/instances/${id}/raiseEvent/Approval?code=${KEY}`, { method: "POST", headers: { "Content-Type": "text/plain" }, body: '{"by":"text"}' });
    expect([res.status, await res.json()]).toEqual([400, { Message: "Only application/json request content is supported" }]);
    expect(f.host.engine.get(id)!.status).toBe("Running");
    await f.call("POST", `${HOOKS}/instances/${id}/raiseEvent/Approval?code=${KEY}`, { by: "json" });
    expect((await f.ended(id)).output).toEqual({ approved: { by: "json" } });
  });
});

describe("the durable client's loopback API: where Azure has it, and only there", () => {
  it("is not on the port callers use", async () => {
    const res = await fetch(`${f.host.url}/_durable/instances`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain("WaitForApproval");
  });

  it("on its own port, refuses a browser page (Origin) and a request naming another host (DNS rebinding)", async () => {
    const rpc = new URL(f.host.rpcUrl);
    const fromPage = await fetch(`${rpc.origin}/_durable/instances`, { headers: { Origin: "https://evil.example" } });
    expect(fromPage.status).toBe(403);
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request({ host: rpc.hostname, port: rpc.port, path: "/_durable/instances", headers: { Host: `evil.example:${rpc.port}` } }, (res) => (res.resume(), resolve(res.statusCode ?? 0)));
      req.once("error", reject).end();
    });
    expect(rebound).toBe(403);
    expect((await fetch(`${rpc.origin}/_durable/instances`)).status).toBe(200);
  });
});
