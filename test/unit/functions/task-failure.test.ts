import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { taskFailureMessage } from "../../../functions/orchestrators/task-failure";

/** A failed activity's TaskFailed event as the real extension recorded it (npm run record:histories). */
const recorded = (() => {
  const file = path.resolve(__dirname, "../../fixtures/real-engine-histories/retries-exhausted.json");
  const d = JSON.parse(readFileSync(file, "utf8")) as { instances: { history: Record<string, unknown>[] }[] };
  return d.instances.flatMap((i) => i.history).find((e) => e.EventType === "TaskFailed")!;
})();

describe("taskFailureMessage: what a run reports when an activity throws", () => {
  it("on the real engine, the activity's own message without the extension's prefix or the 2 KB exception dump", () => {
    // durable-functions' own join of Reason and Details (TaskOrchestrationExecutor)
    const raised = new Error(`${String(recorded.Reason)} \n ${String(recorded.Details)}`);
    expect(raised.message.length).toBeGreaterThan(1_500);
    expect(taskFailureMessage(raised)).toBe("BES submit could not connect (read ECONNRESET)");
  });

  it("on the local engine, the same message", () => {
    expect(taskFailureMessage(new Error("BES submit could not connect (read ECONNRESET) \n "))).toBe("BES submit could not connect (read ECONNRESET)");
  });

  it("a failed sub-orchestration loses the extension's prefix too", () => {
    expect(taskFailureMessage(new Error("Orchestrator function 'pollOrchestrator' failed: the job vanished \n {\"$type\":\"x\"}"))).toBe("the job vanished");
  });

  it("keeps a message that is only the prefix, and bounds a huge one", () => {
    expect(taskFailureMessage(new Error("Activity function 'x' failed: "))).toBe("Activity function 'x' failed:");
    expect(taskFailureMessage("not an Error")).toBe("not an Error");
    const huge = taskFailureMessage(new Error("y".repeat(50_000)));
    expect(huge).toHaveLength(1_001);
    expect(huge.endsWith("…")).toBe(true);
  });
});
