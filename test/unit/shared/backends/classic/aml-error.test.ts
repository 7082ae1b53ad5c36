import { describe, expect, it } from "vitest";
import { isAmlServiceError } from "../../../../../shared/backends/classic/aml-error";
import { BesClient } from "../../../../../shared/backends/classic/bes-client";
import { fakeTransport, type FakeOutcome } from "../../../../support/fake-transport";

const BASE = "https://ussouthcentral.services.azureml.net/workspaces/ws1/services/train1";
const JOB = `${BASE}/jobs/job-1?api-version=2.0`;
const KEY = "bes-key-DO-NOT-LEAK-0123456789";
const NOW = Date.parse("2030-01-01T00:00:00Z");

const error = (code: string, detail?: string) => ({ error: { code, message: `${code} happened`, ...(detail ? { details: [{ code: detail, message: "more" }] } : {}) } });

/** The error a BES status call ends with when the service answers `outcome`. */
async function failureOf(outcome: FakeOutcome): Promise<unknown> {
  const transport = fakeTransport([{ method: "GET", url: JOB, reply: () => outcome }]);
  const bes = new BesClient({ serviceUrl: BASE, apiKey: KEY, transport, now: () => NOW });
  return bes.getJob("job-1").then(
    () => { throw new Error("expected getJob to fail"); },
    (e: unknown) => e,
  );
}

describe("classifying BES failures", () => {
  it.each<[string, FakeOutcome, Record<string, unknown>]>([
    ["503 throttled with Retry-After seconds", { status: 503, body: error("ServiceUnavailable", "RequestThrottled"), headers: { "Retry-After": "7" } },
      { statusCode: 503, code: "ServiceUnavailable", detailCode: "RequestThrottled", retryable: true, retryAfterInMs: 7000 }],
    ["429 with an HTTP-date Retry-After", { status: 429, body: error("TooManyRequests"), headers: { "Retry-After": "Tue, 01 Jan 2030 00:00:30 GMT" } },
      { statusCode: 429, code: "TooManyRequests", retryable: true, retryAfterInMs: 30_000 }],
    ["408", { status: 408, body: error("RequestTimeout") }, { statusCode: 408, code: "RequestTimeout", retryable: true, retryAfterInMs: undefined }],
    ["500 with Retry-After: a plain retry, not throttling", { status: 500, body: error("InternalError"), headers: { "Retry-After": "7" } }, { statusCode: 500, retryable: true, retryAfterInMs: undefined }],
    ["429 without a retry hint: a plain retry", { status: 429, body: error("TooManyRequests") }, { statusCode: 429, retryable: true, retryAfterInMs: undefined }],
    ["500", { status: 500, body: error("InternalError") }, { statusCode: 500, code: "InternalError", retryable: true, retryAfterInMs: undefined }],
    ["502 with an HTML body", { status: 502, body: "<html><body>Bad Gateway</body></html>" }, { statusCode: 502, code: "Http502", retryable: true, retryAfterInMs: undefined }],
    ["500 with no body", { status: 500 }, { statusCode: 500, code: "Http500", retryable: true }],
    ["400 InvalidBlobExtension", { status: 400, body: error("BadArgument", "InvalidBlobExtension") },
      { statusCode: 400, code: "BadArgument", detailCode: "InvalidBlobExtension", retryable: false }],
    ["400 even with Retry-After", { status: 400, body: error("BadArgument"), headers: { "Retry-After": "5" } }, { retryable: false, retryAfterInMs: undefined }],
    ["401", { status: 401, body: error("Unauthorized", "ScoreRequestUnauthorized") }, { statusCode: 401, code: "Unauthorized", retryable: false }],
    ["404", { status: 404, body: error("NotFound", "WebServiceNotFound") }, { statusCode: 404, code: "NotFound", retryable: false }],
    ["a network error", "network-error", { code: "NetworkError", retryable: true, statusCode: undefined }],
    ["a timeout", "timeout", { code: "Timeout", retryable: true, statusCode: undefined }],
  ])("%s", async (_, outcome, expected) => {
    const e = await failureOf(outcome);
    expect(isAmlServiceError(e)).toBe(true);
    expect(e).toMatchObject({ name: "AmlServiceError", operation: "BES status", ...expected });
  });

  it("says what happened in the message, without the API key", async () => {
    const messages = await Promise.all([
      failureOf({ status: 503, body: error("ServiceUnavailable", "RequestThrottled") }),
      failureOf({ status: 401, body: "Unauthorized" }),
      failureOf("network-error"),
      failureOf("timeout"),
    ]).then((es) => es.map((e) => (e as Error).message));
    expect(messages).toEqual([
      "BES status failed with 503 ServiceUnavailable/RequestThrottled: ServiceUnavailable happened",
      "BES status failed with 401 Http401: Unauthorized",
      "BES status could not connect (ECONNRESET)",
      "BES status timed out",
    ]);
    for (const m of messages) expect(m).not.toContain(KEY);
  });
});

describe("isAmlServiceError", () => {
  it("recognises the error by name, even as a plain object from another module copy", () => {
    expect(isAmlServiceError({ name: "AmlServiceError", message: "x", retryable: true })).toBe(true);
    for (const other of [new Error("x"), { name: "ResultReadError" }, "AmlServiceError", null, undefined]) expect(isAmlServiceError(other)).toBe(false);
  });
});
