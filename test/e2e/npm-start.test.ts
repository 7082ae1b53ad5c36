import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { withoutColourSettings } from "../support/colour";
import { tempStateDir } from "../support/serve";

const demo = path.resolve(__dirname, "../../dist/local-host/demo.js");

function runDemo(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    // The pipe alone decides colour, whatever NO_COLOR or FORCE_COLOR the environment running the tests has.
    const child = spawn(process.execPath, [demo, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...withoutColourSettings(process.env), ...env } });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.once("exit", (code) => resolve({ code, out }));
  });
}

/** A run of the demo that starts things, in a state folder of its own (never the repo's .local). */
const started = async (args: string[]) => runDemo([...args, `--state-dir=${await tempStateDir("retrainer-demo-")}`]);
// eslint-disable-next-line no-control-regex -- escape sequences are what it looks for
const ESCAPE = /[\u001b\u009b]/;

describe("npm start", () => {
  it("completes a real retraining on generated data, shows scores before and after, and exits 0", async () => {
    const { code, out } = await started([]);
    expect(out).toMatch(/POST \/api\/retrain → 202/);
    expect(out).toMatch(/training: job (Running|Finished) \(poll \d+\)/);
    expect(out).toMatch(/✓ auc is 0\.\d+, meets the rule: at least 0\.85/i);
    // Piped: one plain line per event, no colour, no rewriting.
    expect(out).not.toMatch(ESCAPE);
    expect(out).not.toContain("\r");
    expect(out).toMatch(/before\s+after/);
    expect(out).toMatch(/result\s+promoted/);
    expect(out).not.toMatch(/AccountKey=(?!\[REDACTED\])|sig=(?!\[REDACTED\])/);
    expect(code).toBe(0);
  });

  it("reports a rejected run, exits 0, and --dry-run promotes nothing", async () => {
    const rejected = await started(["--gate=AUC>=0.99"]);
    expect(rejected.out).toMatch(/result\s+rejected/);
    expect(rejected.out).not.toMatch(/before\s+after/);
    expect(rejected.code).toBe(0);
    const dry = await started(["--dry-run"]);
    expect(dry.out).toMatch(/result\s+dry-run/);
    expect(dry.code).toBe(0);
  });

  it("--backend=azureml narrates a v2 run: job, gate, the new deployment, each traffic step, verification, the same rows before and after", async () => {
    const { code, out } = await started(["--backend=azureml"]);
    expect(out).toMatch(/backend: Azure Machine Learning \(v2\)/);
    expect(out).toMatch(/✓ auc is 0\.\d+ against the champion's 0\.\d+, meets the rule/);
    for (const step of [/"blue":90,"d[a-z0-9]+":10/, /"blue":50,"d[a-z0-9]+":50/, /traffic \{"d[a-z0-9]+":100\}/]) expect(out).toMatch(step);
    expect(out).toMatch(/verified\s+5 checks, the last: verification: endpoint census-v2: all 20 probe rows scored as at training time/);
    expect(out).toMatch(/before\s+after/);
    expect(out).toMatch(/result\s+promoted/);
    expect(out).not.toMatch(/local-arm-token|AccountKey=(?!\[REDACTED\])|sig=(?!\[REDACTED\])/);
    expect(code).toBe(0);
  });

  it("--watch: a file dropped into the endpoint's data location starts a run through Event Grid, debounced, and is recorded as new data", async () => {
    const { code, out } = await started(["--watch", "--rows=3000"]);
    expect(out).toMatch(/watching blob:retrainer-data\/incoming\/ for new data/);
    expect(out).toMatch(/dropped retrainer-data\/incoming\/census-\d{4}-\d\d-\d\d\.csv/);
    expect(out).toMatch(/watcher newdata-retrain-1: debouncing \(1 blob waiting\)/);
    // The first run, as a plain npm start's: compared with the model serving before, which it archived.
    const first = out.slice(out.indexOf("\nSummary"), out.indexOf("watching blob:"));
    expect(first).toMatch(/\n\s+champion\s+the model serving before, on the same rows: accuracy 0\.\d+/i);
    expect(first).toMatch(/\n\s+archived\s+retrainer-archive\/retrain\/retrain-\d{8}T\d{6}Z-[0-9a-f]+\/previous\.ilearner/);
    expect(out).toMatch(/The dropped file's run\n\s+result\s+(promoted|rejected)/);
    expect(out).toMatch(/trigger\s+new data \(1 blob\), blob retrainer-data\/incoming\/census-/);
    // The dropped file's run is compared with the model the first run promoted.
    const dropped = out.slice(out.indexOf("The dropped file's run"));
    expect(dropped).toMatch(/\n\s+endpoint\s+retrain\n/);
    expect(dropped).toMatch(/\n\s+champion\s+the model serving before, on the same rows: accuracy 0\.\d+/i);
    expect(out).not.toMatch(/AccountKey=(?!\[REDACTED\])|sig=(?!\[REDACTED\])|code=[A-Za-z0-9_-]{20}/);
    expect(code).toBe(0);
  });

  it("exits non-zero for data it cannot train on, naming each failed check", async () => {
    const wrong = path.join(mkdtempSync(path.join(tmpdir(), "retrainer-demo-")), "no-label.csv");
    writeFileSync(wrong, "age,hours-per-week\n39,40\n50,13\n");
    const refused = await started([`--data=${wrong}`]);
    expect(refused.out).toMatch(/result +data-rejected/);
    expect(refused.out).toMatch(/The data has 2 rows; at least 100 are required\. The label column \("class" or "income"\) is missing\./);
    expect(refused.out).toMatch(/checks +2 rows, 2 columns \(no earlier promoted run to compare with\): failed/);
    expect(refused.out).not.toMatch(/job submitted|submitting the training job/);
    expect(refused.code).toBe(1);
  });
});

/** What the demo prints once it starts something; a refused command line never gets there. */
const STARTING = /starting Azurite|ready: Functions host|POST \/api\/retrain (→|answered)/;
const OPTIONS = ["--backend=classic|azureml", "--data=FILE.csv", "--gate=RULES", "--dry-run", "--rows=N", "--watch", "--verbose", "--state-dir=DIR", "--help, -h"];

describe.concurrent("npm start checks every option before it starts anything", () => {
  it("a gate the API refuses exits 2 with the API's own message, and nothing starts", async () => {
    // A state folder of its own, should the gate ever be taken and the run start.
    const { code, out } = await runDemo(["--gate=AUC>0.99", `--state-dir=${await tempStateDir("retrainer-demo-")}`]);
    // POST /api/retrain answers {"gate":"AUC>0.99"} with 400 and this text (test/security/hostile-cli.test.ts compares them word for word).
    expect(out).toMatch(/npm start: --gate: Gate rule "AUC>0\.99" must look like "[a-z_]+>=0\.85"/i);
    expect(out).not.toMatch(STARTING);
    expect(out).not.toMatch(/\n\s+at |500/);
    expect(code).toBe(2);
  });

  it("checks the gate against the chosen backend's metrics", async () => {
    // Classic reports the training log loss; the v2 job's MLflow run does not.
    const { code, out } = await runDemo(["--backend=azureml", "--gate=training_log_loss<=0.5", `--state-dir=${await tempStateDir("retrainer-demo-")}`]);
    expect(out).toMatch(/--gate: Gate rule "training_log_loss<=0\.5" names training_log_loss, which the training job's MLflow run does not report; metrics \(.*\): accuracy, .*auc/);
    expect(out).not.toMatch(STARTING);
    expect(code).toBe(2);
  });

  it.each([["--help"], ["-h"], ["--watch", "--help"]].map((args) => ({ args, name: args.join(" ") })))("$name prints every option and exits 0 without starting anything", async ({ args }) => {
    const { code, out } = await runDemo(args);
    expect(out).toMatch(/^Usage: npm start -- \[options\]/);
    for (const o of OPTIONS) expect(out).toContain(`  ${o} `);
    expect(out).not.toMatch(STARTING);
    expect(code).toBe(0);
  });

  it("options npm took for itself (npm start --gate=…, without --) are named, not silently dropped", async () => {
    // What npm hands the program for `npm start --gate="AUC>0.99" --watch`: no arguments, the options as npm config.
    const { code, out } = await runDemo([], { npm_lifecycle_event: "start", npm_config_gate: "AUC>0.99", npm_config_watch: "true" });
    expect(out).toContain('npm took --gate, --watch for itself, so the program never saw them: options go after "--", as in npm start -- --gate="AUC>0.99" --watch');
    expect(out).not.toMatch(STARTING);
    expect(code).toBe(2);
  });

  it.each([
    [["--gat=AUC>=0.9"], /Unknown option --gat \(did you mean --gate\?\)\. Known options: --backend, --data, --gate, --dry-run, --rows, --watch, --verbose, --state-dir, --help\./],
    [["--state-dir=/dev/null"], /--state-dir: \/dev\/null exists and is not a folder\./],
    [["--backend=v3"], /--backend: "v3" is not one of classic, azureml\./],
    [["--data=/nonexistent/census.csv"], /--data: \/nonexistent\/census\.csv does not exist\./],
    [[`--data=${tmpdir()}`], /--data: .* is not a file\./],
    [["--rows=50"], /--rows: must be a whole number from 100 to 1,000,000, got "50"\./],
    [["--rows=2e4"], /--rows: must be a whole number/],
    [["--verbose=yes"], /--verbose is a switch and takes no value \(got "yes"\)\./],
    [["--gate"], /--gate needs a value: --gate=RULES\./],
    [["--gate", "--dry-run"], /--gate needs a value/],
    [["--dry-run", "--dry-run"], /--dry-run is given twice/],
    [["census.csv"], /Unexpected argument "census\.csv"/],
  ])("%j exits 2 naming the problem, before anything starts", async (args, message) => {
    const { code, out } = await runDemo(args);
    expect(out).toMatch(message);
    expect(out).toContain('Run "npm start -- --help" for the options.');
    expect(out).not.toMatch(STARTING);
    expect(code).toBe(2);
  });
});
