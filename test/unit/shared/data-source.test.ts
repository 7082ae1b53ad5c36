import path from "node:path";
import { describe, expect, it } from "vitest";
import { DataSourceError, describeDataSource, parseDataSource } from "../../../shared/storage/data-source";

const ROOT = path.resolve("/srv/retrain-data");

describe("parseDataSource", () => {
  it.each([
    ["blob:training/census/2030-01.csv", { kind: "blob", container: "training", blob: "census/2030-01.csv" }],
    ["  blob:abc/x.csv  ", { kind: "blob", container: "abc", blob: "x.csv" }],
    ["https://example.com/data/census.csv?sv=1&sig=x", { kind: "url", url: "https://example.com/data/census.csv?sv=1&sig=x" }],
    ["http://localhost:8080/census.csv", { kind: "url", url: "http://localhost:8080/census.csv" }],
    ["http://127.0.0.1:10000/devstoreaccount1/c/x.csv", { kind: "url", url: "http://127.0.0.1:10000/devstoreaccount1/c/x.csv" }],
    ["http://[::1]/x.csv", { kind: "url", url: "http://[::1]/x.csv" }],
    ["census.csv", { kind: "file", path: path.join(ROOT, "census.csv"), root: ROOT }],
    ["./2030/../2030/census.csv", { kind: "file", path: path.join(ROOT, "2030", "census.csv"), root: ROOT }],
    [path.join(ROOT, "sub", "x.csv"), { kind: "file", path: path.join(ROOT, "sub", "x.csv"), root: ROOT }],
  ])("accepts %s", (text, expected) => {
    expect(parseDataSource(text, ROOT)).toEqual(expected);
  });

  it.each(["../etc/passwd", "/etc/passwd", "a/../../x", "../retrain-data-evil/x.csv"])("refuses the path %s, which leaves the data folder", (text) => {
    expect(() => parseDataSource(text, ROOT)).toThrow(DataSourceError);
    expect(() => parseDataSource(text, ROOT)).toThrow(`Data source path "${text}" leaves the data folder.`);
    expect(() => parseDataSource(text, ROOT)).not.toThrow(ROOT);
  });

  it.each([
    ["http://example.com/x.csv", /https:\/\/.*got "http:\/\/example\.com"/],
    ["ftp://example.com/x.csv", /must use https/],
    ["file:///etc/passwd", /must use https/],
    ["https://exa mple.com/x", /is not a valid URL/],
    ["blob:Training/x.csv", /blob:container\/path/],
    ["blob:ab/x.csv", /valid container name/],
    ["blob:training", /blob:container\/path/],
    ["blob:training/../other/x.csv", /blob:container\/path/],
  ])("refuses %s", (text, message) => {
    expect(() => parseDataSource(text, ROOT)).toThrow(message);
  });

  it.each([undefined, ""])("refuses file sources when the data root is %j", (root) => {
    expect(() => parseDataSource("census.csv", root)).toThrow(/RETRAIN_DATA_ROOT is not set/);
  });

  it.each(["", "   "])("refuses an empty source %j", (text) => {
    expect(() => parseDataSource(text, ROOT)).toThrow(/empty/);
  });
});

describe("parseDataSource: text that is not text", () => {
  it.each(["blob:training/data-\ud800.csv", "https://example.com/\udc00.csv", "census-\ud800.csv"])("refuses a lone surrogate before anything acts on it: %j", (text) => {
    expect(() => parseDataSource(text, ROOT)).toThrow(new DataSourceError("The data source is not well-formed Unicode (it holds a lone surrogate)."));
  });
});

describe("describeDataSource", () => {
  it("names the source without a URL's query (where a SAS would be)", () => {
    expect(describeDataSource({ kind: "url", url: "https://h/x.csv?sv=1&sig=secret" })).toBe("url https://h/x.csv");
    expect(describeDataSource({ kind: "blob", container: "c", blob: "d/x.csv" })).toBe("blob c/d/x.csv");
    // relative to the data folder: records and telemetry do not carry the machine's paths
    expect(describeDataSource({ kind: "file", path: "/srv/in/x.csv", root: "/srv" })).toBe("file in/x.csv");
  });
});
