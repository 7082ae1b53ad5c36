import { describe, expect, it } from "vitest";
import { mismatch, operationFor } from "../../support/openapi";

const json = "application/json; charset=utf-8";
const started = { id: "retrain-retrain", statusQueryGetUri: "http://h/runtime/webhooks/durabletask/instances/retrain-retrain?code=k", runId: "r1", links: { status: "http://h/api/retrain/retrain-retrain" } };

/** test/support/openapi.ts: what every e2e answer is held to, so a wrong description (or answer) fails the test that got it. */
describe("mismatch", () => {
  it("accepts an answer the description has: status, content type and body", () => {
    expect(mismatch({ method: "POST", path: "/api/retrain", status: 202, contentType: json, body: started })).toBeUndefined();
    expect(mismatch({ method: "GET", path: "/api/runs", status: 400, contentType: json, body: { error: "limit must be…" } })).toBeUndefined();
    // The host's 401 has no body in Azure.
    expect(mismatch({ method: "GET", path: "/api/runs", status: 401, contentType: null, body: undefined })).toBeUndefined();
  });

  it("names the route, the status and what is wrong", () => {
    expect(mismatch({ method: "GET", path: "/api/runs/x", status: 418, contentType: json, body: { error: "x" } })).toMatch(/GET \/api\/runs\/x answered 418: status 418 is not described for GET \/runs\/\{runId\}/);
    expect(mismatch({ method: "GET", path: "/api/runs", status: 400, contentType: "text/plain", body: "no" })).toMatch(/content type "text\/plain" is not described/);
    expect(mismatch({ method: "GET", path: "/api/runs", status: 400, contentType: json, body: { error: "x", extra: 1 } })).toMatch(/400: .*must NOT have additional properties.*"additionalProperty":"extra"/);
    expect(mismatch({ method: "POST", path: "/api/retrain", status: 202, contentType: json, body: { ...started, links: {} } })).toMatch(/\/links must have required property 'status'/);
  });

  it("never quotes the body (an upload grant carries a SAS)", () => {
    const grant = { endpoint: "e", container: "c", blob: "b", url: "http://h/c/b?sig=SECRET", expiresOn: "2026-01-01T00:00:00Z", permissions: ["read"], headers: {} };
    const problem = mismatch({ method: "POST", path: "/api/endpoints/e/uploads", status: 200, contentType: json, body: grant });
    expect(problem).toMatch(/permissions\/0 must be equal to one of the allowed values/);
    expect(problem).not.toContain("SECRET");
  });

  it("holds an undescribed method or path to the host's 404, and leaves the runtime's webhooks and other origins alone", () => {
    expect(mismatch({ method: "PUT", path: "/api/retrain", status: 404, contentType: json, body: { error: "No function" } })).toBeUndefined();
    expect(mismatch({ method: "PUT", path: "/api/retrain", status: 200, contentType: json, body: {} })).toMatch(/no PUT operation/);
    expect(mismatch({ method: "POST", path: "/runtime/webhooks/durabletask/instances/x/terminate", status: 202, contentType: null, body: undefined })).toBeUndefined();
  });

  it("matches literal segments before parameters, and literals case-insensitively as the host does", () => {
    expect(operationFor("GET", "/api/endpoints/retrain")?.template).toBe("/endpoints/{name}");
    expect(operationFor("POST", "/api/Endpoints/retrain/ROLLBACK")?.template).toBe("/endpoints/{name}/rollback");
    expect(operationFor("GET", "/api/console/runs/r1/live")?.template).toBe("/console/runs/{runId}/{action}");
    expect(operationFor("GET", "/elsewhere/runs")).toBeUndefined();
  });
});
