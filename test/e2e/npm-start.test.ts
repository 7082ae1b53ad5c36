import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const demo = path.resolve(__dirname, "../../dist/local-host/demo.js");

function runDemo(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [demo, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.once("exit", (code) => resolve({ code, out }));
  });
}

describe("npm start", () => {
  it("completes a real retraining on generated data, shows scores before and after, and exits 0", async () => {
    const { code, out } = await runDemo([]);
    expect(out).toMatch(/POST \/api\/retrain → 202/);
    expect(out).toMatch(/training: job (Running|Finished) \(poll \d+\)/);
    expect(out).toMatch(/✓ AUC is 0\.\d+, meets the rule: at least 0\.85/);
    expect(out).toMatch(/before\s+after/);
    expect(out).toMatch(/result\s+promoted/);
    expect(out).not.toMatch(/AccountKey=(?!\[REDACTED\])|sig=(?!\[REDACTED\])/);
    expect(code).toBe(0);
  });

  it("reports a rejected run, exits 0, and --dry-run promotes nothing", async () => {
    const rejected = await runDemo(["--gate=AUC>=0.99"]);
    expect(rejected.out).toMatch(/result\s+rejected/);
    expect(rejected.out).not.toMatch(/before\s+after/);
    expect(rejected.code).toBe(0);
    const dry = await runDemo(["--dry-run"]);
    expect(dry.out).toMatch(/result\s+dry-run/);
    expect(dry.code).toBe(0);
  });

  it("--backend=azureml narrates a v2 run: job, gate, the new deployment, each traffic step, verification, the same rows before and after", async () => {
    const { code, out } = await runDemo(["--backend=azureml"]);
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
    const { code, out } = await runDemo(["--watch", "--rows=3000"]);
    expect(out).toMatch(/watching blob:retrainer-data\/incoming\/ for new data/);
    expect(out).toMatch(/dropped retrainer-data\/incoming\/census-\d{4}-\d\d-\d\d\.csv/);
    expect(out).toMatch(/watcher newdata-retrain-1: debouncing \(1 blob waiting\)/);
    expect(out).toMatch(/The dropped file's run\n\s+result\s+(promoted|rejected)/);
    expect(out).toMatch(/trigger\s+new data \(1 blob\), blob retrainer-data\/incoming\/census-/);
    expect(out).not.toMatch(/AccountKey=(?!\[REDACTED\])|sig=(?!\[REDACTED\])|code=[A-Za-z0-9_-]{20}/);
    expect(code).toBe(0);
  });

  it("exits non-zero for data it cannot train on, naming each failed check, and names bad options", async () => {
    const wrong = path.join(mkdtempSync(path.join(tmpdir(), "retrainer-demo-")), "no-label.csv");
    writeFileSync(wrong, "age,hours-per-week\n39,40\n50,13\n");
    const refused = await runDemo([`--data=${wrong}`]);
    expect(refused.out).toMatch(/result +data-rejected/);
    expect(refused.out).toMatch(/The data has 2 rows; at least 100 are required\. The label column \("class" or "income"\) is missing\./);
    expect(refused.out).toMatch(/checks +2 rows, 2 columns \(no earlier promoted run to compare with\): failed/);
    expect(refused.out).not.toMatch(/job submitted|submitting the training job/);
    expect(refused.code).toBe(1);
    const bad = await runDemo(["--gat=AUC>=0.9"]);
    expect(bad.out).toMatch(/Unknown or incomplete option "--gat=AUC>=0.9"/);
    expect(bad.code).toBe(1);
  });
});
