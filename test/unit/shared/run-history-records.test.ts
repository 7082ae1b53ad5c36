import { describe, expect, it } from "vitest";
import type { RunRecord } from "../../../shared/history/run-record";
import { asciiJson, fitRecord, fromProperties, toProperties } from "../../../shared/history/record-entity";
import { endpointPartition, timeKey } from "../../../shared/history/keys";
import { classifyTableError } from "../../../shared/history/history-error";

const base: RunRecord = {
  runId: "r1", endpoint: "census", instanceId: "i1", trigger: { kind: "schedule" }, dataSource: "file a.csv",
  gateRules: "auc>=0.85", result: "failed", durationsInSeconds: {}, startedAt: "2025-06-01T00:00:00Z",
};
const withReasons = (n: number, text = "x".repeat(100)): RunRecord =>
  ({ ...base, decision: { passed: false, reasons: Array.from({ length: n }, (_, i) => `${i} ${text}`), comparedWithChampion: false } });

describe("run-history keys", () => {
  it("orders later starts first, before and after 1970 alike", () => {
    const keys = ["1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "2025-01-01T00:00:00Z", "2025-01-01T00:00:00.001Z"].map((s) => timeKey("t", s, "r"));
    expect([...keys].sort()).toEqual([...keys].reverse());
    expect(new Set(keys.map((k) => k.length)).size).toBe(1);
  });

  it("lower-cases endpoints into one partition", () => {
    expect(endpointPartition("t", "Census-V2")).toBe("census-v2");
  });
});

describe("run-history record entities", () => {
  it("stores ASCII JSON in parts below the 32K-character property limit and reads it back", () => {
    const r = withReasons(3_000, "AUC ≥ 0.85 ✓ 📈 ünïcödé");
    const props = toProperties(r);
    const parts = Object.entries(props).filter(([k]) => k.startsWith("record_")).map(([, v]) => String(v));
    expect(props.recordParts).toBe(parts.length);
    expect(parts.length).toBeGreaterThan(3);
    expect(parts.every((p) => p.length <= 32_000 && /^[\x20-\x7e]*$/.test(p))).toBe(true);
    expect(fromProperties({ ...props, rowKey: "k" })).toEqual(r);
    expect(JSON.parse(asciiJson(r))).toEqual(r);
  });

  it("reads a record written before the metric vocabulary under the canonical names, its reasons as written", () => {
    const old = {
      ...base, gateRules: "AUC>=0.85; Average Log Loss<=champion+0.01",
      metrics: { Accuracy: 0.85, "F-Score": 0.65, AUC: 0.907, "Average Log Loss": 0.318, "Training Log Loss": 0.42 },
      championMetrics: { AUC: 0.9, "Average Log Loss": 0.32 },
      decision: { passed: true, reasons: ["AUC is 0.907, meets the rule: at least 0.85."], comparedWithChampion: true },
    } as RunRecord;
    const read = fromProperties({ ...toProperties(old), rowKey: "k" });
    expect(read).toEqual({
      ...old, gateRules: "auc>=0.85; log_loss<=champion+0.01",
      metrics: { accuracy: 0.85, f1_score: 0.65, auc: 0.907, log_loss: 0.318, training_log_loss: 0.42 },
      championMetrics: { auc: 0.9, log_loss: 0.32 },
    });
    // The challenger and the champion it was compared with name the same metric.
    expect(Object.keys(read.championMetrics!).every((k) => Object.hasOwn(read.metrics!, k))).toBe(true);
  });

  it("reports a missing part as a corrupt record rather than returning half of it", () => {
    const props: Record<string, unknown> = { ...toProperties(withReasons(1_000)), rowKey: "k" };
    delete props.record_1;
    expect(() => fromProperties(props)).toThrow(expect.objectContaining({ code: "CorruptRecord" }) as Error);
  });

  it("keeps a record that fits untouched", () => {
    const r = withReasons(10);
    expect(fitRecord(r)).toEqual({ record: r, truncated: false });
  });

  it("keeps as many reasons as fit, plus a marker, and cuts a very long reason if that is not enough", () => {
    const { record, truncated } = fitRecord({ ...withReasons(100), reason: "e".repeat(50_000) }, 30_000);
    expect(truncated).toBe(true);
    expect(record.decision!.reasons).toEqual(["[100 of 100 reasons not stored: the record exceeded Table storage's entity size limit]"]);
    expect(record.reason).toMatch(/^e{2000} \[reason cut from 50000 characters\]$/);
    const some = fitRecord(withReasons(100), 20_000).record.decision!.reasons;
    expect(some.length).toBeGreaterThan(10);
    expect(some.at(-1)).toBe(`[${101 - some.length} of 100 reasons not stored: the record exceeded Table storage's entity size limit]`);
  });

  it("refuses a record that cannot be shortened enough", () => {
    expect(() => fitRecord({ ...base, dataSource: "d".repeat(20_000) }, 10_000)).toThrow(expect.objectContaining({ code: "RecordTooLarge" }) as Error);
  });
});

describe("classifying Table errors", () => {
  const restError = (statusCode: number | undefined, code: string, headers: Record<string, string> = {}) => ({
    name: "RestError", statusCode, code: statusCode ? undefined : code, message: "raw",
    details: statusCode ? { odataError: { code, message: { value: `${code} said so.\nRequestId:1\nTime:now` } } } : undefined,
    response: { headers: { get: (n: string) => headers[n] } },
  });

  it.each<[string, ReturnType<typeof restError> | Error, Record<string, unknown>]>([
    ["503 with Retry-After", restError(503, "ServerBusy", { "retry-after": "3" }), { statusCode: 503, code: "ServerBusy", retryable: true, retryAfterInMs: 3000 }],
    ["429", restError(429, "TooManyRequests"), { statusCode: 429, retryable: true }],
    ["409", restError(409, "EntityAlreadyExists"), { statusCode: 409, code: "EntityAlreadyExists", retryable: false }],
    ["a network failure", restError(undefined, "ECONNRESET"), { code: "ECONNRESET", retryable: true }],
    ["a local mistake", new Error("boom"), { code: "Unknown", retryable: false }],
  ])("%s", (_, e, expected) => {
    const c = classifyTableError("list", e, 0);
    expect(c).toMatchObject({ name: "RunHistoryError", operation: "list", ...expected });
    expect(c.message).not.toMatch(/RequestId/);
  });
});
