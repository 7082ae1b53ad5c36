import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNCTION_KEY, startHostedPipeline, type HostedPipeline } from "../support/host";
import type { EndpointView } from "../../functions/triggers/endpoints";
import type { RunRecord } from "../../shared/history/run-record";

/**
 * The built CLI (dist/cli/main.js, `npm run build` first) as a user runs it, against the app on
 * the local host: a child process, piped (so JSON by default), with the URL and key in its
 * environment and a working folder with no serve connection file.
 */
const CLI = path.resolve("dist/cli/main.js");
const cwd = mkdtempSync(path.join(tmpdir(), "retrainer-cli-"));
let p: HostedPipeline;
const ID = "retrain-retrain";

beforeAll(async () => {
  p = await startHostedPipeline({ speed: 2_000, settings: { APPROVAL_TIMEOUT_HOURS: "10" } });
});
afterAll(() => p.stop());

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<Ran> {
  const base: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: process.env.HOME, RETRAINER_URL: p.host.url, RETRAINER_KEY: FUNCTION_KEY, NO_COLOR: "1" };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env: { ...base, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const stage = async () => ((await p.call("GET", `/api/retrain/${ID}`)).body as { stage?: string }).stage;

async function startAwaiting(): Promise<string> {
  const started = await cli(["runs", "start", "retrain", "--require-approval"]);
  expect(started.code, started.stderr).toBe(0);
  const { runId } = JSON.parse(started.stdout) as { runId: string };
  await expect.poll(stage, { timeout: 30_000, interval: 20 }).toBe("awaiting-approval");
  return runId;
}

describe("the retrainer CLI against the app", () => {
  let promoted = "";

  it("starts a run and follows it stage by stage to its promotion, exit 0", async () => {
    const r = await cli(["runs", "start", "retrain", "--follow", "-o", "table"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    promoted = /^Started run (\S+) of retrain\.$/.exec(lines[0]!)?.[1] ?? "";
    expect(promoted).toMatch(/^retrain-\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    // one line per change, each with a time; the last says how it ended
    expect(lines.slice(1).every((l) => /^\d\d:\d\d:\d\d {2}\S/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^\d\d:\d\d:\d\d {2}promoted: /);
    // at 2,000× a stage may pass between two reads; those seen are real stages, in order, each once
    const seen = lines.slice(1, -1).map((l) => l.split(/\s+/)[1]!);
    expect(seen[0]).toBe("staging");
    const order = ["staging", "checking-data", "submitting", "starting", "training", "evaluating", "promoting", "verifying"];
    expect(seen.every((x, i) => order.includes(x) && (i === 0 || order.indexOf(x) >= order.indexOf(seen[i - 1]!)))).toBe(true);
    expect(lines.slice(1, -1).every((l, i, all) => i === 0 || l.slice(10) !== all[i - 1]!.slice(10))).toBe(true);
  });

  it("lists and shows endpoints: JSON when piped, a table when asked", async () => {
    const list = await cli(["endpoints", "list"]);
    expect(list.code, list.stderr).toBe(0);
    const endpoints = JSON.parse(list.stdout) as EndpointView[];
    expect(endpoints).toMatchObject([{ name: "retrain", configured: true, serving: { runId: promoted }, lastRun: { runId: promoted, result: "promoted" } }]);
    const table = await cli(["endpoints", "list", "-o", "table"]);
    expect(table.stdout.split("\n")[0]).toMatch(/^ENDPOINT +BACKEND +SERVING +LAST RUN +RESULT +ENDED +DAYS SINCE OK +REJECTED +NOW$/);
    expect(table.stdout).toContain(`${promoted}  promoted`);
    const show = await cli(["endpoints", "show", "retrain", "-o", "table"]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`^Put there by run: +${promoted}$`, "m"));
    expect(show.stdout).toMatch(/^Next scheduled run: +\d{4}-\d\d-\d\d \d\d:\d\d \(in /m);
    const runs = JSON.parse((await cli(["runs", "list", "--endpoint", "retrain", "--limit", "5"])).stdout) as RunRecord[];
    expect(runs.map((r) => r.runId)).toEqual([promoted]);
  });

  it("approves a run waiting for a person, which then promotes", async () => {
    const runId = await startAwaiting();
    const shown = await cli(["runs", "show", runId, "-o", "table"]);
    expect(shown.stdout).toMatch(new RegExp(`^Next: +retrainer approve ${runId} \\| retrainer reject ${runId}$`, "m"));
    // a second start while one waits: 409, exit 5, naming the instance
    const busy = await cli(["runs", "start", "retrain"]);
    expect([busy.code, busy.stderr]).toEqual([5, expect.stringMatching(/^error: A run for endpoint retrain is already Running\. \(instance retrain-retrain;/) as unknown]);
    const approved = await cli(["approve", runId, "--comment", "checked the metrics", "-o", "table"]);
    expect([approved.code, approved.stdout]).toEqual([0, expect.stringMatching(new RegExp(`^Approval of run ${runId} sent`)) as unknown]);
    const followed = await cli(["runs", "follow", runId, "-o", "table"]);
    expect(followed.code, followed.stdout + followed.stderr).toBe(0);
    expect(followed.stdout).toMatch(/promoted/);
    const record = JSON.parse((await cli(["runs", "show", runId])).stdout) as RunRecord;
    expect(record).toMatchObject({ result: "promoted", approval: { approved: true, by: "function key", comment: "checked the metrics" } });
  });

  it("rejects a run with a hostile comment: follow exits 1 and prints the reason escaped", async () => {
    const runId = await startAwaiting();
    const hostile = "\u001b]0;pwned\u0007 \u001b[2J freeze";
    const rejected = await cli(["reject", runId, "--comment", hostile]);
    expect(rejected.code, rejected.stderr).toBe(0);
    await p.engine.waitUntilEnded(ID);
    const followed = await cli(["runs", "follow", runId, "-o", "table"]);
    expect(followed.code).toBe(1);
    // the escapes are shown as text a person can read, and do nothing to the terminal
    expect(followed.stdout).toContain("  rejected: rejected by function key: \\u001b]0;pwned\\u0007 \\u001b[2J freeze\n");
    const shown = await cli(["runs", "show", runId, "-o", "table"]);
    for (const out of [followed.stdout, shown.stdout, (await cli(["runs", "show", runId])).stdout]) {
      expect(out.replace(/\n/g, "")).not.toMatch(/\p{Cc}/u);
    }
    // whatever the app kept of the comment is shown, not obeyed
    expect(shown.stdout).toMatch(/^Reason: +rejected by function key: .*freeze$/m);
  });

  it("rolls back the latest promotion with --yes and follows it to the end, exit 0", async () => {
    const refused = await cli(["rollback", "retrain"]);
    expect([refused.code, refused.stderr]).toEqual([2, expect.stringMatching(/^error: rollback changes what retrain serves: add --yes to confirm .* It would undo run retrain-/) as unknown]);
    const r = await cli(["rollback", "retrain", "--yes", "--follow", "-o", "table"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Rolling back retrain to the model run retrain-\S+ replaced: run retrain-\S+\.$/m);
    expect(r.stdout.trimEnd().split("\n").at(-1)).toMatch(/^\d\d:\d\d:\d\d {2}rolled-back: restored the model that run /);
  });

  it("gives the documented exit codes and messages for 404, 401, usage errors and an app that is not there", async () => {
    const missing = await cli(["runs", "show", "retrain-20200101T000000Z-abcdef"]);
    expect([missing.code, missing.stderr]).toEqual([3, "error: No run retrain-20200101T000000Z-abcdef: it is not in the run history nor in progress (retrainer runs list shows the runs).\n"]);
    const unknown = await cli(["endpoints", "show", "nope"]);
    expect([unknown.code, unknown.stderr]).toEqual([3, expect.stringMatching(/^error: No endpoint "nope": it is not configured/) as unknown]);
    const nokey = await cli(["endpoints", "list"], { RETRAINER_KEY: undefined });
    expect([nokey.code, nokey.stderr]).toEqual([4, expect.stringMatching(/answered 401: .*no key was sent: set RETRAINER_KEY/) as unknown]);
    const wrong = await cli(["endpoints", "list"], { RETRAINER_KEY: "not-the-key-42" });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr + wrong.stdout).not.toContain("not-the-key-42");
    const limit = await cli(["runs", "list", "--limit", "x"]);
    expect([limit.code, limit.stderr]).toEqual([2, 'error: --limit must be a whole number 1–1000; got "x"\n']);
    const typo = await cli(["runz", "list"]);
    expect([typo.code, typo.stderr]).toMatchObject([2, expect.stringMatching(/unknown command 'runz' \(Did you mean runs\?\)/) as unknown]);
    const badGate = await cli(["runs", "start", "retrain", "--gate", "AUC>>1"]);
    expect(badGate.code).toBe(2);
    const nothing = await cli(["endpoints", "list", "--url", "http://127.0.0.1:9"]);
    expect([nothing.code, nothing.stderr]).toEqual([6, "error: Nothing answered at http://127.0.0.1:9. It came from --url; is the app running there? Locally: `npm run serve`.\n"]);
    const help = await cli(["runs", "follow", "--help"]);
    expect([help.code, help.stdout]).toEqual([0, expect.stringMatching(/^Usage: retrainer runs follow \[options\] <run>/) as unknown]);
  });
});
