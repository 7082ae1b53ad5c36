import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ContainerClient } from "@azure/storage-blob";
import { startTestEmulator, upload, waitForJob, type TestEmulator } from "../../support/emulator";
import { readResult, type BlobResult } from "../../support/bes-client";
import { getEndpoint, score } from "../../support/rrs-client";
import { adultSample, csvRows } from "../../support/census";

const RESOURCE = "Census Model [trained model]";
let e: TestEmulator;
let c: ContainerClient;
const sample = adultSample(800);
const probeCsv = adultSample(20);
const probe = csvRows(probeCsv);

beforeAll(async () => {
  e = await startTestEmulator({ maxConcurrentJobs: 1 });
  c = await e.container();
  await upload(c, "input.csv", sample);
  await upload(c, "probe.csv", probeCsv);
});
afterAll(() => e.stop());

const key = () => e.config.trainingApiKey;
const jobs = () => `${e.besBase}/jobs?api-version=2.0`;
const job = (id: string, suffix = "") => `${e.besBase}/jobs/${id}${suffix}?api-version=2.0`;
const ref = (blob: string) => ({ ConnectionString: e.storageConnectionString, RelativeLocation: `${c.containerName}/${blob}` });
const errorOf = (body: unknown) => {
  const err = (body as { error: { code: string; message: string; details?: { code: string }[] } }).error;
  return { code: err.code, detail: err.details?.[0]?.code, message: err.message };
};

async function run(body: unknown): Promise<Record<string, unknown>> {
  const r = await e.call("POST", jobs(), key(), body);
  expect(r.status).toBe(200);
  const id = r.body as string;
  expect((await e.call("POST", job(id, "/start"), key())).status).toBe(204);
  return waitForJob(e, id);
}

/** A CSV whose cells have no quotes or commas (the census data and the scored output here). */
const parse = (text: string) => csvRows(text.replace(/\r\n/g, "\n"));

describe("BES probe: input2 scored by the new model into output3", () => {
  it("writes the scored probe, and RRS on the patched endpoint returns the very same probabilities", async () => {
    const done = await run({
      Inputs: { input1: ref("input.csv"), input2: ref("probe.csv") },
      Outputs: { output1: ref("p/model.ilearner"), output3: ref("p/probe-scored.csv") },
      GlobalParameters: { "Random Seed": "17" },
    });
    expect(done.StatusCode).toBe("Finished");
    const results = done.Results as Record<string, BlobResult>;
    expect(Object.keys(results).sort()).toEqual(["output1", "output2", "output3"]);
    expect(results.output3!.RelativeLocation).toBe(`${c.containerName}/p/probe-scored.csv`);
    expect(new URLSearchParams(results.output3!.SasBlobToken.slice(1)).get("sp")).toBe("r");

    const scored = parse(await readResult(results.output3!));
    expect(scored.columns).toEqual([...probe.columns, "Scored Labels", "Scored Probabilities"]);
    expect(scored.rows).toHaveLength(20);
    const pIndex = scored.columns.indexOf("Scored Probabilities");
    const labels = new Set(scored.rows.map((r) => r[pIndex - 1]));
    for (const l of labels) expect(["<=50K", ">50K"]).toContain(l);
    scored.rows.forEach((r, i) => expect(r.slice(0, probe.columns.length)).toEqual(probe.rows[i]));
    const expected = scored.rows.map((r) => r[pIndex]!);

    // Update Resource on the added endpoint with the job's model, then score the same rows through RRS.
    const retrain = await getEndpoint(e, "retrain");
    const before = (await score(e, retrain, probe.columns, probe.rows)).map(String);
    expect(before).not.toEqual(expected); // the seeded model differs, so the comparison means something
    const patch = await e.call("PATCH", `${e.endpointsUrl}/retrain`, e.config.managementToken, { Resources: [{ Name: RESOURCE, Location: results.output1 }] });
    expect(patch.status).toBeGreaterThanOrEqual(200);
    expect(patch.status).toBeLessThan(300);
    expect((await score(e, retrain, probe.columns, probe.rows)).map(String)).toEqual(expected);
    // and as RRS's own strings, untouched by number parsing
    const raw = await e.call("POST", `${retrain.ApiLocation}/execute?api-version=2.0&details=true`, retrain.PrimaryKey, {
      Inputs: { input1: { ColumnNames: probe.columns, Values: probe.rows } },
      GlobalParameters: {},
    });
    const value = (raw.body as { Results: { output1: { value: { ColumnNames: string[]; Values: string[][] } } } }).Results.output1.value;
    expect(value.ColumnNames).toEqual(scored.columns);
    expect(value.Values).toEqual(scored.rows);
  });

  it("writes output3 to the default location when input2 is given without it", async () => {
    const done = await run({ Inputs: { input1: ref("input.csv"), input2: ref("probe.csv") } });
    expect(done.StatusCode).toBe("Finished");
    const output3 = (done.Results as Record<string, BlobResult>).output3!;
    expect(output3.RelativeLocation).toMatch(/^experimentoutput\/[0-9a-f]{32}\/output3\.csv$/);
    expect(parse(await readResult(output3)).rows).toHaveLength(20);
  });

  it("accepts a probe without the label column", async () => {
    const noLabel = probeCsv.split("\n").map((l) => l.split(",").slice(0, -1).join(",")).join("\n");
    await upload(c, "probe-nolabel.csv", noLabel);
    const done = await run({ Inputs: { input1: ref("input.csv"), input2: ref("probe-nolabel.csv") }, Outputs: { output3: ref("p/nolabel.csv") } });
    expect(done.StatusCode).toBe("Finished");
    const scored = parse(await readResult((done.Results as Record<string, BlobResult>).output3!));
    expect(scored.columns).toEqual([...probe.columns.slice(0, -1), "Scored Labels", "Scored Probabilities"]);
    expect(scored.rows).toHaveLength(20);
  });
});

describe("BES probe: refusals and failures", () => {
  it.each([
    ["output3 without input2", { Inputs: { input1: "input.csv" }, Outputs: { output3: "p/x.csv" } }, "BatchJobInputsNotSpecified", /no Inputs\.input2/],
    ["output3 not ending in .csv", { Inputs: { input1: "input.csv", input2: "probe.csv" }, Outputs: { output3: "p/x.txt" } }, "InvalidBlobExtension", /output3/],
    ["an input2 blob that does not exist", { Inputs: { input1: "input.csv", input2: "nope-probe.csv" } }, "BlobNotFound", /Inputs\.input2.*nope-probe\.csv/],
    ["input2 without input1", { Inputs: { input2: "probe.csv" } }, "BatchJobInputsNotSpecified", /input1/],
  ])("refuses %s with 400 BadArgument and creates no job", async (_what, spec, detail, message) => {
    const refs = (m: Record<string, string> | undefined) => (m ? Object.fromEntries(Object.entries(m).map(([k, v]) => [k, ref(v)])) : undefined);
    const before = ((await e.admin("GET", "jobs")).body as unknown[]).length;
    const r = await e.call("POST", jobs(), key(), { Inputs: refs(spec.Inputs), Outputs: refs((spec as { Outputs?: Record<string, string> }).Outputs) });
    expect(r.status).toBe(400);
    expect(errorOf(r.body)).toMatchObject({ code: "BadArgument", detail });
    expect(errorOf(r.body).message).toMatch(message);
    expect(((await e.admin("GET", "jobs")).body as unknown[]).length).toBe(before);
  });

  it("fails the job, naming input2, for a probe row with a bad numeric value, and writes no outputs", async () => {
    const lines = probeCsv.split("\n");
    lines[3] = lines[3]!.replace(/^\d+,/, "forty,");
    await upload(c, "probe-bad.csv", lines.join("\n"));
    const done = await run({ Inputs: { input1: ref("input.csv"), input2: ref("probe-bad.csv") }, Outputs: { output1: ref("bad/model.ilearner") } });
    expect(done.StatusCode).toBe("Failed");
    expect(done.Results).toBeNull();
    expect(done.Details).toMatch(/input2 \(probe rows\) row 3: Column "age" must be numeric, got "forty"/);
    expect(await c.getBlobClient("bad/model.ilearner").exists()).toBe(false);
  });

  it("fails the job, naming input2, for a probe that lacks a feature column", async () => {
    const dropped = probeCsv.split("\n").map((l) => l.split(",").filter((_, i) => i !== 1).join(",")).join("\n");
    await upload(c, "probe-short.csv", dropped);
    const done = await run({ Inputs: { input1: ref("input.csv"), input2: ref("probe-short.csv") } });
    expect(done.StatusCode).toBe("Failed");
    expect(done.Details).toMatch(/input2 \(probe rows\) lacks the column\(s\) workclass/);
  });
});
