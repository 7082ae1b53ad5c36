import { describe, expect, it } from "vitest";
import { parseApprovalEvent } from "../../../functions/orchestrators/approval";

describe("parseApprovalEvent: what the orchestrator accepts as a person's decision", () => {
  it("accepts what the approve/reject trigger sends", () => {
    expect(parseApprovalEvent({ approved: true, by: "function key", comment: "looks good" })).toEqual({ valid: true, decision: { approved: true, by: "function key", comment: "looks good" } });
    expect(parseApprovalEvent({ approved: false, by: "ana@contoso.com (aad)" })).toEqual({ valid: true, decision: { approved: false, by: "ana@contoso.com (aad)" } });
  });

  it.each([
    ["a string for approved", { approved: "false", by: "x" }, '"approved" is the text "false", not true or false'],
    ["approved missing", { by: "x" }, '"approved" is missing, not true or false'],
    ["a number for approved", { approved: 1, by: "x" }, '"approved" is 1, not true or false'],
    ["no approver", { approved: true }, '"by" must be a name of 1 to 300 characters'],
    ["a blank approver", { approved: true, by: "  " }, '"by" must be a name of 1 to 300 characters'],
    ["a huge approver", { approved: true, by: "x".repeat(301) }, '"by" must be a name of 1 to 300 characters'],
    ["a comment that is not text", { approved: true, by: "x", comment: { a: 1 } }, '"comment" must be text of at most 1024 characters'],
    ["a huge comment", { approved: true, by: "x", comment: "y".repeat(1025) }, '"comment" must be text of at most 1024 characters'],
    ["an extra field", { approved: true, by: "x", force: true }, "it has unknown field(s) force"],
    ["null", null, "it is not a JSON object"],
    ["an array", [true], "it is not a JSON object"],
    ["text", "approved", "it is not a JSON object"],
  ])("refuses %s, so the run is not approved", (_what, raw, problem) => {
    expect(parseApprovalEvent(raw)).toEqual({ valid: false, problem });
  });
});
