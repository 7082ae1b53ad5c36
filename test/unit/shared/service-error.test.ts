import { describe, expect, it } from "vitest";
import { decideRetry, isServiceError, parseRetryAfter } from "../../../shared/errors/service-error";
import { classifyTableError } from "../../../shared/history/history-error";
import { readResult } from "../../../shared/storage/result-reader";
import { fakeTransport } from "../../support/fake-transport";

const NOW = Date.parse("2030-01-01T00:00:00Z");

describe("decideRetry: the one place retryable and throttled are decided", () => {
  it.each<[number | undefined, string | undefined, { retryable: boolean; retryAfterInMs?: number }]>([
    [429, "7", { retryable: true, retryAfterInMs: 7_000 }],
    [503, "Tue, 01 Jan 2030 00:00:30 GMT", { retryable: true, retryAfterInMs: 30_000 }],
    [429, undefined, { retryable: true }],
    [503, "soon", { retryable: true }],
    [500, "7", { retryable: true }],
    [502, "7", { retryable: true }],
    [408, undefined, { retryable: true }],
    [undefined, undefined, { retryable: true }],
    [400, "7", { retryable: false }],
    [401, undefined, { retryable: false }],
    [403, undefined, { retryable: false }],
    [404, undefined, { retryable: false }],
    [409, undefined, { retryable: false }],
  ])("status %j with Retry-After %j", (status, hint, expected) => {
    expect(decideRetry(status, hint, NOW)).toEqual(expected);
  });
});

describe("parseRetryAfter", () => {
  it.each<[string | undefined, number | undefined]>([
    ["7", 7000], ["0", 0], ["Tue, 01 Jan 2030 00:01:00 GMT", 60_000], ["Mon, 31 Dec 2029 23:00:00 GMT", 0], ["soon", undefined], ["", undefined], [undefined, undefined],
  ])("reads %j as %j ms", (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });
});

describe("every client's error follows the same rule", () => {
  const tableError = (statusCode: number, retryAfter?: string) => ({
    name: "RestError", statusCode, message: "x", details: { odataError: { code: "ServerBusy" } },
    response: { headers: { get: (n: string) => (n === "retry-after" ? retryAfter : undefined) } },
  });

  it("run history: 503 with a hint is throttled, 500 with one is a plain retry", () => {
    expect(classifyTableError("list", tableError(503, "3"), NOW)).toMatchObject({ name: "RunHistoryError", retryable: true, retryAfterInMs: 3_000 });
    expect(classifyTableError("list", tableError(500, "3"), NOW)).toMatchObject({ retryable: true, retryAfterInMs: undefined });
    expect(classifyTableError("list", tableError(409), NOW)).toMatchObject({ retryable: false, statusCode: 409 });
  });

  it("result reads: 429 with a hint is throttled, 500 with one is a plain retry", async () => {
    const read = (status: number) => readResult(
      { location: { BaseLocation: "https://a.blob.core.windows.net/", RelativeLocation: "c/b.csv", SasBlobToken: "?se=2031-01-01T00%3A00%3A00Z&sig=x" }, refresh: () => Promise.reject(new Error("no refresh")) },
      { refreshMarginInMs: 0, now: () => NOW, transport: fakeTransport([{ method: "GET", url: /b\.csv/, reply: () => ({ status, headers: { "Retry-After": "4" } }) }]) },
    ).then(() => undefined, (e: unknown) => e);
    expect(await read(429)).toMatchObject({ name: "ResultReadError", retryable: true, retryAfterInMs: 4_000, statusCode: 429 });
    expect(await read(500)).toMatchObject({ retryable: true, retryAfterInMs: undefined });
    expect(isServiceError(await read(404))).toBe(true);
  });

  it("is recognised by name, not by class", () => {
    expect(isServiceError({ name: "RunHistoryError", retryable: false })).toBe(true);
    for (const other of [new Error("x"), { name: "RunHistoryError" }, { name: "TypeError", retryable: true }, null]) expect(isServiceError(other)).toBe(false);
  });
});
