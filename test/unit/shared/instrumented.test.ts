import { describe, expect, it } from "vitest";
import { instrumentedTransport } from "../../../shared/http/instrumented";
import { MemoryTelemetry } from "../../../shared/telemetry/telemetry";
import { fakeTransport, type FakeOutcome } from "../../support/fake-transport";

const BLOB = "https://acct.blob.core.windows.net/results/run1/evaluation.csv";
const URL_WITH_SAS = `${BLOB}?sv=2024-11-04&sr=b&sp=r&sig=sigvalue123`;

/** A transport answering `outcome`, instrumented, with a clock that advances 250 ms per call. */
function instrumented(outcome: FakeOutcome) {
  const memory = new MemoryTelemetry();
  let clock = 1_000;
  const transport = instrumentedTransport(fakeTransport([{ method: "GET", url: URL_WITH_SAS, reply: () => outcome }]), memory, "Azure Blob", () => (clock += 250));
  return { memory, call: () => transport({ method: "GET", url: URL_WITH_SAS, headers: {} }) };
}

describe("instrumentedTransport", () => {
  it("records a successful call with its target stripped of the query", async () => {
    const { memory, call } = instrumented({ status: 200, body: "a,b" });
    await expect(call()).resolves.toMatchObject({ status: 200, bodyText: "a,b" });
    expect(memory.dependencies).toEqual([
      { type: "Azure Blob", name: "GET /results/run1/evaluation.csv", target: BLOB, durationInMs: 250, resultCode: 200, success: true },
    ]);
    expect(JSON.stringify(memory.dependencies)).not.toContain("sig=");
  });

  it.each([[500], [403]])("records a %i answer as a failure and still returns it", async (status) => {
    const { memory, call } = instrumented({ status });
    await expect(call()).resolves.toMatchObject({ status });
    expect(memory.dependencies).toMatchObject([{ target: BLOB, resultCode: status, success: false }]);
  });

  it.each([["network-error", "TypeError"], ["timeout", "TimeoutError"]] as const)("records a %s as a failure and rethrows it", async (outcome, name) => {
    const { memory, call } = instrumented(outcome);
    await expect(call()).rejects.toMatchObject({ name });
    expect(memory.dependencies).toMatchObject([{ target: BLOB, resultCode: name, success: false }]);
    expect(JSON.stringify(memory.dependencies)).not.toContain("sig=");
  });
});
