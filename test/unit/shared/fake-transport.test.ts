import { describe, expect, it } from "vitest";
import { fakeTransport, jsonBody } from "../../support/fake-transport";

const URL_A = "https://host.test/a?x=1";

describe("fakeTransport", () => {
  it("answers from the first matching route and records every request", async () => {
    const t = fakeTransport([{ method: "POST", url: /\/a\?/, reply: (r) => ({ status: 201, body: { echo: jsonBody(r) }, headers: { "X-Ms-Id": "7" } }) }]);
    const res = await t({ method: "POST", url: URL_A, headers: { A: "b" }, body: '{"n":1}', timeoutInMs: 5 });
    expect(res).toEqual({ status: 201, headers: { "x-ms-id": "7" }, bodyText: '{"echo":{"n":1}}' });
    expect(t.requests).toEqual([{ method: "POST", url: URL_A, headers: { A: "b" }, body: '{"n":1}', timeoutInMs: 5 }]);
  });

  it("plays single-use routes in order, then falls through to the next match", async () => {
    const t = fakeTransport([
      { method: "GET", url: URL_A, times: 1, reply: () => ({ status: 503 }) },
      { method: "GET", url: URL_A, reply: () => ({ status: 200, body: "ok" }) },
    ]);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await t({ method: "GET", url: URL_A, headers: {} })).status);
    expect(statuses).toEqual([503, 200, 200]);
  });

  it("throws, naming the request, when no route matches", async () => {
    const t = fakeTransport([{ method: "GET", url: URL_A, reply: () => ({ status: 200 }) }]);
    await expect(t({ method: "DELETE", url: URL_A, headers: {} })).rejects.toThrow(`no route for DELETE ${URL_A}`);
    expect(t.requests).toHaveLength(1);
  });

  it("fails like fetch on a network error and on a timeout", async () => {
    const t = fakeTransport([
      { method: "GET", url: URL_A, times: 1, reply: () => "network-error" },
      { method: "GET", url: URL_A, reply: () => "timeout" },
    ]);
    await expect(t({ method: "GET", url: URL_A, headers: {} })).rejects.toMatchObject({ name: "TypeError", message: "fetch failed", cause: { message: "ECONNRESET" } });
    await expect(t({ method: "GET", url: URL_A, headers: {} })).rejects.toMatchObject({ name: "TimeoutError" });
  });
});
