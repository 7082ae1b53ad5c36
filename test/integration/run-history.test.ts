import { beforeAll, describe, expect, inject, it } from "vitest";
import { AzureNamedKeyCredential, TableClient } from "@azure/data-tables";
import { RunHistoryClient } from "../../shared/history/run-history";
import type { RunRecord } from "../../shared/history/run-record";
import { isRunHistoryError, type RunHistoryError } from "../../shared/history/history-error";
import { AZURITE_ACCOUNT, AZURITE_KEY } from "../../emulator/azurite";

const metrics = { accuracy: 0.84, precision: 0.71, recall: 0.6, f1_score: 0.65, auc: 0.89, log_loss: 0.35, training_log_loss: 0.4 };
const t0 = Date.parse("2025-06-01T02:00:00.000Z");
const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();

/** A record with every field set, so a round trip that drops one shows up. */
function run(runId: string, overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    runId, endpoint: "census", instanceId: `retrain-${runId}`,
    trigger: { kind: "http", caller: "ops@example.com" },
    dataSource: "file data/census.csv", dataBytes: 2_048_576, dataSha256: "ab".repeat(32), jobId: `job-${runId}`,
    metrics, championMetrics: { ...metrics, auc: 0.87 },
    gateRules: "auc>=0.85; auc>=champion-0.005",
    decision: { passed: true, reasons: ["AUC 0.89 ≥ 0.85: passed.", "AUC 0.89 ≥ champion 0.87 − 0.005: passed."], comparedWithChampion: true },
    result: "promoted", reason: "The gate passed; the new model serves.",
    modelBefore: { backend: "classic", BaseLocation: "https://old.blob.core.windows.net/", RelativeLocation: "models/old.ilearner" },
    modelAfter: { backend: "classic", BaseLocation: "https://new.blob.core.windows.net/", RelativeLocation: `runs/${runId}/model.ilearner` },
    archivedModel: { backend: "classic", BaseLocation: "https://arch.blob.core.windows.net/", RelativeLocation: "archive/old.ilearner" },
    durationsInSeconds: { staging: 12.5, training: 340, evaluating: 4, promoting: 2 },
    startedAt: at(0), endedAt: at(6),
    ...overrides,
  };
}

const unique = () => `runs${Date.now()}${Math.floor(Math.random() * 1e6)}`;
const connectionString = () => inject("azuriteConnectionString");
let history: RunHistoryClient;

beforeAll(async () => {
  history = RunHistoryClient.fromConnectionString(connectionString(), unique());
  await history.init();
  await history.init(); // a second start of the app must not fail on the existing table
});

async function refusal(p: Promise<unknown>): Promise<RunHistoryError> {
  const e: unknown = await p.then(() => undefined, (x: unknown) => x);
  if (!isRunHistoryError(e)) throw new Error(`expected a RunHistoryError, got ${String(e)}`);
  return e;
}

async function listAll(client: RunHistoryClient, endpoint: string | undefined, limit: number): Promise<{ pages: number[]; runs: RunRecord[] }> {
  const pages: number[] = [];
  const runs: RunRecord[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await client.list({ endpoint, limit, continuationToken });
    pages.push(page.runs.length);
    runs.push(...page.runs);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return { pages, runs };
}

describe("RunHistoryClient against Azurite's Table service", () => {
  it("round-trips every field of a record", async () => {
    const r = run("rt-1");
    expect(await history.upsert(r)).toEqual({ truncated: false });
    expect(await history.get("rt-1")).toEqual(r);
  });

  it("returns undefined for a run never recorded", async () => {
    expect(await history.get("no-such-run")).toBeUndefined();
  });

  it("keeps one record per run: recorded as running, then completed", async () => {
    const running = run("upd-1", { endpoint: "upd", result: "running", endedAt: undefined, jobId: undefined, decision: undefined });
    await history.upsert(running);
    expect(await history.get("upd-1")).toEqual(JSON.parse(JSON.stringify(running)));
    const done = run("upd-1", { endpoint: "upd", result: "rejected", reason: "AUC 0.80 < 0.85." });
    await history.upsert(done);
    expect(await history.get("upd-1")).toEqual(done);
    expect((await history.list({ endpoint: "upd" })).runs).toEqual([done]);
    expect((await history.list()).runs.filter((x) => x.runId === "upd-1")).toEqual([done]);
  });

  it("moves a run whose start time or endpoint changed instead of listing it twice", async () => {
    await history.upsert(run("mv-1", { endpoint: "mv-a", startedAt: at(1) }));
    const moved = run("mv-1", { endpoint: "mv-b", startedAt: at(2) });
    await history.upsert(moved);
    expect(await history.get("mv-1")).toEqual(moved);
    expect((await history.list({ endpoint: "mv-a" })).runs).toEqual([]);
    expect((await history.list({ endpoint: "mv-b" })).runs).toEqual([moved]);
    expect((await history.list()).runs.filter((x) => x.runId === "mv-1")).toEqual([moved]);
  });

  it("lists one endpoint newest first, case-insensitively, in pages of at most `limit`", async () => {
    const minutes = [5, 1, 9, 3, 7, 2, 8];
    for (const m of minutes) await history.upsert(run(`page-${m}`, { endpoint: "Paged", startedAt: at(m) }));
    await history.upsert(run("other-endpoint", { endpoint: "not-paged", startedAt: at(4) }));
    const { pages, runs } = await listAll(history, "PAGED", 3);
    expect(pages).toEqual([3, 3, 1]);
    expect(runs.map((r) => r.runId)).toEqual([9, 8, 7, 5, 3, 2, 1].map((m) => `page-${m}`));
    expect(runs.every((r) => r.endpoint === "Paged")).toBe(true);
    expect((await history.list({ endpoint: "paged", limit: 7 })).continuationToken).toBeUndefined();
  });

  it("lists every endpoint together, newest first", async () => {
    const all = RunHistoryClient.fromConnectionString(connectionString(), unique());
    await all.init();
    const plan: [string, string, number][] = [["a1", "alpha", 10], ["b1", "beta", 20], ["a2", "alpha", 30], ["c1", "gamma", 25], ["b2", "beta", 5]];
    for (const [id, endpoint, m] of plan) await all.upsert(run(id, { endpoint, startedAt: at(m) }));
    const { runs } = await listAll(all, undefined, 2);
    expect(runs.map((r) => r.runId)).toEqual(["a2", "c1", "b1", "a1", "b2"]);
    expect((await all.list()).runs.map((r) => r.runId)).toEqual(["a2", "c1", "b1", "a1", "b2"]);
    // Runs starting in the same millisecond are all kept, ordered by runId.
    await all.upsert(run("z-same", { endpoint: "alpha", startedAt: at(30) }));
    expect((await all.list({ limit: 2 })).runs.map((r) => r.runId)).toEqual(["a2", "z-same"]);
  });

  it("round-trips a large record across several properties (2,000 long reasons)", async () => {
    const reasons = Array.from({ length: 2_000 }, (_, i) => `Rule ${i}: AUC 0.8${i % 10} ≥ champion − 0.005 ✓ 📈 "quoted" ${"detail ".repeat(15)}`);
    const big = run("big-1", { decision: { passed: false, reasons, comparedWithChampion: true } });
    expect(JSON.stringify(big).length).toBeGreaterThan(200_000); // well past one 32K-character property
    expect(await history.upsert(big)).toEqual({ truncated: false });
    expect(await history.get("big-1")).toEqual(big);
    expect((await history.list({ endpoint: "census", limit: 500 })).runs.find((r) => r.runId === "big-1")).toEqual(big);
  });

  it("stores a record beyond the 1 MiB entity limit shortened, with a marker, rather than losing it", async () => {
    const reasons = Array.from({ length: 6_000 }, (_, i) => `Rule ${i}: ${"x".repeat(200)}`);
    const huge = run("huge-1", { decision: { passed: false, reasons, comparedWithChampion: false } });
    expect(await history.upsert(huge)).toEqual({ truncated: true });
    const got = (await history.get("huge-1"))!;
    const kept = got.decision!.reasons;
    expect(kept.length).toBeGreaterThan(1_000);
    expect(kept.slice(0, -1)).toEqual(reasons.slice(0, kept.length - 1));
    expect(kept.at(-1)).toBe(`[${6_001 - kept.length} of 6000 reasons not stored: the record exceeded Table storage's entity size limit]`);
    expect({ ...got, decision: undefined }).toEqual({ ...huge, decision: undefined });
  });

  it("refuses keys Table storage cannot hold before sending any request", async () => {
    // A store nobody listens at: a request would fail with a network error, not InvalidArgument.
    const nowhere = new RunHistoryClient(new TableClient(`http://127.0.0.1:1/${AZURITE_ACCOUNT}`, "nowhere",
      new AzureNamedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY), { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } }));
    for (const runId of ["a/b", "a\\b", "a#b", "a?b", "a\u0001b", "a\u007fb", "", "r".repeat(300)]) {
      const e = await refusal(nowhere.upsert(run(runId)));
      expect(e).toMatchObject({ code: "InvalidArgument", retryable: false });
      expect((await refusal(nowhere.get(runId))).code).toBe("InvalidArgument");
    }
    for (const endpoint of ["x/y", "x#y", "x\ty", "~all", "~run"]) {
      expect((await refusal(nowhere.upsert(run("ok", { endpoint })))).code).toBe("InvalidArgument");
      expect((await refusal(nowhere.list({ endpoint }))).code).toBe("InvalidArgument");
    }
    expect((await refusal(nowhere.upsert(run("ok", { startedAt: "yesterday" })))).message).toMatch(/startedAt "yesterday" .* not an ISO 8601 date/);
    expect((await refusal(nowhere.upsert(run("a/b")))).message).toMatch(/runId "a\/b" contains "\/"/);
    expect((await refusal(nowhere.list({ limit: 0 }))).code).toBe("InvalidArgument");
    // ...whereas a valid request does go out, and its failure is classified as retryable.
    expect(await refusal(nowhere.get("fine"))).toMatchObject({ code: "ECONNREFUSED", retryable: true });
  });

  it("refuses continuation tokens it did not issue or that belong to another listing", async () => {
    const token = (await history.list({ endpoint: "paged", limit: 1 })).continuationToken!;
    expect(token).toBeDefined();
    expect((await refusal(history.list({ endpoint: "census", continuationToken: token }))).message).toMatch(/different endpoint filter/);
    expect((await refusal(history.list({ continuationToken: "not-a-token" }))).message).toMatch(/not one this store issued/);
  });

  it("wraps Table errors with the operation, the service's code and whether to retry", async () => {
    const missing = RunHistoryClient.fromConnectionString(connectionString(), unique()); // init() never called
    const e = await refusal(missing.upsert(run("lost")));
    expect(e).toMatchObject({ name: "RunHistoryError", operation: "upsert", code: "TableNotFound", statusCode: 404, retryable: false });
    expect(e.message).toMatch(/^Run history: upsert failed with 404 TableNotFound: The table specified does not exist\.$/);
    expect((await refusal(missing.get("lost"))).code).toBe("TableNotFound"); // not "no such run"
  });
});

describe("watchingSince: when the app first reported on an endpoint", () => {
  it("records the first call's time, returns it to every later call, case-insensitively, and never lists it as a run", async () => {
    const h = RunHistoryClient.fromConnectionString(connectionString(), unique());
    await h.init();
    expect(await h.watchingSince("Census", at(0))).toBe(at(0));
    expect(await h.watchingSince("census", at(60))).toBe(at(0));
    // two reporters racing on a new endpoint agree on one time
    const both = await Promise.all([h.watchingSince("adult", at(5)), h.watchingSince("adult", at(7))]);
    expect(new Set(both).size).toBe(1);
    expect((await h.list()).runs).toEqual([]);
    expect((await h.list({ endpoint: "census" })).runs).toEqual([]);
  });
});
