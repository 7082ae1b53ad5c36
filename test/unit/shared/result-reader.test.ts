import { describe, expect, it } from "vitest";
import type { BlobLocation } from "../../../shared/backends/classic/types";
import { freshLocation, readResult, ResultReadError, urlOf, type ResultHandle } from "../../../shared/storage/result-reader";
import { fakeTransport, type FakeOutcome } from "../../support/fake-transport";

const NOW = Date.parse("2030-01-01T00:00:00Z");
const MARGIN = 5 * 60_000;
const BLOB = "https://acct.blob.core.windows.net/";
const PATH = "results/run1/evaluation.csv";

const at = (offsetInMs: number, sig: string): BlobLocation => ({
  BaseLocation: BLOB,
  RelativeLocation: PATH,
  SasBlobToken: `?sv=2024-11-04&sr=b&sp=r&se=${encodeURIComponent(new Date(NOW + offsetInMs).toISOString())}&sig=${sig}`,
});
const STALE = at(24 * 3600_000, "first");
const FRESH = at(24 * 3600_000, "fresh");

/** A handle whose refresh (a BES job GET) mints FRESH and counts how often it was asked to. */
function handle(location: BlobLocation) {
  const h = { location, refreshCalls: 0, refresh: () => { h.refreshCalls++; return Promise.resolve(FRESH); } };
  return h satisfies ResultHandle;
}

/** Storage answering `first` for the original token and `fresh` for the refreshed one. */
function storage(location: BlobLocation, first: FakeOutcome, fresh: FakeOutcome = { status: 200, body: "fresh text" }) {
  return fakeTransport([
    { method: "GET", url: urlOf(location), reply: () => first },
    { method: "GET", url: urlOf(FRESH), reply: () => fresh },
  ]);
}

const options = (transport: ReturnType<typeof storage>) => ({ refreshMarginInMs: MARGIN, transport, now: () => NOW });

describe("readResult", () => {
  it("uses a token that outlives the margin as is", async () => {
    const h = handle(STALE);
    const transport = storage(STALE, { status: 200, body: "a,b\n1,2" });
    await expect(readResult(h, options(transport))).resolves.toEqual({ text: "a,b\n1,2", refreshes: 0 });
    expect(h.refreshCalls).toBe(0);
    expect(transport.requests.map((r) => r.url)).toEqual([`${BLOB}${PATH}${STALE.SasBlobToken}`]);
  });

  it.each([["expired an hour ago", -3600_000], ["expiring within the margin", 60_000]])("refreshes a token %s before reading", async (_, offset) => {
    const old = at(offset, "old");
    const h = handle(old);
    const transport = storage(old, { status: 403 });
    await expect(readResult(h, options(transport))).resolves.toEqual({ text: "fresh text", refreshes: 1 });
    expect(h.refreshCalls).toBe(1);
    expect(transport.requests.map((r) => r.url)).toEqual([urlOf(FRESH)]);
  });

  it("refreshes and retries once on a 403", async () => {
    const h = handle(STALE);
    const transport = storage(STALE, { status: 403 });
    await expect(readResult(h, options(transport))).resolves.toEqual({ text: "fresh text", refreshes: 1 });
    expect(transport.requests.map((r) => r.url)).toEqual([urlOf(STALE), urlOf(FRESH)]);
  });

  it("gives up, not retryable, when the fresh token is refused too", async () => {
    const h = handle(STALE);
    const transport = storage(STALE, { status: 403 }, { status: 403 });
    const e = await readResult(h, options(transport)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ResultReadError);
    expect(e).toMatchObject({ statusCode: 403, retryable: false });
    expect(transport.requests).toHaveLength(2);
    expect(h.refreshCalls).toBe(1);
  });

  it.each<[FakeOutcome, number | undefined, boolean]>([
    [{ status: 500 }, 500, true], [{ status: 503 }, 503, true], [{ status: 404 }, 404, false], ["network-error", undefined, true],
  ])("turns %j into a ResultReadError (status %s, retryable %s) without refreshing", async (outcome, statusCode, retryable) => {
    const h = handle(STALE);
    const transport = storage(STALE, outcome);
    const e = await readResult(h, options(transport)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ResultReadError);
    expect(e).toMatchObject({ statusCode, retryable });
    expect((e as Error).message).toContain(PATH);
    expect((e as Error).message).not.toContain("sig=");
    expect(transport.requests).toHaveLength(1);
    expect(h.refreshCalls).toBe(0);
  });
});

describe("freshLocation", () => {
  it("returns the location to use, refreshed only when needed", async () => {
    const o = { refreshMarginInMs: MARGIN, now: () => NOW };
    await expect(freshLocation(handle(STALE), o)).resolves.toEqual({ location: STALE, refreshes: 0 });
    await expect(freshLocation(handle(at(MARGIN - 1, "old")), o)).resolves.toEqual({ location: FRESH, refreshes: 1 });
    await expect(freshLocation(handle({ ...STALE, SasBlobToken: "?sv=2024&sig=no-expiry" }), o)).resolves.toEqual({ location: FRESH, refreshes: 1 });
  });
});

describe("urlOf", () => {
  it("joins base, path and token whether or not the base ends in a slash", () => {
    expect(urlOf({ BaseLocation: "https://a.blob.core.windows.net", RelativeLocation: "c/b.csv", SasBlobToken: "?sig=x" })).toBe("https://a.blob.core.windows.net/c/b.csv?sig=x");
    expect(urlOf({ BaseLocation: "https://a.blob.core.windows.net/", RelativeLocation: "c/b.csv", SasBlobToken: "?sig=x" })).toBe("https://a.blob.core.windows.net/c/b.csv?sig=x");
  });
});
