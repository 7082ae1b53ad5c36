import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../../support/emulator";
import { getEndpoint, type Endpoint } from "../../support/rrs-client";
import { adultSample, csvRows } from "../../support/census";

let e: TestEmulator;
let defaultEndpoint: Endpoint;
const { columns, rows } = csvRows(adultSample(5));

beforeAll(async () => {
  e = await startTestEmulator();
  defaultEndpoint = await getEndpoint(e, "default");
});
afterAll(() => e.stop());

const execute = (ep: Endpoint, query = "api-version=2.0&details=true") => `${ep.ApiLocation}/execute?${query}`;
const body = (cols: string[], values: unknown[][]) => ({ Inputs: { input1: { ColumnNames: cols, Values: values } }, GlobalParameters: {} });

describe("RRS execute", () => {
  it("scores with the seeded model before any retraining, appending Scored Labels and Scored Probabilities", async () => {
    const r = await e.call("POST", execute(defaultEndpoint), defaultEndpoint.PrimaryKey, body(columns, rows));
    expect(r.status).toBe(200);
    const out = (r.body as { Results: { output1: { type: string; value: { ColumnNames: string[]; ColumnTypes: string[]; Values: string[][] } } } }).Results.output1;
    expect(out.type).toBe("table");
    expect(out.value.ColumnNames).toEqual([...columns, "Scored Labels", "Scored Probabilities"]);
    expect(out.value.ColumnTypes).toHaveLength(columns.length + 2);
    expect(out.value.Values).toHaveLength(rows.length);
    for (const row of out.value.Values) {
      expect(row.slice(0, columns.length)).toEqual(rows[out.value.Values.indexOf(row)]);
      expect([">50K", "<=50K"]).toContain(row[columns.length]);
      const p = Number(row[columns.length + 1]);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
      expect(row[columns.length]).toBe(p >= 0.5 ? ">50K" : "<=50K");
    }
  });

  it("omits ColumnNames without details=true, and accepts rows without the label column", async () => {
    const noLabel = columns.slice(0, -1);
    const r = await e.call("POST", execute(defaultEndpoint, "api-version=2.0"), defaultEndpoint.PrimaryKey, body(noLabel, rows.map((x) => x.slice(0, -1))));
    expect(r.status).toBe(200);
    const value = (r.body as { Results: { output1: { value: Record<string, unknown> } } }).Results.output1.value;
    expect(value.ColumnNames).toBeUndefined();
    expect((value.Values as unknown[]).length).toBe(rows.length);
  });

  it("treats missing values (? and empty) as Clean Missing Data does", async () => {
    const holes = rows.map((r) => r.map((v, i) => (i % 3 === 0 ? "?" : i % 3 === 1 ? "" : v)));
    const r = await e.call("POST", execute(defaultEndpoint), defaultEndpoint.PrimaryKey, body(columns, holes));
    expect(r.status).toBe(200);
  });

  it("answers 401 to a wrong key, and an endpoint's key does not open another endpoint", async () => {
    expect((await e.call("POST", execute(defaultEndpoint), "wrong", body(columns, rows))).status).toBe(401);
    expect((await e.call("POST", execute(defaultEndpoint), undefined, body(columns, rows))).status).toBe(401);
    const other = await getEndpoint(e, "retrain");
    expect((await e.call("POST", execute(defaultEndpoint), other.PrimaryKey, body(columns, rows))).status).toBe(401);
    expect((await e.call("POST", execute(other), other.PrimaryKey, body(columns, rows))).status).toBe(200);
  });

  it.each([
    ["a missing feature column", body(columns.filter((c) => c !== "age"), rows.map((r) => r.slice(1))), /age/],
    ["a non-numeric value in a numeric column", body(columns, [rows[0]!.map((v, i) => (i === 0 ? "old" : v))]), /row 1.*age.*numeric/],
    ["a row of the wrong length", body(columns, [rows[0]!.slice(2)]), /row 1 must have 15 values/],
    ["no Inputs", { GlobalParameters: {} }, /Inputs/],
  ])("refuses %s with 400 and a message naming it", async (_what, payload, message) => {
    const r = await e.call("POST", execute(defaultEndpoint), defaultEndpoint.PrimaryKey, payload);
    expect(r.status).toBe(400);
    expect((r.body as { error: { message: string } }).error.message).toMatch(message);
  });

  it("answers 404 for an unknown service id", async () => {
    const r = await e.call("POST", `${e.servicesUrl}/workspaces/${e.config.workspaceId}/services/abc/execute?api-version=2.0`, defaultEndpoint.PrimaryKey, body(columns, rows));
    expect(r.status).toBe(404);
  });
});
