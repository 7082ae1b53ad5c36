import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ContainerClient } from "@azure/storage-blob";
import { startTestEmulator, sasFor, upload, waitForJob, type TestEmulator } from "../../support/emulator";
import { adultSample } from "../../support/census";

let e: TestEmulator;
let c: ContainerClient;
const sample = adultSample(800);

beforeAll(async () => {
  e = await startTestEmulator({ maxConcurrentJobs: 1 });
  c = await e.container();
  await upload(c, "input.csv", sample);
});
afterAll(() => e.stop());

const key = () => e.config.trainingApiKey;
const jobs = () => `${e.besBase}/jobs?api-version=2.0`;
const job = (id: string, suffix = "") => `${e.besBase}/jobs/${id}${suffix}?api-version=2.0`;
const conn = () => e.storageConnectionString;

function request(overrides: Record<string, unknown> = {}) {
  return {
    Inputs: { input1: { ConnectionString: conn(), RelativeLocation: `${c.containerName}/input.csv` } },
    Outputs: {
      output1: { ConnectionString: conn(), RelativeLocation: `${c.containerName}/out/model.ilearner` },
      output2: { ConnectionString: conn(), RelativeLocation: `${c.containerName}/out/evaluation.csv` },
    },
    GlobalParameters: {},
    ...overrides,
  };
}

async function submit(body: unknown = request()): Promise<string> {
  const r = await e.call("POST", jobs(), key(), body);
  expect(r.status).toBe(200);
  expect(typeof r.body).toBe("string");
  return r.body as string;
}

function errorOf(body: unknown): { code: string; detail?: string; message: string } {
  const err = (body as { error: { code: string; message: string; details?: { code: string }[] } }).error;
  return { code: err.code, detail: err.details?.[0]?.code, message: err.message };
}

describe("BES submit", () => {
  it("returns the job id as a JSON string and leaves the job NotStarted", async () => {
    const res = await fetch(jobs(), { method: "POST", headers: { Authorization: `Bearer ${key()}`, "Content-Type": "application/json" }, body: JSON.stringify(request()) });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toMatch(/^"[0-9a-f]{32}"$/);
    const status = await e.call("GET", job(JSON.parse(text) as string), key());
    expect(status.body).toEqual({ StatusCode: "NotStarted", Results: null, Details: null });
  });

  it("accepts an older client's single Input", async () => {
    const { Inputs, ...rest } = request();
    await submit({ ...rest, Input: Inputs.input1 });
  });

  it.each([
    ["Input and Inputs together", { Input: { ConnectionString: "x", RelativeLocation: "a/b" } }, "BadArgument", "DuplicateInputInBatchCall"],
    ["no inputs", { Inputs: {} }, "BadArgument", "BatchJobInputsNotSpecified"],
    ["an unknown input name", { Inputs: { input9: { ConnectionString: "x", RelativeLocation: "a/b" } } }, "BadArgument", "BatchJobInputsNotSpecified"],
    ["output1 not ending in .ilearner", { Outputs: { output1: { ConnectionString: "UseDevelopmentStorage=true", RelativeLocation: "out/model.zip" } } }, "BadArgument", "InvalidBlobExtension"],
    ["an unknown output name", { Outputs: { output7: { ConnectionString: "UseDevelopmentStorage=true", RelativeLocation: "out/x.csv" } } }, "BadArgument", "InvalidOutputOverrideName"],
    ["a malformed connection string", { Inputs: { input1: { ConnectionString: "not a connection string", RelativeLocation: "a/b.csv" } } }, "BadArgument", "InvalidBlobConnectionString"],
    ["a RelativeLocation without a container", { Inputs: { input1: { ConnectionString: "UseDevelopmentStorage=true", RelativeLocation: "input.csv" } } }, "BadArgument", "InvalidBlob"],
    ["an unknown global parameter", { GlobalParameters: { "label column": "class" } }, "BadArgument", "InvalidGlobalParameterName"],
    ["a split fraction outside (0,1)", { GlobalParameters: { "Split Fraction": "1.5" } }, "BadArgument", "InvalidGlobalParameterValue"],
  ])("refuses %s with 400 %s/%s and creates no job", async (_what, overrides, code, detail) => {
    const before = ((await e.admin("GET", "jobs")).body as unknown[]).length;
    const r = await e.call("POST", jobs(), key(), request(overrides));
    expect(r.status).toBe(400);
    expect(errorOf(r.body)).toMatchObject({ code, detail });
    expect(((await e.admin("GET", "jobs")).body as unknown[]).length).toBe(before);
  });

  // Raw JSON text: a JS literal would not put "__proto__" on the wire. Before, these were looked up
  // on Object.prototype and refused as a probe output with no Inputs."[object Object]".
  it.each(["__proto__", "constructor", "toString", "hasOwnProperty"])("refuses output %s as the unknown output it is (400 InvalidOutputOverrideName), and creates no job", async (name) => {
    const before = ((await e.admin("GET", "jobs")).body as unknown[]).length;
    const ref = JSON.stringify({ ConnectionString: conn(), RelativeLocation: `${c.containerName}/out/x.csv` });
    const text = JSON.stringify(request()).replace('"Outputs":{', `"Outputs":{"${name}":${ref},`);
    const r = await e.call("POST", jobs(), key(), text);
    expect(r.status).toBe(400);
    expect(errorOf(r.body)).toEqual({ code: "BadArgument", detail: "InvalidOutputOverrideName", message: expect.stringContaining(`Unknown output "${name}"`) as unknown });
    expect(((await e.admin("GET", "jobs")).body as unknown[]).length).toBe(before);
  });

  it("refuses a missing input blob with 400 BlobNotFound", async () => {
    const r = await e.call("POST", jobs(), key(), request({ Inputs: { input1: { ConnectionString: conn(), RelativeLocation: `${c.containerName}/nope.csv` } } }));
    expect(r.status).toBe(400);
    expect(errorOf(r.body)).toMatchObject({ code: "BadArgument", detail: "BlobNotFound" });
    expect(errorOf(r.body).message).toContain("nope.csv");
  });

  it("refuses malformed JSON with 400 and an oversized body with 413", async () => {
    const bad = await e.call("POST", jobs(), key(), "{ not json");
    expect(bad.status).toBe(400);
    expect(errorOf(bad.body).message).toMatch(/not valid JSON/);
    const huge = await e.call("POST", jobs(), key(), JSON.stringify({ pad: "x".repeat(e.config.maxRequestBodyBytes + 10) }));
    expect(huge.status).toBe(413);
  });
});

describe("BES authorisation and lookup", () => {
  it("answers 401 to a missing or wrong key and 404 to unknown workspace, service or job", async () => {
    expect((await e.call("POST", jobs(), undefined, request())).status).toBe(401);
    const wrong = await e.call("POST", jobs(), `${key()}x`, request());
    expect(wrong.status).toBe(401);
    expect(errorOf(wrong.body)).toMatchObject({ code: "Unauthorized", detail: "ScoreRequestUnauthorized" });
    const ws = await e.call("POST", jobs().replace(e.config.workspaceId, "ffff"), key(), request());
    expect([ws.status, errorOf(ws.body).detail]).toEqual([404, "WorkspaceNotFound"]);
    const svc = await e.call("GET", job("x").replace(e.config.trainingServiceId, "ffff"), key());
    expect([svc.status, errorOf(svc.body).detail]).toEqual([404, "WebServiceNotFound"]);
    const unknown = await e.call("GET", job("0123456789abcdef0123456789abcdef"), key());
    expect([unknown.status, errorOf(unknown.body).code]).toEqual([404, "NotFound"]);
  });

  it("requires api-version=2.0", async () => {
    const r = await e.call("POST", `${e.besBase}/jobs`, key(), request());
    expect(r.status).toBe(400);
    expect(errorOf(r.body).message).toMatch(/api-version/);
  });
});

describe("BES job lifecycle", () => {
  it("starts with 204, trains, and returns results with read-only SAS tokens that work", async () => {
    const id = await submit();
    const start = await e.call("POST", job(id, "/start"), key());
    expect(start.status).toBe(204);
    const again = await e.call("POST", job(id, "/start"), key());
    expect(again.status).toBe(400);
    expect(errorOf(again.body)).toMatchObject({ code: "InvalidOperation", detail: "CannotStartJob" });
    const done = await waitForJob(e, id);
    expect(done.StatusCode).toBe("Finished");
    const results = done.Results as Record<string, { BaseLocation: string; RelativeLocation: string; SasBlobToken: string }>;
    expect(Object.keys(results).sort()).toEqual(["output1", "output2"]);
    const r2 = results.output2!;
    expect(r2.BaseLocation).toMatch(/\/$/);
    expect(r2.RelativeLocation).toBe(`${c.containerName}/out/evaluation.csv`);
    const token = new URLSearchParams(r2.SasBlobToken.slice(1));
    expect(r2.SasBlobToken.startsWith("?")).toBe(true);
    expect(token.get("sp")).toBe("r");
    expect(token.get("se")).toBeTruthy();
    const csv = await (await fetch(`${r2.BaseLocation}${r2.RelativeLocation}${r2.SasBlobToken}`)).text();
    expect(csv.split(/\r?\n/)[0]).toBe("Accuracy,Precision,Recall,F-Score,AUC,Average Log Loss,Training Log Loss");
    // read-only: the same token cannot overwrite the result
    const put = await fetch(`${r2.BaseLocation}${r2.RelativeLocation}${r2.SasBlobToken}`, { method: "PUT", headers: { "x-ms-blob-type": "BlockBlob" }, body: "x" });
    expect(put.status).toBe(403);
  });

  it("mints a fresh token on every status GET, and Azurite enforces its expiry", async () => {
    const id = await submit();
    await e.call("POST", job(id, "/start"), key());
    const first = ((await waitForJob(e, id)).Results as Record<string, { SasBlobToken: string }>).output1!.SasBlobToken;
    await e.admin("POST", "faults", { sasLifetimeInSeconds: 2 });
    try {
      const status = (await e.call("GET", job(id), key())).body as { Results: Record<string, { BaseLocation: string; RelativeLocation: string; SasBlobToken: string }> };
      const short = status.Results.output1!;
      expect(short.SasBlobToken).not.toBe(first);
      const url = `${short.BaseLocation}${short.RelativeLocation}${short.SasBlobToken}`;
      expect((await fetch(url)).status).toBe(200);
      const expiry = Date.parse(new URLSearchParams(short.SasBlobToken.slice(1)).get("se")!);
      await new Promise((r) => setTimeout(r, Math.max(0, expiry - Date.now()) + 1_000));
      expect((await fetch(url)).status).toBe(403);
      const fresh = ((await e.call("GET", job(id), key())).body as typeof status).Results.output1!;
      expect((await fetch(`${fresh.BaseLocation}${fresh.RelativeLocation}${fresh.SasBlobToken}`)).status).toBe(200);
    } finally {
      await e.admin("DELETE", "faults");
    }
  });

  it("reads input and writes outputs through SAS references as well as connection strings", async () => {
    const base = e.blobs.url.endsWith("/") ? e.blobs.url : `${e.blobs.url}/`;
    const id = await submit({
      Inputs: { input1: { BaseLocation: base, RelativeLocation: `${c.containerName}/input.csv`, SasBlobToken: await sasFor(c, "input.csv", "r") } },
      Outputs: {
        output1: { BaseLocation: base, RelativeLocation: `${c.containerName}/sas/model.ilearner`, SasBlobToken: await sasFor(c, "sas/model.ilearner", "cw") },
        output2: { BaseLocation: base, RelativeLocation: `${c.containerName}/sas/evaluation.csv`, SasBlobToken: await sasFor(c, "sas/evaluation.csv", "cw") },
      },
    });
    await e.call("POST", job(id, "/start"), key());
    expect((await waitForJob(e, id)).StatusCode).toBe("Finished");
    expect(await c.getBlobClient("sas/model.ilearner").exists()).toBe(true);
  });

  it("fails a job whose CSV lacks the label column, or has no rows, with clear Details", async () => {
    await upload(c, "nolabel.csv", "age,sex\n39,Male\n50,Female\n");
    await upload(c, "empty.csv", sample.split("\n")[0]! + "\n");
    const failures: string[] = [];
    for (const blob of ["nolabel.csv", "empty.csv"]) {
      const id = await submit(request({ Inputs: { input1: { ConnectionString: conn(), RelativeLocation: `${c.containerName}/${blob}` } } }));
      await e.call("POST", job(id, "/start"), key());
      const s = await waitForJob(e, id);
      expect(s.StatusCode).toBe("Failed");
      expect(s.Results).toBeNull();
      failures.push(s.Details as string);
    }
    expect(failures[0]).toMatch(/no label column "class" or "income"/);
    expect(failures[1]).toMatch(/no rows/);
  });

  it("uses the Label Column global parameter", async () => {
    await upload(c, "target.csv", sample.replace(/,class\n/, ",target\n"));
    const id = await submit(request({ Inputs: { input1: { ConnectionString: conn(), RelativeLocation: `${c.containerName}/target.csv` } }, GlobalParameters: { "Label Column": "target" } }));
    await e.call("POST", job(id, "/start"), key());
    expect((await waitForJob(e, id)).StatusCode).toBe("Finished");
  });

  it("cancels a job that was never started, and one that is running, with 204", async () => {
    const idle = await submit();
    expect((await e.call("DELETE", job(idle), key())).status).toBe(204);
    expect(((await e.call("GET", job(idle), key())).body as { StatusCode: string }).StatusCode).toBe("Cancelled");
    await e.admin("POST", "faults", { holdRunningMs: -1 });
    try {
      const busy = await submit(request({ Outputs: { output1: { ConnectionString: conn(), RelativeLocation: `${c.containerName}/cancel/model.ilearner` } } }));
      await e.call("POST", job(busy, "/start"), key());
      await expect.poll(async () => ((await e.call("GET", job(busy), key())).body as { StatusCode: string }).StatusCode, { timeout: 30_000 }).toBe("Running");
      expect((await e.call("DELETE", job(busy), key())).status).toBe(204);
      expect(((await e.call("GET", job(busy), key())).body as { StatusCode: string }).StatusCode).toBe("Cancelled");
      expect(await c.getBlobClient("cancel/model.ilearner").exists()).toBe(false);
    } finally {
      await e.admin("DELETE", "faults");
    }
  });

  it("queues started jobs FIFO behind the concurrency cap, reporting NotStarted while queued", async () => {
    await e.admin("POST", "faults", { holdRunningMs: 400 });
    try {
      const ids = [await submit(), await submit(), await submit()];
      for (const id of ids) await e.call("POST", job(id, "/start"), key());
      const states = await Promise.all(ids.map(async (id) => ((await e.call("GET", job(id), key())).body as { StatusCode: string }).StatusCode));
      expect(states.slice(1)).toEqual(["NotStarted", "NotStarted"]);
      for (const id of ids) expect((await waitForJob(e, id)).StatusCode).toBe("Finished");
      const timeline = (await e.admin("GET", "jobs")).body as { id: string; runningAt: string; endedAt: string }[];
      const [a, b, c3] = ids.map((id) => timeline.find((t) => t.id === id)!);
      expect(Date.parse(b!.runningAt)).toBeGreaterThanOrEqual(Date.parse(a!.endedAt));
      expect(Date.parse(c3!.runningAt)).toBeGreaterThanOrEqual(Date.parse(b!.endedAt));
    } finally {
      await e.admin("DELETE", "faults");
    }
  });
});

describe("Evaluate Model's second input: the Champion Model global parameter", () => {
  it("evaluates the champion on the same held-out rows as a second CSV row", async () => {
    const small = await submit(request({ Outputs: { output1: { ConnectionString: conn(), RelativeLocation: `${c.containerName}/champ/model.ilearner` } } }));
    await e.call("POST", job(small, "/start"), key());
    expect((await waitForJob(e, small)).StatusCode).toBe("Finished");
    const championUrl = `${c.url}/champ/model.ilearner${await sasFor(c, "champ/model.ilearner", "r")}`;
    const id = await submit(request({
      Outputs: { output2: { ConnectionString: conn(), RelativeLocation: `${c.containerName}/vs/evaluation.csv` } },
      GlobalParameters: { "Random Seed": "9", "Champion Model": championUrl },
    }));
    await e.call("POST", job(id, "/start"), key());
    expect((await waitForJob(e, id)).StatusCode).toBe("Finished");
    const csv = (await c.getBlockBlobClient("vs/evaluation.csv").downloadToBuffer()).toString("utf8");
    const rows = csv.trim().split(/\r?\n/);
    expect(rows).toHaveLength(3);
    const [challenger, champion] = [rows[1]!.split(",").map(Number), rows[2]!.split(",").map(Number)];
    expect(champion.every(Number.isFinite)).toBe(true);
    expect(champion).not.toEqual(challenger); // a different seed, so a different model on the same rows
  });

  it("fails the job clearly when the champion cannot be read, and refuses a non-model URL at submit", async () => {
    const id = await submit(request({ GlobalParameters: { "Champion Model": `${c.url}/nope/model.ilearner${await sasFor(c, "nope/model.ilearner", "r")}` } }));
    await e.call("POST", job(id, "/start"), key());
    expect(await waitForJob(e, id)).toMatchObject({ StatusCode: "Failed", Details: expect.stringMatching(/Champion Model could not be read \(404\)/) as unknown });
    const bad = await e.call("POST", jobs(), key(), request({ GlobalParameters: { "Champion Model": "https://x/y.csv" } }));
    expect([bad.status, errorOf(bad.body).detail]).toEqual([400, "InvalidGlobalParameterValue"]);
  });
});
