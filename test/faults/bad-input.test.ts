import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNCTION_KEY, startHostedPipeline, type HostedPipeline } from "../support/host";

/**
 * Bad input to `POST /api/retrain` through the local host: each request is refused with a 4xx
 * whose message names what is wrong, and nothing starts — no instance for the endpoint, no call
 * to the ML service. (host-runs.test.ts checks a few of these by status; here every message too.)
 */
let p: HostedPipeline;
const LIMIT = 16 * 1024;

beforeAll(async () => {
  p = await startHostedPipeline();
  const root = p.values.RETRAIN_DATA_ROOT!;
  const outside = mkdtempSync(path.join(tmpdir(), "retrainer-outside-"));
  writeFileSync(path.join(outside, "secret.csv"), "age,class\n1,<=50K\n");
  mkdirSync(path.join(root, "folder"));
  symlinkSync(path.join(outside, "secret.csv"), path.join(root, "escape.csv"));
  symlinkSync(outside, path.join(root, "outside"));
});
afterAll(() => p.stop());

async function expectNothingStarted(): Promise<void> {
  expect((await p.call("GET", "/api/retrain/retrain-retrain")).status).toBe(404);
  const calls = (await p.emulator.admin("GET", "calls")).body as Record<string, number>;
  expect(Object.entries(calls).filter(([, n]) => n > 0)).toEqual([]);
  expect(p.logs.filter((l) => /Started run/.test(l))).toEqual([]);
}

async function expectRefused(res: { status: number; body: unknown }, status: number, message: RegExp): Promise<void> {
  expect(res.status).toBe(status);
  expect((res.body as { error?: unknown }).error).toMatch(message);
  await expectNothingStarted();
}

const retrain = (body: unknown, key?: string | null) => p.call("POST", "/api/retrain", body, key);

/** A JSON object of exactly `bytes` bytes, whose one field is not one the trigger takes. */
const bodyOf = (bytes: number) => `{"padding":"${"x".repeat(bytes - '{"padding":""}'.length)}"}`;

/** Sends the body as a stream: chunked, with no Content-Length for the trigger to check up front. */
async function streamed(text: string, chunkBytes = 4096): Promise<{ status: number; body: unknown }> {
  const bytes = new TextEncoder().encode(text);
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < bytes.length; i += chunkBytes) c.enqueue(bytes.slice(i, i + chunkBytes));
      c.close();
    },
  });
  const res = await fetch(`${p.host.url}/api/retrain`, { method: "POST", headers: { "x-functions-key": FUNCTION_KEY }, body, duplex: "half" });
  return { status: res.status, body: await res.json() };
}

describe("POST /api/retrain refuses bad input by name and starts nothing", () => {
  it.each([
    ["malformed JSON", "{not json", /^The request body is not valid JSON: /],
    ["a JSON array", "[1,2]", /^The request body must be a JSON object\.$/],
    ["a JSON string", '"retrain"', /must be a JSON object/],
    ["JSON null", "null", /must be a JSON object/],
    ["an unknown field", { endpoint: "retrain", priority: "high" }, /^unknown field\(s\): priority; allowed: endpoint, dataSource, gate, dryRun, requireApproval, force$/],
    ["__proto__ as a field", '{"__proto__":{"dryRun":true}}', /unknown field\(s\): __proto__/],
    ["dryRun as a string", { dryRun: "yes" }, /^dryRun must be true or false$/],
    ["requireApproval as a number", { requireApproval: 1 }, /^requireApproval must be true or false$/],
    ["endpoint as a number", { endpoint: 42 }, /^endpoint: Expected string, received number$/],
    ["an empty endpoint", { endpoint: "" }, /^endpoint must not be empty$/],
    ["two wrong fields at once", { dryRun: "yes", gate: 5 }, /^gate: Expected string, received number; dryRun must be true or false$/],
    ["an endpoint this app does not retrain", { endpoint: "customer9" }, /^endpoint "customer9" is not one this app retrains; configured: retrain\.$/],
  ])("the body: %s → 400", async (_what, body, message) => {
    await expectRefused(await retrain(body), 400, message);
  });

  it.each([
    ["no key", null, /needs a key: pass \?code=KEY or the x-functions-key header/],
    ["a wrong key", "not-the-key", /needs a key/],
    ["an empty key", "", /needs a key/],
  ])("a valid body with %s → 401", async (_what, key, message) => {
    await expectRefused(await retrain({ dryRun: true }, key), 401, message);
  });

  it("a wrong key in ?code= → 401, and a method the route does not take → 404", async () => {
    await expectRefused(await p.call("POST", "/api/retrain?code=not-the-key", { dryRun: true }, null), 401, /needs a key/);
    await expectRefused(await p.call("PUT", "/api/retrain", { dryRun: true }), 404, /^No function at PUT \/api\/retrain\.$/);
  });

  it.each([
    ["with Content-Length, one byte over", () => retrain(bodyOf(LIMIT + 1))],
    ["streamed without Content-Length, one byte over", () => streamed(bodyOf(LIMIT + 1))],
    ["streamed without Content-Length, 4 MiB", () => streamed(bodyOf(4 * 1024 * 1024), 64 * 1024)],
  ])(`a body over ${LIMIT} bytes, %s → 413`, async (_what, send) => {
    await expectRefused(await send(), 413, /^The request body is larger than 16384 bytes\.$/);
  });

  it("a body of exactly the limit is read and judged on its content (400, not 413), with or without Content-Length", async () => {
    await expectRefused(await retrain(bodyOf(LIMIT)), 400, /^unknown field\(s\): padding/);
    await expectRefused(await streamed(bodyOf(LIMIT)), 400, /^unknown field\(s\): padding/);
  });

  it.each([
    // The data folder's own path is not named: callers do not need to learn where it is.
    ["a relative path that climbs out", "../../etc/passwd", /^Data source path "\.\.\/\.\.\/etc\/passwd" leaves the data folder\.$/],
    ["an absolute path outside the data folder", "/etc/passwd", /^Data source path "\/etc\/passwd" leaves the data folder\.$/],
    ["a path that dips into the folder and climbs out", "folder/../../outside.csv", /leaves the data folder/],
    ["URL-encoded ..%2f", "..%2f..%2fetc%2fpasswd", /^dataSource "\.\.%2f\.\.%2fetc%2fpasswd" does not exist in the data folder \(the path is taken literally, not URL-decoded\)\.$/],
    ["URL-encoded %2e%2e/", "%2e%2e/%2e%2e/etc/passwd", /does not exist in the data folder \(the path is taken literally/],
    ["backslashes", "..\\..\\etc\\passwd", /^dataSource "\.\.\\\.\.\\etc\\passwd" does not exist in the data folder\.$/],
    ["a symbolic link in the folder to a file outside", "escape.csv", /^dataSource "escape\.csv" leads out of the data folder through a symbolic link\.$/],
    ["a path through a symbolic link to a folder outside", "outside/secret.csv", /leads out of the data folder through a symbolic link/],
    ["a folder", "folder", /^dataSource "folder" is not a file\.$/],
    ["a file that does not exist", "missing.csv", /^dataSource "missing\.csv" does not exist in the data folder\.$/],
    ["a file: URL", "file:///etc/passwd", /^Data source URL must use https:\/\/ \(http:\/\/ only on loopback\), got "file:\/\/"\.$/],
    ["a plain http URL off loopback", "http://example.com/census.csv", /must use https:\/\/ .*got "http:\/\/example\.com"/],
    ["an ftp URL", "ftp://example.com/census.csv", /must use https:\/\/ .*got "ftp:\/\/example\.com"/],
    ["a blob path that climbs out", "blob:data/../secrets/x.csv", /^Blob data source "blob:data\/\.\.\/secrets\/x\.csv" must be "blob:container\/path\/to\/file\.csv"/],
    ["an empty data source", "", /^dataSource must not be empty$/],
    // The app's identity can read the whole account: the host's keys, the task hub, the endpoint records in run blobs.
    ["the Functions host's secrets container", "blob:azure-webjobs-secrets/host.json", /^Blob data source "blob:azure-webjobs-secrets\/host\.json" is not in a container this app reads training data from; there are none \(RETRAIN_DATA_CONTAINERS\)\.$/],
    ["the staging container", "blob:retrainer-runs/other-run/input.csv", /is not in a container this app reads training data from; there are none/],
    // The Functions host listens on loopback, Durable's management API included; off in Azure (RETRAIN_ALLOW_LOOPBACK_SOURCES).
    ["a loopback URL", "http://127.0.0.1:7071/runtime/webhooks/durabletask/instances", /^Data source URL http:\/\/127\.0\.0\.1:7071 was refused: it, or a redirect from it, leads to an address this app does not fetch data from\.$/],
    ["the instance metadata service", "https://169.254.169.254/metadata/identity/oauth2/token", /^Data source URL https:\/\/169\.254\.169\.254 was refused: /],
  ])("the data source: %s → 400", async (_what, dataSource, message) => {
    await expectRefused(await retrain({ dataSource }), 400, message);
  });

  it.each([
    ["an unknown operator", "AUC>>0.9", /^Gate rule "AUC>>0\.9" must look like "auc>=0\.85"/],
    ["an unknown metric", "AUCC>=0.9", /^Gate rule "AUCC>=0\.9" names an unknown metric "AUCC"; metrics \(Evaluate Model\): accuracy, /],
    ["a name that could be either log loss", "Loss<=0.4", /^Gate rule "Loss<=0\.4" names "Loss", which could be log_loss or training_log_loss: name one; metrics \(Evaluate Model\): accuracy, /],
    ["a bound that is not a number", "AUC>=high", /^Gate rule "AUC>=high" has a bound "high" that is neither a number nor "champion"/],
    ["no rules", " ; ", /^The gate policy has no rules/],
    ["an empty gate", "", /^gate must not be empty$/],
    ["a percentage", "AUC>=85", /^Gate rule "AUC>=85" would never pass: auc is between 0 and 1\.$/],
    ["a threshold every model meets", "Accuracy>=0.8; AUC>=-1", /^Gate rule "AUC>=-1" would always pass: auc is between 0 and 1\.$/],
    ["a threshold at the bottom of its range", "AUC>=0", /^Gate rule "AUC>=0" would always pass: auc is between 0 and 1\.$/],
    ["a negative log loss bound", "Average Log Loss<=-0.1", /^Gate rule "Average Log Loss<=-0\.1" would never pass: log_loss is 0 or more\.$/],
    // 400 nines parse to Infinity, which JSON then carries as null: "at least null" passed every model
    ["a threshold that overflows", `Average Log Loss>=${"9".repeat(400)}`, /^Gate rule "Average Log Loss>=9{60,}…" has a number longer than 24 characters\.$/],
    ["a champion factor of zero", "AUC>=champion*0", /^Gate rule "AUC>=champion\*0" multiplies the champion by 0; the factor must be between 0\.5 and 2\.$/],
    ["a champion offset past the metric's range", "AUC>=champion-2", /^Gate rule "AUC>=champion-2" moves the champion's auc by -2; at most 0\.5 either way is allowed\.$/],
    ["too many rules", Array.from({ length: 17 }, () => "AUC>=0.8").join(";"), /^The gate policy has 17 rules; at most 16 are allowed\.$/],
  ])("the gate: %s → 400", async (_what, gate, message) => {
    await expectRefused(await retrain({ gate }), 400, message);
  });

  it.each([
    ["a limit in exponent notation", "GET", "/api/runs?limit=1e2", /^limit must be a whole number from 1 to 500, got "1e2"\.$/],
    ["a limit in hex", "GET", "/api/runs?limit=0x10", /^limit must be a whole number from 1 to 500, got "0x10"\.$/],
    ["a 10,000-character instance id", "GET", `/api/retrain/${"a".repeat(10_000)}`, /^An instance id has 1 to 200 characters; this one has 10000\.$/],
    ["a 10,000-character instance id to approve", "POST", `/api/retrain/${"a".repeat(10_000)}/approve`, /^An instance id has 1 to 200 characters; this one has 10000\.$/],
    ["an instance id with a space", "GET", "/api/retrain/retrain%20retrain", /^An instance id is letters, digits and : _ \. - only\.$/],
  ])("other routes: %s → 400", async (_what, method, url, message) => {
    await expectRefused(await p.call(method, url, method === "POST" ? {} : undefined), 400, message);
  });

  it("(control) the same host does start a run for a valid request, so the checks above can see one", async () => {
    const start = await retrain({ dryRun: true, dataSource: "census.csv" });
    expect(start.status).toBe(202);
    expect((await p.call("GET", "/api/retrain/retrain-retrain")).status).toBe(200);
    expect((await p.engine.waitUntilEnded("retrain-retrain")).status).toBe("Completed");
    expect(((await p.emulator.admin("GET", "calls")).body as Record<string, number>).submit).toBe(1);
  });

  it("an empty data file ends the run at staging with a reason that names it, and nothing is submitted", async () => {
    writeFileSync(path.join(p.values.RETRAIN_DATA_ROOT!, "empty.csv"), "");
    const submitsBefore = ((await p.emulator.admin("GET", "calls")).body as Record<string, number>).submit!;
    expect((await retrain({ dataSource: "empty.csv" })).status).toBe(202);
    const ended = await p.engine.waitUntilEnded("retrain-retrain");
    expect(ended.status).toBe("Failed");
    expect((ended.customStatus as { reason: string }).reason).toMatch(/^staging the training data failed: The data source is empty \(0 bytes\); there is nothing to train on\.$/);
    expect(((await p.emulator.admin("GET", "calls")).body as Record<string, number>).submit).toBe(submitsBefore);
  });
});
