import { copyFileSync } from "node:fs";
import path from "node:path";
import { demoPlace, type DemoPlace } from "./demo-place";
import { lookAgain } from "./demo-look-again";
import { lockStateDir } from "./state-dir";
import { createTerminal, printable, type Segment } from "./terminal";
import { DEMO_AZUREML, azureMlSettings, startLocalStack, type LocalStack } from "./local-stack";
import { check, readCommandLine, UsageError, type FlagValues, type Flags } from "./cli-flags";
import { syntheticCensusCsv } from "../emulator/training/synthetic-census";
import { DEFAULT_AZUREML_CONFIG, workspaceIdOf } from "../emulator/azureml/config";
import { redact } from "../shared/redact";
import type { RunRecord } from "../shared/history/run-record";
import { describeModel } from "../shared/backends/model-ref";
import { AVAILABLE_BACKENDS, loadSettings } from "../shared/config/settings";
import type { Backend } from "../shared/backends/backend";
import { parseRetrainRequest } from "../functions/triggers/retrain-request";
import { EventType } from "./durable/history";
import type { InstanceState } from "./durable/instance";

interface DemoOptions {
  data?: string;
  gate?: string;
  dryRun: boolean;
  rows: number;
  verbose: boolean;
  /** `azureml`: the same run on the local Azure ML (v2) service, with its blue/green rollout. */
  backend: Backend;
  /** After the run, drop a new file into the endpoint's data location and follow the run it starts. */
  watch: boolean;
  stateDir?: string;
}

const FLAGS = {
  backend: { type: "string", value: AVAILABLE_BACKENDS.join("|"), help: "classic (default), or the local Azure ML (v2) service with its canary and 10 → 50 → 100 % rollout", check: check.oneOf(AVAILABLE_BACKENDS) },
  data: { type: "string", value: "FILE.csv", help: 'your own CSV (census schema, label column "class" or "income") instead of generated rows', check: check.readableFile },
  gate: { type: "string", value: "RULES", help: 'the gate the new model must pass, e.g. "AUC>=0.9; Accuracy>=0.85" (as POST /api/retrain takes it)' },
  "dry-run": { type: "boolean", help: "evaluate and report, promote nothing" },
  rows: { type: "string", value: "N", help: "how many census rows to generate (100 to 1,000,000; default 20,000)", check: check.wholeNumber(100, 1_000_000) },
  watch: { type: "boolean", help: "then drop a new file into the endpoint's data location and follow the run it starts" },
  verbose: { type: "boolean", help: "also show the host's log and telemetry" },
  "state-dir": { type: "string", value: "DIR", help: "where Azurite's data and the run are kept, for npm run serve to show (default .local, as serve's)", check: check.folder },
} satisfies Flags;

const DEMO = {
  command: "npm start --",
  about: "Starts Azurite, the local ML service and the Functions host, runs one retraining through POST /api/retrain\nand narrates it. Exit code 0 for a completed run, 1 for a failed one or refused data, 2 for refused options.",
  flags: FLAGS,
};
/** Where `--watch` drops its file: the data location the endpoint watches. */
const DROP = { container: "retrainer-data", folder: "incoming", debounceSeconds: 3 } as const;
const V2_ENDPOINT = DEMO_AZUREML.endpoint;
/** The v2 service as it will run: its workspace is fixed by its config, its URL only once it listens. */
const PLANNED_V2_SERVICE = { workspaceId: workspaceIdOf(DEFAULT_AZUREML_CONFIG), armUrl: "http://127.0.0.1", token: DEFAULT_AZUREML_CONFIG.armToken } as const;

function optionsOf(v: FlagValues<typeof FLAGS>): DemoOptions {
  return {
    dryRun: v["dry-run"] === true, verbose: v.verbose === true, watch: v.watch === true,
    rows: v.rows !== undefined ? Number(v.rows) : 20_000, backend: (v.backend ?? "classic") as Backend,
    ...(v.data !== undefined ? { data: path.resolve(v.data) } : {}), ...(v.gate !== undefined ? { gate: v.gate } : {}),
    ...(v["state-dir"] !== undefined ? { stateDir: path.resolve(v["state-dir"]) } : {}),
  };
}

/** The body of the run's `POST /api/retrain`. */
interface DemoRequest {
  readonly endpoint: string;
  readonly dataSource: string;
  readonly dryRun: boolean;
  readonly gate?: string;
}

/**
 * The run's request, checked before anything starts by the function `POST /api/retrain` checks it
 * with, against the settings the run will have: a gate the API would answer 400 is refused here
 * with the API's own words, not found out as a 500 once everything is up.
 */
function checkedRequest(o: DemoOptions, values: Readonly<Record<string, string>>, dataDir: string): DemoRequest {
  const endpoint = o.backend === "azureml" ? V2_ENDPOINT : (values.RETRAIN_ENDPOINTS ?? "").split(",")[0]!.trim();
  const request: DemoRequest = { endpoint, dataSource: o.data ? "user-data.csv" : "census.csv", dryRun: o.dryRun, ...(o.gate !== undefined ? { gate: o.gate } : {}) };
  const planned = { ...values, RETRAIN_DATA_ROOT: dataDir, ...(o.backend === "azureml" ? azureMlSettings(values, DEMO_AZUREML, PLANNED_V2_SERVICE) : {}) };
  try {
    parseRetrainRequest(JSON.stringify(request), loadSettings(planned));
  } catch (e) {
    // Only the gate comes from the command line; anything else refused is this program's fault.
    if ((e as Error).name === "BadRequest" && o.gate !== undefined) throw new UsageError(`--gate: ${(e as Error).message}`);
    throw e;
  }
  return request;
}

const t0 = Date.now();
const elapsed = () => `[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s]`;
/** Colour and a live line on a terminal; plain lines, one per event, when piped (what tests read). */
const term = createTerminal(process.stdout, { env: process.env, prefix: elapsed });
const say = (...line: Segment[]) => term.line(["dim", elapsed()], " ", ...line);
const print = (...line: Segment[]) => term.line(...line);

interface RunView {
  runtimeStatus: string;
  stage?: string;
  staged?: { bytes: number; method: string };
  jobId?: string;
  jobState?: string;
  polls?: number;
  metrics?: Record<string, number>;
  championMetrics?: Record<string, number>;
  decision?: { passed: boolean; reasons: string[] };
  result?: string;
  reason?: string;
  output?: unknown;
  runId?: string;
  verification?: string[];
}

/**
 * `npm start`: one complete retraining on the local parts, narrated. Starts Azurite, the local
 * ML service and the Functions host, starts a run through the real HTTP trigger, follows it, and
 * shows the decision and the endpoint's scores before and after.
 */
async function main(): Promise<number> {
  const root = path.resolve(__dirname, "..", "..");
  // Every option is checked before anything starts (exit 2); --help answers without settings.
  const { o, place, request } = readCommandLine(DEMO, process.argv.slice(2), (v) => {
    const options = optionsOf(v);
    const place = demoPlace(root, options.stateDir ?? path.join(root, ".local"), !options.watch);
    return { o: options, place, request: checkedRequest(options, place.settings.Values, place.dataDir) };
  });
  const { settings, stateDir, dataDir } = place;
  // One program on a state folder at a time: a running serve (or demo) there is not started over.
  try {
    if (stateDir) lockStateDir(stateDir, "npm start");
  } catch (e) {
    if ((e as Error).name !== "StateDirBusy") throw e;
    console.error(`npm start: ${printable((e as Error).message)}`);
    return 1;
  }
  const hostLog: string[] = [];
  // Telemetry goes to the console when no Application Insights is configured; here it would bury
  // the narration, so it joins the host log (shown with --verbose).
  console.log = (...args: unknown[]) => {
    const line = args.map(String).join(" ");
    if (/^\[(event|metric|trace)\]/.test(line)) {
      hostLog.push(redact(line));
      if (o.verbose) term.line(`        ${redact(line)}`);
    } else term.line(line);
  };
  print(["bold", "retrainer: one unattended retraining of the Census model, on local parts"], "\n");
  if (place.note) say(["yellow", place.note]);
  say(`starting Azurite, the local ML service and the Functions host${stateDir ? ` (state in ${path.relative(process.cwd(), stateDir) || "."})` : " (state in memory: --watch keeps nothing)"}…`);
  const stack = await startLocalStack({
    ...(stateDir ? { stateDir, stablePorts: {} } : {}),
    settings: {
      ...settings,
      Values: {
        ...settings.Values, POLL_FIRST_INTERVAL_SECONDS: "2", POLL_BACKOFF_FACTOR: "1.5", POLL_MAX_INTERVAL_SECONDS: "5", VERIFY_DELAY_SECONDS: "4", AZUREML_STEP_WAIT_SECONDS: "2",
        ...(o.gate && o.backend === "classic" ? { RETRAIN_GATE: o.gate } : {}),
      },
    },
    ...(o.backend === "azureml" ? { azureml: { endpoint: V2_ENDPOINT, gate: o.gate ?? DEMO_AZUREML.gate } } : {}),
    ...(o.watch ? { newData: DROP } : {}),
    // New rows each time: the run is kept, and the same data again would be skipped as unchanged.
    dataDir, demoRows: o.rows, demoSeed: Date.now() % 1_000_000_007, schedules: false, propagationDelayInMs: 3_000,
    log: (l) => {
      hostLog.push(redact(l));
      if (o.verbose) console.log(`        ${redact(l)}`);
    },
  });
  try {
    const code = await run(stack, o, request, place);
    return o.watch ? Math.max(code, await dropAndFollow(stack, o)) : code;
  } catch (e) {
    term.done();
    console.error(printable(`\n${redact((e as Error).message)}\nLast host log lines:\n${hostLog.slice(-15).join("\n")}`));
    return 1;
  } finally {
    await stack.stop();
  }
}

async function run(stack: LocalStack, o: DemoOptions, request: DemoRequest, place: DemoPlace): Promise<number> {
  const { host, emulator, values } = stack;
  const { dataDir } = place;
  say(`ready: Functions host ${host.url}${emulator ? `, ML service ${emulator.servicesUrl}` : ""}`);
  if (o.data) {
    copyFileSync(o.data, path.join(dataDir, request.dataSource));
    say(`training data: your file ${o.data}`);
  } else {
    say(`training data: ${o.rows.toLocaleString("en")} generated census rows (${path.relative(process.cwd(), path.join(dataDir, request.dataSource))})`);
  }
  const endpoint = request.endpoint;
  if (stack.azureml) say(`backend: Azure Machine Learning (v2), local service ${stack.azureml.armUrl}; online endpoint "${endpoint}" serves deployment blue at 100 %`);
  const sample = sampleRows();
  const before = stack.azureml ? await scoreV2(stack, endpoint, sample) : emulator ? await score(stack, endpoint, sample) : undefined;
  const watchV2 = stack.azureml ? rolloutWatcher(stack, endpoint) : undefined;

  const key = stack.functionKey;
  const api = (p: string, init?: RequestInit) => fetch(`${host.url}${p}`, { ...init, headers: { "x-functions-key": key, ...(init?.headers ?? {}) } });
  const started = await api("/api/retrain", { method: "POST", body: JSON.stringify(request) });
  const startBody = (await started.json()) as { id?: string; error?: string };
  if (started.status !== 202 || !startBody.id) throw new Error(`POST /api/retrain answered ${started.status}: ${startBody.error ?? JSON.stringify(startBody)}`);
  say(`POST /api/retrain → 202: run started as instance ${startBody.id}${o.dryRun ? " (dry run)" : ""}`);

  const view = await follow(api, startBody.id, o.backend, watchV2);

  if (view.metrics && view.decision) {
    print("\n", ["bold", `Evaluation of the new model on its held-out rows${view.championMetrics ? " (and of the model serving now, on the same rows)" : ""}, against the gate:`]);
    for (const r of view.decision.reasons) print("  ", r.includes("fails") ? ["red", "✗"] : ["green", "✓"], ` ${r}`);
  }
  if (before && view.result === "promoted") {
    // The endpoint switches to the new model after its propagation delay (classic).
    const scoreNow = () => (stack.azureml ? scoreV2(stack, endpoint, sample) : score(stack, endpoint, sample));
    let after = await scoreNow();
    for (let i = 0; i < 40 && after.every((p, k) => p === before[k]); i++) {
      await new Promise((r) => setTimeout(r, 250));
      after = await scoreNow();
    }
    print("\n", ["bold", `The same ${sample.rows.length} rows scored by endpoint "${endpoint}" (probability of >50K):`]);
    console.log(`  ${"age".padEnd(4)}${"education".padEnd(14)}${"occupation".padEnd(18)}${"hours".padEnd(7)}${"before".padStart(8)}${"after".padStart(8)}`);
    sample.rows.forEach((r, i) => {
      const col = (name: string) => r[sample.columns.indexOf(name)]!;
      console.log(`  ${col("age").padEnd(4)}${col("education").padEnd(14)}${col("occupation").padEnd(18)}${col("hours-per-week").padEnd(7)}${before[i]!.toFixed(3).padStart(8)}${after[i]!.toFixed(3).padStart(8)}`);
    });
  }
  const instance = host.engine.get(startBody.id);
  // Data the checks refused trained nothing: for whoever scripts this, that is not a success.
  const failed = view.runtimeStatus !== "Completed" || view.result === "data-rejected";
  // The summary reads the same audit record `GET /api/runs/{id}` serves.
  const recordRes = view.runId ? await api(`/api/runs/${view.runId}`) : undefined;
  const record = recordRes?.status === 200 ? ((await recordRes.json()) as RunRecord) : undefined;
  print("\n", ["bold", "Summary"]);
  const rows: [string, string | undefined][] = [
    ["result", view.runtimeStatus !== "Completed" ? `FAILED (${view.runtimeStatus})` : view.result],
    ["reason", view.reason ?? (failed ? String(view.output) : undefined)],
    ["endpoint", endpoint],
    ["job", view.jobId],
    ["data", view.staged ? `${(view.staged.bytes / 1e6).toFixed(1)} MB staged (${view.staged.method})${record?.dataSha256 ? `, sha256 ${record.dataSha256.slice(0, 12)}…` : ""}` : undefined],
    ["checks", record?.profile ? `${record.profile.rows.toLocaleString("en")} rows, ${record.profile.columns.length} columns${record.profileReference ? `, compared with run ${record.profileReference}` : " (no earlier promoted run to compare with)"}${view.result === "data-rejected" ? ": failed" : ": passed"}` : undefined],
    ["model", record?.modelAfter ? `${record.modelBefore ? describeModel(record.modelBefore) : "?"} → ${describeModel(record.modelAfter)}` : undefined],
    ["archived", record?.archivedModel ? describeModel(record.archivedModel) : record?.modelAfter && record.modelBefore && championNote(instance) ? `none: ${championNote(instance)}` : undefined],
    ["verified", record?.rollout ? `${record.rollout.steps.length} checks, the last: ${record.rollout.steps.at(-1)!.check}` : view.verification?.join("; ")],
    ["rollout", record?.rollout ? `${record.rollout.previousDeployment} → ${record.rollout.deployment} in steps ${record.rollout.steps.filter((s) => s.percent > 0 && !s.check.startsWith("verification:")).map((s) => `${s.mirror ? "mirror " : ""}${s.percent} %`).join(", ")}; ${record.rollout.operationPolls} operation polls; ${record.rollout.retained ? `${record.rollout.retained.deployment} kept at 0 % until ${record.rollout.retained.retireAfter}` : ""}` : undefined],
    ["metrics", view.metrics ? Object.entries(view.metrics).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(", ") : undefined],
    ["champion", championRow(view.championMetrics, instance)],
    ["gate", `${record?.gateRules ?? values.RETRAIN_GATE} → ${view.decision ? (view.decision.passed ? "passed" : "rejected") : "not reached"}`],
    ["durable", instance ? `${instance.episodes} orchestrator episodes, ${instance.history.length} history events` : undefined],
    ["history", record ? `run ${record.runId} recorded` : "NOT RECORDED"],
    ["elapsed", `${((Date.now() - t0) / 1000).toFixed(1)} s`],
  ];
  const resultStyle = failed ? "red" : view.result === "promoted" || view.result === "dry-run" ? "green" : "yellow";
  for (const [k, v] of rows) if (v) print(`  ${k.padEnd(9)} `, k === "result" ? [resultStyle, v] : v);
  // This demo's host stops with it: what it printed as links would be dead. serve shows the run.
  print("\n", ["bold", "Look at it again"]);
  for (const line of lookAgain(place, record?.runId, process.cwd())) print(`  ${line}`);
  return failed ? 1 : 0;
}

/** The champion's metrics on the new model's held-out rows, or why there are none. */
function championRow(metrics: Record<string, number> | undefined, instance: InstanceState | undefined): string | undefined {
  if (metrics) return `the model serving before, on the same rows: ${Object.entries(metrics).slice(0, 5).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(", ")}`;
  const note = championNote(instance);
  return note && `none compared: ${note}`;
}

/**
 * Why a run compared its model with no champion (and so could archive none), as its submit
 * activity noted it. Neither the status nor the run record carries the note; the instance's history does.
 */
function championNote(instance: InstanceState | undefined): string | undefined {
  for (const e of instance?.history ?? []) {
    if (e.EventType !== EventType.TaskCompleted || typeof e.Result !== "string" || !e.Result.includes('"championNote"')) continue;
    const note = (JSON.parse(e.Result) as { value?: { championNote?: string } }).value?.championNote;
    if (note) return note;
  }
  return undefined;
}

type Api = (p: string, init?: RequestInit) => Promise<Response>;

/** Narrates a run through its status endpoint until it ends (`runId`: until that run holds the instance). */
async function follow(api: Api, instanceId: string, backend: DemoOptions["backend"], also?: () => void, notRunId?: string): Promise<RunView> {
  let last = "";
  for (;;) {
    const view = (await (await api(`/api/retrain/${instanceId}`)).json()) as RunView;
    if (view.runId !== notRunId) {
      const line = describe(view, backend);
      if (line !== last) term.progress(view.stage ?? view.runtimeStatus, line);
      last = line;
      also?.();
      if (["Completed", "Failed", "Terminated"].includes(view.runtimeStatus)) {
        term.done();
        return view;
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * `--watch`: a new export lands in the endpoint's data location, as a nightly job would drop it;
 * Event Grid tells the host, the watcher waits out the debounce window, and the run starts.
 */
async function dropAndFollow(stack: LocalStack, o: DemoOptions): Promise<number> {
  const nd = stack.newData!;
  const api: Api = (p, init) => fetch(`${stack.host.url}${p}`, { ...init, headers: { "x-functions-key": stack.functionKey, ...(init?.headers ?? {}) } });
  const instanceId = `retrain-${nd.endpoint.toLowerCase()}`;
  const before = ((await (await api(`/api/retrain/${instanceId}`)).json()) as RunView).runId;
  console.log("");
  say(`watching blob:${nd.container}/${nd.folder}/ for new data (Event Grid BlobCreated → /runtime/webhooks/eventgrid; ${DROP.debounceSeconds} s debounce)`);
  const name = `${nd.folder}/census-${new Date().toISOString().slice(0, 10)}.csv`;
  const text = syntheticCensusCsv(o.rows, 20_261_203);
  await nd.uploads.getContainerClient(nd.container).getBlockBlobClient(name).upload(text, Buffer.byteLength(text));
  say(`dropped ${nd.container}/${name} (${(Buffer.byteLength(text) / 1e6).toFixed(1)} MB), as an export job would`);
  const watcher = `newdata-${nd.endpoint.toLowerCase()}-1`;
  for (let last = ""; ;) {
    const w = stack.host.engine.get(watcher);
    const stage = (w?.customStatus as { stage?: string; waiting?: number } | undefined);
    const line = w ? `watcher ${watcher}: ${stage?.stage ?? w.status}${stage?.waiting ? ` (${stage.waiting} blob waiting)` : ""}` : "";
    if (line && line !== last) say(line);
    last = line;
    const run = (await (await api(`/api/retrain/${instanceId}`)).json()) as RunView;
    if (run.runId && run.runId !== before) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const view = await follow(api, instanceId, o.backend, undefined, before);
  const record = view.runId ? ((await (await api(`/api/runs/${view.runId}`)).json()) as RunRecord) : undefined;
  console.log("\nThe dropped file's run");
  const rows: [string, string | undefined][] = [
    ["result", view.result ?? view.runtimeStatus],
    ["reason", view.result === "promoted" ? undefined : view.reason],
    ["endpoint", nd.endpoint],
    ["trigger", record ? `new data (${record.trigger.arrivals ?? 1} blob${record.trigger.arrivals === 1 ? "" : "s"}), ${record.dataSource}` : undefined],
    ["archived", record?.archivedModel ? describeModel(record.archivedModel) : undefined],
    ["champion", championRow(view.championMetrics, stack.host.engine.get(instanceId))],
    ["history", record ? `run ${record.runId} recorded` : "NOT RECORDED"],
  ];
  for (const [k, v] of rows) {
    if (v) console.log(`  ${k.padEnd(9)} ${v}`);
  }
  return view.runtimeStatus !== "Completed" || view.result === "data-rejected" ? 1 : 0;
}

function describe(v: RunView, backend: DemoOptions["backend"]): string {
  switch (v.stage) {
    case undefined:
      return `${v.runtimeStatus.toLowerCase()}`;
    case "staging":
      return "staging the training data into the run's blob…";
    case "checking-data":
      return `staged ${v.staged ? `${(v.staged.bytes / 1e6).toFixed(1)} MB (${v.staged.method})` : ""}; checking the data (rows, columns, label, missing cells, drift)…`;
    case "submitting":
      return "the data passed its checks; submitting the training job…";
    case "starting":
      return `job ${v.jobId} submitted; starting it…`;
    case "training":
      return v.jobState ? `training: job ${v.jobState} (poll ${v.polls})` : "training: job started; waiting for its first status poll…";
    case "evaluating":
      return "job finished; reading its evaluation…";
    case "promoting":
      return backend === "azureml" ? "gate passed; registering the model and deploying it beside the serving one…" : `gate passed; updating endpoint (PATCH Update Resource)…`;
    case "verifying":
      return "verifying the endpoint lists the new model…";
    case "done":
      return `done: ${v.result}${v.reason && v.result !== "promoted" ? ` — ${v.reason}` : ""}`;
    default:
      return v.stage;
  }
}

function sampleRows(): { columns: string[]; rows: string[][] } {
  const [header, ...lines] = syntheticCensusCsv(5, 7).trim().split("\n");
  return { columns: header!.split(","), rows: lines.map((l) => l.split(",")) };
}

async function score(stack: LocalStack, endpointName: string, sample: { columns: string[]; rows: string[][] }): Promise<number[]> {
  const e = stack.emulator!;
  const endpoint = e.endpoints().find((x) => x.name === endpointName)!;
  const res = await fetch(`${endpoint.apiLocation}/execute?api-version=2.0&details=true`, {
    method: "POST",
    headers: { Authorization: `Bearer ${endpoint.primaryKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ Inputs: { input1: { ColumnNames: sample.columns, Values: sample.rows } }, GlobalParameters: {} }),
  });
  const body = (await res.json()) as { Results: { output1: { value: { ColumnNames: string[]; Values: string[][] } } } };
  const v = body.Results.output1.value;
  const p = v.ColumnNames.indexOf("Scored Probabilities");
  return v.Values.map((r) => Number(r[p]));
}

/** The sample scored by the v2 endpoint as any caller is routed, with the endpoint's key. */
async function scoreV2(stack: LocalStack, endpointName: string, sample: { columns: string[]; rows: string[][] }): Promise<number[]> {
  const ml = stack.azureml!;
  const e = ml.state.endpoint(endpointName)!;
  const res = await fetch(`${ml.armUrl}/score/${endpointName}`, {
    method: "POST", headers: { Authorization: `Bearer ${e.keys.primaryKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ input_data: { columns: sample.columns, data: sample.rows } }),
  });
  return (await res.json()) as number[];
}

/** Narrates the v2 endpoint as an operator would see it change: deployments and their traffic. */
function rolloutWatcher(stack: LocalStack, endpointName: string): () => void {
  let last = "";
  return () => {
    const e = stack.azureml!.state.endpoint(endpointName)!;
    const deployments = [...e.deployments.values()].map((d) => `${d.name} ${d.provisioningState}`).join(", ");
    const mirror = Object.keys(e.mirrorTraffic).length > 0 ? `, mirror ${JSON.stringify(e.mirrorTraffic)}` : "";
    const line = `  endpoint ${endpointName}: traffic ${JSON.stringify(e.traffic)}${mirror}; deployments: ${deployments}`;
    if (line !== last) say(line);
    last = line;
  };
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(redact((e as Error).message));
    process.exit(1);
  },
);
