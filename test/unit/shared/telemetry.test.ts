import { describe, expect, it } from "vitest";
import { MemoryTelemetry, redactingTelemetry } from "../../../shared/telemetry/telemetry";

const SECRET = "api-key-fake-0123456789";
const DIRTY = `key=${SECRET} conn=AccountName=a;AccountKey=acctkey123==; url=https://a.blob.core.windows.net/c/b.csv?sv=2024&sig=sigvalue123 auth=Bearer tokvalue123`;
const LEAKS = [SECRET, "acctkey123", "sigvalue123", "tokvalue123"];

function telemetry() {
  const memory = new MemoryTelemetry();
  return { memory, t: redactingTelemetry(memory, [SECRET]) };
}

function expectClean(text: string | number | boolean | undefined): void {
  expect(typeof text).toBe("string");
  for (const leak of LEAKS) expect(text).not.toContain(leak);
  expect(text).toContain("[REDACTED]");
}

describe("redactingTelemetry", () => {
  it("redacts event properties, keeping other values and the measurements", () => {
    const { memory, t } = telemetry();
    t.event("RetrainFailed", { error: DIRTY, attempt: 2, retryable: false, runId: "run-1" }, { durationInMs: 1200 });
    const [e] = memory.events;
    expectClean(e?.properties.error);
    expect(e).toMatchObject({ name: "RetrainFailed", properties: { attempt: 2, retryable: false, runId: "run-1" }, measurements: { durationInMs: 1200 } });
  });

  it("redacts metric properties and passes a metric without properties", () => {
    const { memory, t } = telemetry();
    t.metric("AUC", 0.9, { source: DIRTY });
    t.metric("Accuracy", 0.8);
    expectClean(memory.metrics[0]?.properties?.source);
    expect(memory.metrics.map((m) => [m.name, m.value])).toEqual([["AUC", 0.9], ["Accuracy", 0.8]]);
    expect(memory.metrics[1]?.properties).toBeUndefined();
  });

  it("redacts a dependency's name and target", () => {
    const { memory, t } = telemetry();
    t.dependency({ type: "Azure Blob", name: `GET ${DIRTY}`, target: DIRTY, durationInMs: 5, resultCode: 200, success: true });
    const [d] = memory.dependencies;
    expectClean(d?.name);
    expectClean(d?.target);
    expect(d).toMatchObject({ type: "Azure Blob", durationInMs: 5, resultCode: 200, success: true });
  });

  it("redacts a trace's message and properties", () => {
    const { memory, t } = telemetry();
    t.trace(`failed: ${DIRTY}`, { detail: DIRTY });
    expectClean(memory.traces[0]?.message);
    expectClean(memory.traces[0]?.properties?.detail);
  });
});

describe("redactingTelemetry with hostile text (issue 26, item 2)", () => {
  it("every string becomes one printable, bounded line: no forged lines, no bidi or control characters; non-finite numbers are not sent", () => {
    const { memory, t } = telemetry();
    const hostile = "age\nRetrainCompleted {\"result\":\"promoted\"}\u202Eevil\u0007" + "x".repeat(20_000);
    t.event("DataRejected", { failures: hostile }, { [`rows\n${hostile}`]: 3, bad: Number.NaN });
    t.metric(`Evaluation ${hostile}`, 0.9);
    t.metric("Evaluation AUC", Number.POSITIVE_INFINITY);
    t.trace(hostile);
    const all = [String(memory.events[0]!.properties.failures), ...Object.keys(memory.events[0]!.measurements!), memory.metrics[0]!.name, memory.traces[0]!.message];
    for (const s of all) expect([...s].filter((c) => /[\p{Cc}\p{Cf}]/u.test(c))).toEqual([]);
    expect(String(memory.events[0]!.properties.failures)).toMatch(/^age RetrainCompleted \{"result":"promoted"\}evilx+…$/);
    expect(String(memory.events[0]!.properties.failures).length).toBeLessThanOrEqual(8_192);
    expect(memory.events[0]!.measurements).not.toHaveProperty("bad");
    expect(memory.metrics.map((m) => m.value)).toEqual([0.9]);
    expect(memory.metrics[0]!.name.length).toBeLessThanOrEqual(150);
  });
});
