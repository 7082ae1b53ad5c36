import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { buildProgram, run } from "../../cli/program";
import { resolveConnection } from "../../cli/connection";
import { exitCodeOfStatus } from "../../cli/exit-codes";
import { exitOfResult } from "../../cli/follow";
import { renderTable, truncate } from "../../cli/format";
import { safeJson, terminalSafe } from "../../cli/terminal-text";
import { bashCompletion, commandTree, fishCompletion } from "../../cli/completion";
import type { Io } from "../../cli/io";

type Route = (url: URL, init: RequestInit) => { status: number; body?: unknown } | undefined;

/** The CLI in-process: a route-table fetch, captured streams, a virtual clock that sleeping advances. */
function fakeIo(routes: Route, o: { tty?: boolean; env?: NodeJS.ProcessEnv; interruptAfterSleeps?: number } = {}) {
  let out = "", err = "", now = Date.parse("2026-12-08T10:00:00Z"), sleeps = 0;
  const calls: { method: string; url: string; headers: Record<string, string>; body?: string }[] = [];
  let interrupt: (() => void) | undefined;
  const io: Io = {
    stdout: { write: (t: string) => (out += t), isTTY: o.tty ?? false },
    stderr: { write: (t: string) => (err += t) },
    stdinIsTTY: false,
    env: { RETRAINER_URL: "http://app.test", RETRAINER_KEY: "k3y-secret", ...o.env },
    cwd: "/nonexistent",
    nowInMs: () => now,
    sleep: (ms) => {
      now += ms;
      if (++sleeps === o.interruptAfterSleeps) interrupt?.();
      return Promise.resolve();
    },
    onInterrupt: (h) => ((interrupt = h), () => (interrupt = undefined)),
    confirm: () => Promise.resolve(false),
    fetch: (input, init) => {
      const url = new URL(input);
      calls.push({ method: init.method ?? "GET", url: url.pathname + url.search, headers: init.headers as Record<string, string>, ...(typeof init.body === "string" ? { body: init.body } : {}) });
      const r = routes(url, init) ?? { status: 404, body: { error: `No route ${url.pathname}` } };
      return Promise.resolve(new Response(r.body === undefined ? null : JSON.stringify(r.body), { status: r.status }));
    },
  };
  return { io, calls, get out() { return out; }, get err() { return err; } };
}

const HOSTILE = "\u001b]0;pwned\u0007 bad \u009b31m \u202eevil";
const RECORD = { runId: "retrain-20261208T010105Z-cfc719", endpoint: "retrain", instanceId: "retrain-retrain", trigger: { kind: "http" }, dataSource: "census.csv", gateRules: "", result: "rejected", reason: HOSTILE, durationsInSeconds: { total: 90 }, startedAt: "2026-12-08T09:58:00Z", endedAt: "2026-12-08T09:59:30Z" };

describe("run: usage errors name the flag and exit 2", () => {
  const none: Route = () => undefined;
  it.each([
    [["runs", "list", "--limit", "x"], 'error: --limit must be a whole number 1–1000; got "x"'],
    [["runs", "list", "--limit", "1001"], 'error: --limit must be a whole number 1–1000; got "1001"'],
    [["runs", "follow", "retrain-1", "--timeout", "soon"], 'error: --timeout must be a duration from 1s to 30d such as 90s, 30m, 24h or 2d; got "soon"'],
    [["-o", "yaml", "runs", "list"], "error: option '-o, --output <format>' argument 'yaml' is invalid. Allowed choices are table, json."],
    [["runs", "show"], "error: missing required argument 'run'"],
    [["runs", "show", "a/b"], 'error: RUN must be a run id such as retrain-20261208T010105Z-cfc719 (letters, digits and . _ : -, at most 128); got "a/b"'],
    [["endpoints", "lst"], "error: unknown command 'lst' (Did you mean list?)"],
    [["--url", "ftp://x", "endpoints", "list"], "error: --url must be an http(s) URL such as http://127.0.0.1:7071; got a ftp: URL"],
    [["completion", "tcsh"], "error: command-argument value 'tcsh' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish."],
  ])("%j", async (argv, message) => {
    const f = fakeIo(none);
    expect(await run(f.io, argv)).toBe(2);
    expect(f.err.split("\n")[0]).toBe(message);
    expect(f.calls).toEqual([]);
  });

  it("help is exit 0 on stdout, and lists the exit codes", async () => {
    const f = fakeIo(none);
    expect(await run(f.io, ["--help"])).toBe(0);
    expect(f.out).toMatch(/^Exit codes:\n {2}0 {4}done/m);
    expect(f.out).toMatch(/^ {2}7 {4}--timeout passed while following/m);
  });
});

describe("run: HTTP statuses become the documented exit codes, keys never printed", () => {
  it.each([[404, 3], [401, 4], [403, 4], [409, 5], [400, 2], [413, 2], [500, 6], [503, 6]])("%i → %i", async (status, code) => {
    const f = fakeIo(() => ({ status, body: { error: `said ${status}` } }));
    expect(await run(f.io, ["endpoints", "list"])).toBe(code);
    expect(f.err).toMatch(new RegExp(`said ${status}`));
    expect(f.err + f.out).not.toContain("k3y-secret");
    expect(exitCodeOfStatus(status)).toBe(code);
  });

  it("sends the key as x-functions-key and the token as a bearer", async () => {
    const f = fakeIo(() => ({ status: 200, body: { endpoints: [] } }), { env: { RETRAINER_TOKEN: "t0ken" } });
    expect(await run(f.io, ["endpoints", "list"])).toBe(0);
    expect(f.calls[0]!.headers).toMatchObject({ "x-functions-key": "k3y-secret", Authorization: "Bearer t0ken" });
  });
});

describe("output: the API's JSON when piped, a table on a terminal, hostile text escaped", () => {
  const routes: Route = (u) => (u.pathname === "/api/runs" ? { status: 200, body: { runs: [RECORD] } } : undefined);

  it("piped: a JSON array that gives back the app's values", async () => {
    const f = fakeIo(routes);
    expect(await run(f.io, ["runs", "list"])).toBe(0);
    expect(JSON.parse(f.out)).toEqual([RECORD]);
    expect(f.out.replace(/\n/g, "")).not.toMatch(/[\p{Cc}\p{Cf}]/u);
  });

  it("a terminal: aligned columns, times local and relative, the reason escaped", async () => {
    const f = fakeIo(routes, { tty: true, env: { NO_COLOR: "1" } });
    expect(await run(f.io, ["runs", "list"])).toBe(0);
    const [header, row] = f.out.split("\n");
    expect(header).toMatch(/^RUN +ENDPOINT +RESULT +TRIGGER +STARTED +TOOK +REASON$/);
    expect(row!.indexOf("rejected")).toBe(header!.indexOf("RESULT"));
    expect(row).toMatch(/ \(2 min ago\) /);
    expect(row).toContain("\\u001b]0;pwned\\u0007 bad \\u009b31m \\u202eevil");
    expect(f.out.replace(/\n/g, "")).not.toMatch(/[\p{Cc}\p{Cf}]/u);
  });

  it("--limit over the API's page reads page by page, --status filters", async () => {
    const f = fakeIo((u) => (u.searchParams.get("continuationToken") ? { status: 200, body: { runs: [{ ...RECORD, result: "promoted" }] } } : { status: 200, body: { runs: [RECORD], continuationToken: "t" } }));
    expect(await run(f.io, ["runs", "list", "--limit", "600", "--status", "promoted"])).toBe(0);
    expect(f.calls.map((c) => c.url)).toEqual(["/api/runs?limit=500", "/api/runs?limit=500&continuationToken=t"]);
    expect((JSON.parse(f.out) as { result: string }[]).map((r) => r.result)).toEqual(["promoted"]);
  });

  it("terminalSafe and safeJson: nothing unprintable survives, JSON gives the value back", () => {
    expect(terminalSafe("a\nb\tc\u0007")).toBe("a b c\\u0007");
    expect(JSON.parse(safeJson({ r: HOSTILE }))).toEqual({ r: HOSTILE });
    expect(truncate("abcdef", 4)).toBe("abc…");
    expect(renderTable([{ v: "x".repeat(100) }], [{ header: "V", value: (r: { v: string }) => r.v, maxWidth: 10 }], false)).toBe(`V\n${"x".repeat(9)}…\n`);
  });
});

describe("runs follow", () => {
  const RUN = "retrain-20261208T010105Z-cfc719";
  const statuses = [
    { stage: "staging" }, { stage: "staging" }, { stage: "training", jobId: "abcdef0123456789", jobState: "Running", polls: 1 }, { stage: "training", jobId: "abcdef0123456789", jobState: "Running", polls: 2 },
    { stage: "done", result: "promoted", model: "m.ilearner", runtimeStatus: "Completed" },
  ];
  function following(list: readonly Record<string, unknown>[]) {
    let i = 0;
    return ((u: URL) => {
      if (u.pathname === `/api/runs/${RUN}`) return { status: 404, body: { error: "not yet" } };
      if (u.pathname !== "/api/retrain/retrain-retrain") return undefined;
      const s = list[Math.min(i++, list.length - 1)]!;
      return { status: 200, body: { instanceId: "retrain-retrain", runtimeStatus: "Running", createdTime: "", lastUpdatedTime: "", runId: RUN, ...s } };
    }) satisfies Route;
  }

  it("prints a line per change and the result, exit 0 on promotion", async () => {
    const f = fakeIo(following(statuses), { env: { NO_COLOR: "1" } });
    expect(await run(f.io, ["runs", "follow", RUN, "-o", "table"])).toBe(0);
    const lines = f.out.trimEnd().split("\n").map((l) => l.slice(10));
    expect(lines).toEqual(["staging", "training  job abcdef012345 Running · poll 1", "promoted: model m.ilearner."]);
  });

  it("a rejection is exit 1; a timeout 7 and Ctrl-C 130, both saying the run goes on", async () => {
    expect(await run(fakeIo(following([{ stage: "done", result: "rejected", reason: "gate", runtimeStatus: "Completed" }])).io, ["runs", "follow", RUN])).toBe(1);
    const slow = fakeIo(following([{ stage: "training" }]));
    expect(await run(slow.io, ["runs", "follow", RUN, "--timeout", "30s"])).toBe(7);
    expect(slow.err).toMatch(/Stopped following run .* after the --timeout; the run goes on/);
    const stopped = fakeIo(following([{ stage: "training" }]), { interruptAfterSleeps: 3 });
    expect(await run(stopped.io, ["runs", "follow", RUN])).toBe(130);
    expect(stopped.err).toMatch(/^Stopped following run .*; the run goes on/m);
  });

  it("maps results to exit codes: a rollback run's rolled-back is success, a retraining run's is not", () => {
    expect([exitOfResult("promoted", false), exitOfResult("dry-run", false), exitOfResult("skipped", false), exitOfResult("rolled-back", true)]).toEqual([0, 0, 0, 0]);
    expect(["rejected", "failed", "data-rejected", "terminated", "rolled-back"].map((r) => exitOfResult(r, false))).toEqual([1, 1, 1, 1, 1]);
  });
});

describe("resolveConnection", () => {
  const file = JSON.stringify({ url: "http://127.0.0.1:7999", functionKey: "serve-key", pid: 4242 });
  const read = () => file;
  it("takes --url, then RETRAINER_URL, then a live serve's file (with its key), then the default", () => {
    expect(resolveConnection({ flagUrl: "http://a.test/", env: { RETRAINER_URL: "http://b.test" }, cwd: "/w", readFile: read, isAlive: () => true })).toEqual({ url: "http://a.test", source: "--url" });
    expect(resolveConnection({ env: { RETRAINER_URL: "http://b.test", RETRAINER_KEY: "k" }, cwd: "/w", readFile: read, isAlive: () => true })).toEqual({ url: "http://b.test", functionKey: "k", source: "RETRAINER_URL" });
    expect(resolveConnection({ env: {}, cwd: "/w", readFile: read, isAlive: () => true })).toEqual({ url: "http://127.0.0.1:7999", functionKey: "serve-key", source: "connection.json" });
    expect(resolveConnection({ env: {}, cwd: "/w", readFile: read, isAlive: () => false })).toEqual({ url: "http://127.0.0.1:7071", source: "default" });
    expect(resolveConnection({ env: {}, cwd: "/w", readFile: () => "{not json", isAlive: () => true })).toEqual({ url: "http://127.0.0.1:7071", source: "default" });
  });
  it("reads the file from RETRAINER_STATE_DIR, else .local, under the working folder", () => {
    const seen: string[] = [];
    resolveConnection({ env: { RETRAINER_STATE_DIR: "state" }, cwd: "/w", readFile: (f) => (seen.push(f), file), isAlive: () => true });
    resolveConnection({ env: {}, cwd: "/w", readFile: (f) => (seen.push(f), file), isAlive: () => true });
    expect(seen).toEqual(["/w/state/connection.json", "/w/.local/connection.json"]);
  });
});

describe("completion: made from the command tree", () => {
  const program = buildProgram(fakeIo(() => undefined).io);
  const complete = (line: string): string[] => {
    const words = line.split(" ");
    const script = `${bashCompletion(program)}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _retrainer_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return execFileSync("bash", ["-c", script], { encoding: "utf8" }).split("\n").filter(Boolean);
  };

  it("bash completes every command of the tree, its flags and choices", () => {
    for (const node of commandTree(program)) {
      const offered = complete(["retrainer", ...node.path, ""].join(" "));
      expect(offered, node.path.join(" ")).toEqual(expect.arrayContaining(node.subcommands.map((s) => s.name)));
      expect(offered, node.path.join(" ")).toContain("--help");
    }
    expect(complete("retrainer ru")).toEqual(["runs"]);
    expect(complete("retrainer --url http://x runs list --li")).toEqual(["--limit"]);
    expect(complete("retrainer runs list --status rej")).toEqual(["rejected"]);
    expect(complete("retrainer -o ")).toEqual(["table", "json"]);
    expect(complete("retrainer completion ")).toEqual(expect.arrayContaining(["bash", "zsh", "fish"]));
  });

  it("fish has a line for every subcommand", () => {
    const fish = fishCompletion(program);
    for (const node of commandTree(program)) for (const s of node.subcommands) expect(fish).toContain(`-a '${s.name}'`);
    expect(fish).toContain("complete -c retrainer -s o -l output -x -a 'table json'".replace("-s o -l output", "-l output -s o"));
  });
});
