import { describe, expect, it } from "vitest";
import { appSettingNames, workbookQueries } from "./infra-text";
import { analyseKql, kustoBlocks, matches } from "./kql";

describe("infra-text parsers", () => {
  it("reads app setting names from a Bicep object literal, refusing other shapes", () => {
    expect(appSettingNames("var appSettings = {\n  A_B: 'x'\n  // why\n  C__d: y\n}\n")).toEqual(["A_B", "C__d"]);
    expect(() => appSettingNames("var appSettings = {\n  'A-B': 'x'\n}\n")).toThrow(/expected "NAME: value"/);
    expect(() => appSettingNames("var other = {}\n")).toThrow(/no `appSettings/);
  });

  it("finds queries anywhere in a workbook", () => {
    expect(workbookQueries({ items: [{ content: { query: "a" } }, { content: { parameters: [{ query: "b" }] } }] })).toEqual(["a", "b"]);
  });
});

describe("KQL through Kusto.Language", () => {
  it("reports unknown columns, syntax errors and wrong types against the Application Insights tables", () => {
    expect(analyseKql('customEvents | where name == "A" | project timestamp, customDimensions').diagnostics).toEqual([]);
    expect(analyseKql('customEvents | where nme == "A"').diagnostics).toEqual([expect.stringMatching(/^KS142 The name 'nme' does not refer/)]);
    // customMeasurements is a column of customEvents only
    expect(analyseKql("customMetrics | project customMeasurements").diagnostics).toEqual([expect.stringMatching(/'customMeasurements'/)]);
    expect(analyseKql('customEvents | where name == "A" |').diagnostics).toEqual([expect.stringMatching(/^KS176 Query operator expected/)]);
    expect(analyseKql("customMetrics | summarize avg(name)").diagnostics.length).toBeGreaterThan(0);
  });

  it("reads the names filtered on, and refuses comparisons of name it cannot follow", () => {
    const a = analyseKql('customEvents | where name == "A" or name in ("B", "C") | where name startswith "Evaluation " | extend x = tostring(customDimensions.name) == "no"');
    expect(a.names).toEqual([{ kind: "exact", value: "A" }, { kind: "exact", value: "B" }, { kind: "exact", value: "C" }, { kind: "prefix", value: "Evaluation " }]);
    expect(a.tables).toEqual(["customEvents"]);
    expect(analyseKql('customEvents | where name != "A"').uncheckedNameUses).toEqual(['name != "A"']);
    expect(analyseKql('customEvents | where name contains "A"').uncheckedNameUses).toEqual(['name contains "A"']);
    expect(analyseKql("customEvents | union customMetrics").tables.sort()).toEqual(["customEvents", "customMetrics"]);
  });

  it("reads the keys of customDimensions and customMeasurements, also through an alias, and suffix filters", () => {
    const a = analyseKql('customEvents | extend d = customDimensions | project tostring(d.endpoint), customDimensions["run id"], todouble(customMeasurements.totalSeconds) | where "x" endswith "Seconds"');
    expect(a.dimensions).toEqual(["endpoint", "run id"]);
    expect(a.measurements).toEqual(["totalSeconds"]);
    expect(a.suffixes).toEqual(["Seconds"]);
  });

  it("splits Markdown kusto blocks at blank lines, and matches names and prefixes", () => {
    expect(kustoBlocks("text\n```kusto\n// one\ncustomEvents\n\n// two\ncustomMetrics\n```\n```sh\nnot this\n```\n")).toEqual(["// one\ncustomEvents", "// two\ncustomMetrics\n"]);
    expect(matches({ kind: "prefix", value: "Evaluation " }, "Evaluation AUC")).toBe(true);
    expect(matches({ kind: "exact", value: "Evaluation " }, "Evaluation AUC")).toBe(false);
  });
});
