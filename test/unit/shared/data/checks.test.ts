import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import { profileCsv, DataProfileError, type DataProfile } from "../../../../shared/data/profile";
import { checkData, psiOf, DEFAULT_DATA_EXPECTATIONS as X } from "../../../../shared/data/checks";
import { ADULT_CSV_PATH } from "../../../support/census";
import { CENSUS_TRAINING_COLUMNS, TRAINING_COLUMNS } from "../../../../shared/data/training-columns";

/** The real census data, profiled and checked as a run's staged data would be. */
const adult = readFileSync(ADULT_CSV_PATH, "utf8");
const [head, ...lines] = adult.trimEnd().split("\n");
const csv = (rows: readonly string[], header = head!) => [header, ...rows].join("\n") + "\n";
/** Fed in 64 KiB chunks that cut rows anywhere, as a blob download arrives. */
function chunks(text: string): AsyncIterable<Buffer> {
  const b = Buffer.from(text);
  return Readable.from(Array.from({ length: Math.ceil(b.length / 65_536) }, (_, i) => b.subarray(i * 65_536, (i + 1) * 65_536)));
}
const profile = (text: string, ref?: DataProfile) => profileCsv(chunks(text), ref);
const col = (p: DataProfile, name: string) => p.columns.find((c) => c.name === name)!;
const AGE = head!.split(",").indexOf("age");

let full: DataProfile;
beforeAll(async () => {
  full = await profile(adult);
});

describe("profiling the staged data while it streams", () => {
  it("gives the census data's rows, columns, types, label shares, missing cells and sha256", () => {
    expect(full.sha256).toBe(createHash("sha256").update(adult).digest("hex"));
    expect(full.bytes).toBe(Buffer.byteLength(adult));
    expect(full.rows).toBe(32_561);
    expect(full.malformedRows).toBe(0);
    expect(full.columns.map((c) => c.name)).toEqual(head!.split(","));
    expect(col(full, "age")).toMatchObject({ type: "number", min: 17, max: 90, missing: 0 });
    expect(col(full, "workclass")).toMatchObject({ type: "string", missing: 1_836 });
    const label = col(full, "class").categories!;
    expect(label.top.map((t) => t.value).sort()).toEqual(["<=50K", ">50K"]);
    expect(label.top.find((t) => t.value === ">50K")!.share).toBeCloseTo(7_841 / 32_561, 5);
    // ten bins at most, whose shares add up to the whole
    const bins = col(full, "age").bins!;
    expect(bins.edges.length).toBeLessThanOrEqual(9);
    expect(bins.shares.reduce((a, s) => a + s, 0)).toBeCloseTo(1, 5); // shares are stored to 6 digits
  });

  it("passes the census data against the default checks and against itself as the reference", async () => {
    expect(checkData(full, X)).toEqual([]);
    const again = await profile(adult, full);
    expect(checkData(again, X, { runId: "r1", profile: full })).toEqual([]);
    for (const c of full.columns) expect(psiOf(c, col(again, c.name))).toBeLessThan(0.01);
  });

  it("finds no drift between two halves of the census data, and drift in age when only people over 45 are left", async () => {
    const firstHalf = await profile(csv(lines.slice(0, 16_000)));
    const secondHalf = await profile(csv(lines.slice(16_000)), firstHalf);
    expect(checkData(secondHalf, X, { runId: "r1", profile: firstHalf })).toEqual([]);
    const older = await profile(csv(lines.filter((l) => Number(l.split(",")[AGE]) > 45)), full);
    const failed = checkData(older, { ...X, minRowsShareOfReference: 0 }, { runId: "r1", profile: full });
    expect(failed.find((f) => f.includes('"age" drifted'))).toMatch(/population stability index \d+\.\d{3}, above the limit of 0.25/);
    expect(psiOf(col(full, "age"), col(older, "age"))).toBeGreaterThan(1);
  });

  it("rejects a cut-off export: the broken last row, and too few rows against the reference", async () => {
    const cut = adult.slice(0, Math.floor(adult.length / 3));
    const p = await profile(cut, full);
    const failed = checkData(p, X, { runId: "r1", profile: full });
    expect(failed).toContainEqual(expect.stringMatching(/^1 of \d+ rows have a different number of fields than the header \(the first is data row \d+\)/));
    expect(failed).toContainEqual(expect.stringMatching(/fewer than 50 % of the 32561 in run r1's data: the export may be truncated/));
  });

  it("names a renamed column, a changed type, a label with one value and a column mostly missing", async () => {
    const renamed = await profile(csv(lines, head!.replace(/^age,/, "Age,")), full);
    expect(checkData(renamed, X, { runId: "r1", profile: full })).toContainEqual('The column "age" of run r1\'s data is missing; new columns: "Age" (renamed?).');
    const texty = await profile(csv(lines.map((l, i) => (i === 5 ? l.replace(/^\d+,/, "unknown,") : l))), full);
    expect(checkData(texty, X, { runId: "r1", profile: full })).toContain('The column "age" held numbers in run r1\'s data but holds text now.');
    const oneClass = await profile(csv(lines.filter((l) => l.endsWith("<=50K"))));
    expect(checkData(oneClass, X)).toContain('The label column "class" must hold exactly 2 values; it holds 1.');
    const rare = await profile(csv([...lines.filter((l) => l.endsWith("<=50K")), ...lines.filter((l) => l.endsWith(">50K")).slice(0, 200)]));
    expect(checkData(rare, X)).toContain('The label value ">50K" is 0.8 % of the labelled rows; at least 5.0 % is required.');
    const holes = await profile(csv(lines.map((l, i) => (i % 3 === 0 ? l.replace(/^\d+,/, ",") : l))));
    expect(checkData(holes, X)).toContain('The column "age" is 33 % missing; at most 20 % is allowed.');
  });

  it("holds the configured expectations: required columns and types, row bounds, label name, per-column PSI limits", async () => {
    const p = await profile(csv(lines.slice(0, 500)), full);
    const failed = checkData(p, { ...X, label: "income", columns: { age: "string", salary: "number" }, maxRows: 400, psi: { fnlwgt: 1e-6 } }, { runId: "r1", profile: full });
    expect(failed).toEqual(expect.arrayContaining([
      "The data has 500 rows; at most 400 are allowed.",
      'The training needs the column "salary", which the data does not have.',
      'The column "age" must hold text but holds numbers.',
      'The label column "income" is missing.',
      expect.stringMatching(/^The column "fnlwgt" drifted from run r1's data: population stability index 0\.\d{3}, above the limit of 0.000001\.$/),
    ]));
  });

  it("refuses what is not a table, and reads no record larger than 1 MiB", async () => {
    await expect(profile("")).rejects.toThrow(new DataProfileError("the data is empty: it has no header row"));
    await expect(profile("a,b,a\n1,2,3\n")).rejects.toThrow('the header names the column "a" twice');
    await expect(profile(Array.from({ length: 301 }, (_, i) => `c${i}`).join(",") + "\n")).rejects.toThrow("the data has 301 columns; at most 300 are profiled");
    await expect(profile(`a,b\n"${"x".repeat(2 * 1024 * 1024)}",1\n`)).rejects.toThrow(/^a record is longer than 1048576 characters \(from character 4\); the file is not a table of rows$/);
  });

  it("keeps a bounded profile of a column with more distinct values than it counts", async () => {
    const p = await profile(csv(Array.from({ length: 5_000 }, (_, i) => `id-${i},${i % 2}`), "id,class"));
    expect(col(p, "id").categories).toMatchObject({ distinct: 1_000, distinctCapped: true });
    expect(col(p, "id").categories!.top).toHaveLength(20);
    expect(checkData(p, X)).toEqual([]);
  });
});

describe("checkData: the columns the training needs, before any job", () => {
  const census = { ...X, columns: CENSUS_TRAINING_COLUMNS };
  /** x1, x2 and a census label: fit in rows, label and missing cells, but not what the census training reads. */
  const x1x2 = Array.from({ length: 600 }, (_, i) => `${i % 10},${(i * 7) % 13},${i % 4 === 0 ? ">50K" : "<=50K"}`);

  it("passes the census data, the real set and the bundled one alike, on every backend", () => {
    for (const columns of Object.values(TRAINING_COLUMNS)) expect(checkData(full, { ...X, columns })).toEqual([]);
  });

  it("refuses x1,x2,class on a first run (no reference) in one sentence naming every missing column and what the data has", async () => {
    const p = await profile(csv(x1x2, "x1,x2,class"));
    expect(checkData(p, X)).toEqual([]); // without the contract nothing stopped it: the job failed instead
    expect(checkData(p, census)).toEqual([
      'The training needs 14 columns the data does not have: "age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation", ' +
        '"relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country"; the data has "x1", "x2" instead.',
    ]);
  });

  it("refuses a numeric census column that holds text, which the serving model cannot score", async () => {
    const p = await profile(csv(lines.slice(0, 500).map((l, i) => (i === 5 ? l.replace(/^\d+,/, "unknown,") : l))));
    expect(checkData(p, census)).toEqual(['The column "age" must hold numbers but holds text.']);
  });

  it("names one missing column as such, and columns the reference had against the reference (renamed?), in one sentence", async () => {
    const noAge = await profile(csv(lines.map((l) => l.replace(/^\d+,/, "")), head!.replace(/^age,/, "")));
    expect(checkData(noAge, census)).toEqual(['The training needs the column "age", which the data does not have.']);
    const renamed = await profile(csv(lines, head!.replace(/^age,workclass,/, "Age,Workclass,")), full);
    expect(checkData(renamed, census, { runId: "r1", profile: full })).toEqual(['The columns "age", "workclass" of run r1\'s data are missing; new columns: "Age", "Workclass" (renamed?).']);
  });

  it("bounds the sentence: at most 20 names of each list, then how many more", async () => {
    const wide = Array.from({ length: 30 }, (_, i) => `c${i}`);
    const p = await profile(csv([[...wide.map(() => "1"), "a"].join(","), [...wide.map(() => "2"), "b"].join(",")], [...wide, "class"].join(",")));
    const many = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`need${i}`, "number" as const]));
    const [sentence] = checkData(p, { ...X, minRows: 1, columns: many });
    expect(sentence).toMatch(/^The training needs 25 columns the data does not have: "need0", .*"need19" and 5 more; the data has "c0", .*"c19" and 10 more instead\.$/);
  });

  it("requires nothing when the columns are set to none (a training that reads what it is given)", async () => {
    expect(checkData(await profile(csv(x1x2, "x1,x2,class")), { ...X, columns: {} })).toEqual([]);
  });
});
