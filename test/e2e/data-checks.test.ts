import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import type { RunRecord } from "../../shared/history/run-record";

/**
 * Skip unchanged data and refuse unfit data, before any job: complete runs through the local
 * host, the local ML service and Azurite. What a user checks: the run's result and reason, its
 * record (profile included), and that the service saw no job for a run that trained nothing.
 */
let p: HostedPipeline;
let root: string;
const INSTANCE = "retrain-retrain";
const submits = async () => ((await p.emulator.admin("GET", "calls")).body as { submit: number }).submit;

beforeAll(async () => {
  p = await startHostedPipeline({ speed: 200, settings: { RETRAIN_SKIP_UNCHANGED: "true", RETRAIN_GATE: "AUC>=0.8", VERIFY_DELAY_SECONDS: "30", RETRAIN_DATA_CONTAINERS: "training-data" } });
  root = p.values.RETRAIN_DATA_ROOT!;
  const census = readFileSync(path.join(root, "census.csv"), "utf8");
  const [head, ...rows] = census.trimEnd().split("\n");
  const age = head!.split(",").indexOf("age");
  // an export cut off mid-row at a third of its size
  writeFileSync(path.join(root, "cut.csv"), census.slice(0, Math.floor(census.length / 3)));
  writeFileSync(path.join(root, "renamed.csv"), [head!.replace("age", "Age"), ...rows].join("\n") + "\n");
  // the same people, but only those over 45 (twice over, so the row count holds)
  const older = rows.filter((r) => Number(r.split(",")[age]) > 45);
  writeFileSync(path.join(root, "older.csv"), [head, ...older, ...older, ...older].join("\n") + "\n");
  // the same bytes in a blob: staged by a server-side copy, which no byte of passes through the app
  const container = BlobServiceClient.fromConnectionString(p.emulator.storageConnectionString).getContainerClient("training-data");
  await container.createIfNotExists();
  await container.getBlockBlobClient("census.csv").upload(census, Buffer.byteLength(census));
});
afterAll(() => p.stop());

async function run(body: Record<string, unknown> = {}): Promise<{ status: Record<string, unknown>; record: RunRecord; submitted: number }> {
  const before = await submits();
  expect((await p.call("POST", "/api/retrain", body)).status).toBe(202);
  await p.engine.waitUntilEnded(INSTANCE);
  const status = (await p.call("GET", `/api/retrain/${INSTANCE}`)).body as Record<string, unknown>;
  const record = (await p.call("GET", `/api/runs/${String(status.runId)}`)).body as RunRecord;
  return { status, record, submitted: (await submits()) - before };
}

describe("data checks before any job", () => {
  let first: RunRecord;

  it("profiles the data of a promoted run and records the profile", async () => {
    const r = await run();
    expect(r.status).toMatchObject({ runtimeStatus: "Completed", result: "promoted" });
    first = r.record;
    expect(first.profile).toMatchObject({ rows: 6_000, malformedRows: 0, sha256: first.dataSha256 });
    expect(first.profile!.columns.find((c) => c.name === "age")).toMatchObject({ type: "number", missing: 0 });
    expect(first.durationsInSeconds.checks).toBeGreaterThanOrEqual(0);
  });

  it("skips the same data again, naming the run that trained on it, and submits nothing; force retrains", async () => {
    const again = await run();
    console.log(`unchanged data: ${String(again.status.result)}: ${String(again.status.reason)}`);
    expect(again.status).toMatchObject({ runtimeStatus: "Completed", result: "skipped" });
    expect(again.status.reason).toMatch(new RegExp(`^the data is the same as run ${first.runId}'s \\(sha256 ${first.dataSha256!.slice(0, 12)}…\\), so no job was submitted`));
    expect(again.submitted).toBe(0);
    expect(again.record).toMatchObject({ result: "skipped", dataSha256: first.dataSha256 });
    // the same bytes copied from a blob by the storage service: the profile still reads their sha256
    const copied = await run({ dataSource: "blob:training-data/census.csv" });
    expect(copied.status).toMatchObject({ result: "skipped", staged: { method: "server-side-copy", sha256: first.dataSha256 } });
    expect(copied.submitted).toBe(0);
    const forced = await run({ force: true });
    expect(forced.status.result).toMatch(/^(promoted|rejected)$/);
    expect(forced.submitted).toBe(1);
  });

  it.each([
    ["cut.csv", [/: \d+ of \d+ rows have a different number of fields than the header/, /fewer than 50 % of the 6000 in run .+'s data: the export may be truncated/]],
    ["renamed.csv", [/The column "age" of run .+'s data is missing; new columns: "Age" \(renamed\?\)\./]],
    ["older.csv", [/The column "age" drifted from run .+'s data: population stability index \d+\.\d{3}, above the limit of 0\.25\./]],
  ])("refuses %s before any job, one sentence per failed check", async (file, sentences) => {
    const r = await run({ dataSource: file });
    console.log(`${file}: ${String(r.status.result)}: ${String(r.status.reason)}`);
    expect(r.status).toMatchObject({ runtimeStatus: "Completed", result: "data-rejected" });
    for (const s of sentences) expect(r.status.reason).toMatch(s);
    expect(r.submitted).toBe(0);
    expect(r.record).toMatchObject({ result: "data-rejected", profileReference: expect.any(String) as unknown });
    expect(r.record.profile!.sha256).toBe(r.record.dataSha256);
  });
});
