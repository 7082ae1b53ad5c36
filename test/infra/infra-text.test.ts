import { describe, expect, it } from "vitest";
import { appSettingNames, covers, emittedMetrics, kqlNameRefs, kqlTable, runEventNames, workbookQueries } from "./infra-text";

describe("infra-text parsers", () => {
  it("reads app setting names from a Bicep object literal, refusing other shapes", () => {
    expect(appSettingNames("var appSettings = {\n  A_B: 'x'\n  // why\n  C__d: y\n}\n")).toEqual(["A_B", "C__d"]);
    expect(() => appSettingNames("var appSettings = {\n  'A-B': 'x'\n}\n")).toThrow(/expected "NAME: value"/);
    expect(() => appSettingNames("var other = {}\n")).toThrow(/no `appSettings/);
  });

  it("reads the RunEvent union and the metric names, templates as prefixes", () => {
    expect(runEventNames('export type RunEvent =\n  | "A" | "B"\n  | "C";\nconst x = "D";')).toEqual(["A", "B", "C"]);
    expect(emittedMetrics(['d.telemetry.metric(`Evaluation ${name}`, v); telemetry.metric("Job duration seconds", 1)'])).toEqual([
      { kind: "prefix", value: "Evaluation " }, { kind: "exact", value: "Job duration seconds" },
    ]);
  });

  it("extracts ==, in and startswith references and refuses operators it cannot check", () => {
    expect(kqlNameRefs('customEvents | where name == "A" or name in ("B", "C") | where name startswith "Evaluation " | extend x = customDimensions.name == "no"')).toEqual([
      { kind: "exact", value: "A" }, { kind: "exact", value: "B" }, { kind: "exact", value: "C" }, { kind: "prefix", value: "Evaluation " },
    ]);
    expect(() => kqlNameRefs('customEvents | where name != "A"')).toThrow(/"!="/);
    expect(() => kqlNameRefs('customEvents | where name contains "A"')).toThrow(/"contains"/);
    expect(() => kqlTable("customEvents | join customMetrics")).toThrow(/exactly one/);
  });

  it("matches references against emitted names", () => {
    const emitted = [{ kind: "exact", value: "Job duration seconds" }, { kind: "prefix", value: "Evaluation " }] as const;
    expect(covers(emitted, { kind: "exact", value: "Evaluation AUC" })).toBe(true);
    expect(covers(emitted, { kind: "prefix", value: "Evaluation " })).toBe(true);
    expect(covers(emitted, { kind: "exact", value: "Evaluation " })).toBe(false);
    expect(covers(emitted, { kind: "exact", value: "Job duration" })).toBe(false);
    expect(covers(emitted, { kind: "prefix", value: "Champion " })).toBe(false);
  });

  it("finds queries anywhere in a workbook", () => {
    expect(workbookQueries({ items: [{ content: { query: "a" } }, { content: { parameters: [{ query: "b" }] } }] })).toEqual(["a", "b"]);
  });
});
