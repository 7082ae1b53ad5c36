import { Option, type Command } from "commander";
import { RUN_RESULTS, type RetrainRequest, type RunPage, type RunRecord, type RunStarted } from "../api-types";
import { contextOf, type Context } from "../context";
import { CliError, EXIT } from "../exit-codes";
import { describeStage, followRun } from "../follow";
import { resultStyle, when, type Column } from "../format";
import type { Io } from "../io";
import { DEFAULT_FOLLOW_TIMEOUT, duration, endpointName, text, wholeNumber } from "../options";
import { checkRunId, findRun } from "../run-lookup";

/** The API's largest page (functions/triggers/runs.ts); more is read page by page. */
const API_PAGE = 500;
/** With --status, how many runs are looked through at most for matches. */
const STATUS_SCAN_RUNS = 5_000;

async function listRuns(ctx: Context, o: { endpoint?: string; status?: string; limit: number }): Promise<RunRecord[]> {
  const found: RunRecord[] = [];
  let token: string | undefined;
  let scanned = 0;
  do {
    const take = o.status ? API_PAGE : Math.min(API_PAGE, o.limit - found.length);
    const q = new URLSearchParams({ limit: String(take), ...(o.endpoint ? { endpoint: o.endpoint } : {}), ...(token ? { continuationToken: token } : {}) });
    const page = await ctx.api.call<RunPage>("GET", `/api/runs?${q.toString()}`);
    scanned += page.runs.length;
    found.push(...page.runs.filter((r) => !o.status || r.result === o.status));
    token = page.continuationToken;
  } while (token && found.length < o.limit && scanned < STATUS_SCAN_RUNS);
  return found.slice(0, o.limit);
}

const seconds = (r: RunRecord) => r.durationsInSeconds.total ?? (r.endedAt ? (Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 1000 : undefined);
const duration_ = (s: number | undefined) => (s === undefined || !Number.isFinite(s) ? undefined : s < 120 ? `${Math.round(s)} s` : s < 7_200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);

function runColumns(nowInMs: number): Column<RunRecord>[] {
  return [
    { header: "Run", value: (r) => r.runId, maxWidth: 48 },
    { header: "Endpoint", value: (r) => r.endpoint, maxWidth: 24 },
    { header: "Result", value: (r) => r.result, style: resultStyle },
    { header: "Trigger", value: (r) => r.trigger.kind },
    { header: "Started", value: (r) => when(r.startedAt, nowInMs) },
    { header: "Took", value: (r) => duration_(seconds(r)), align: "right" },
    { header: "Reason", value: (r) => r.reason, maxWidth: 60 },
  ];
}

const metricText = (m: Readonly<Record<string, number>> | undefined) => (m ? Object.entries(m).map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`).join(", ") : undefined);
const modelText = (m: RunRecord["modelAfter"]) => (!m ? undefined : m.backend === "azureml" ? `${m.name}:${m.version}` : m.RelativeLocation);

async function showRun(ctx: Context, runId: string): Promise<void> {
  const found = await findRun(ctx.api, runId);
  if (ctx.out.mode === "json") return ctx.out.json(found.record ?? found.live);
  const t = ctx.io.nowInMs();
  const r = found.record;
  const live = found.live;
  ctx.out.fields([
    ["Run", runId], ["Endpoint", r?.endpoint ?? live?.endpoint], ["Instance", found.instanceId],
    ["Result", live ? `${live.stage === "awaiting-approval" ? "awaiting-approval" : "running"} (${describeStage(live).text})` : r?.result],
    ["Reason", r?.reason ?? live?.reason], ["Trigger", r ? `${r.trigger.kind}${r.trigger.caller ? ` by ${r.trigger.caller}` : ""}` : undefined],
    ["Started", when(r?.startedAt ?? live?.createdTime, t)], ["Ended", when(r?.endedAt, t)], ["Data", r?.dataSource],
    ["Job", r?.jobId ?? live?.jobId], ["Gate", r?.gateRules], ["Gate said", (r?.decision ?? live?.decision)?.reasons.join(" ")],
    ["Metrics", metricText(r?.metrics ?? live?.metrics)], ["Serving model's", metricText(r?.championMetrics ?? live?.championMetrics)],
    ["Model before", modelText(r?.modelBefore)], ["Model after", modelText(r?.modelAfter)],
    ["Approval deadline", when((r?.approval ?? live?.approval)?.deadline, t)],
    ["Decided", r?.approval?.by ? `${r.approval.approved ? "approved" : "rejected"} by ${r.approval.by}${r.approval.comment ? `: ${r.approval.comment}` : ""}` : undefined],
    ["Next", live ? (live.stage === "awaiting-approval" ? `retrainer approve ${runId} | retrainer reject ${runId}` : `retrainer runs follow ${runId}`) : undefined],
  ]);
}

/** Follows a run found by id; one that has already ended is reported as it ended, with the same exit code. */
async function followExisting(ctx: Context, runId: string, timeoutInMs: number): Promise<number> {
  const found = await findRun(ctx.api, runId);
  return followRun(ctx, runId, found.instanceId, { timeoutInMs });
}

export function registerRuns(program: Command, io: Io, setExit: (code: number) => void): void {
  const runs = program.command("runs").description("retraining runs: list, show, follow, start");
  runs
    .command("list")
    .description("recorded runs, newest first")
    .option("--endpoint <name>", "only this endpoint's runs", endpointName)
    .addOption(new Option("--status <result>", "only runs that ended so (or wait so)").choices(RUN_RESULTS))
    .option("--limit <n>", "at most this many runs, 1–1000", wholeNumber("--limit", 1, 1000), 20)
    .addHelpText("after", "\nExamples:\n  retrainer runs list --endpoint retrain --limit 5\n  retrainer runs list --status rejected -o json | jq -r '.[].reason'")
    .action(async (o: { endpoint?: string; status?: string; limit: number }, command: Command) => {
      const ctx = contextOf(io, command);
      const list = await listRuns(ctx, o);
      if (ctx.out.mode === "json") return ctx.out.json(list);
      ctx.out.table(list, runColumns(io.nowInMs()), "No runs recorded yet.");
    });
  runs
    .command("show")
    .description("one run: result, reason, gate, metrics, models, approval (a run in progress: its stage)")
    .argument("<run>", "the run id", checkRunId)
    .addHelpText("after", "\nExample:\n  retrainer runs show retrain-20261208T010105Z-cfc719")
    .action(async (runId: string, _o: unknown, command: Command) => showRun(contextOf(io, command), runId));
  runs
    .command("follow")
    .description("stream a run's stages until it ends (Ctrl-C stops following; the run goes on)")
    .argument("<run>", "the run id", checkRunId)
    .option("--timeout <duration>", "stop following after this long (90s, 30m, 24h, 2d)", duration("--timeout"), duration("--timeout")(DEFAULT_FOLLOW_TIMEOUT))
    .addHelpText("after", "\nExit code: 0 when the run promoted, completed its dry run or found its data unchanged (a rollback run: restored),\n1 when it ended otherwise, 7 on --timeout, 130 on Ctrl-C.\n\nExample:\n  retrainer runs follow retrain-20261208T010105Z-cfc719 && echo promoted")
    .action(async (runId: string, o: { timeout: number }, command: Command) => setExit(await followExisting(contextOf(io, command), runId, o.timeout)));
  runs
    .command("start")
    .description("start a run of an endpoint now (one run per endpoint at a time)")
    .argument("<endpoint>", "the endpoint to retrain", endpointName)
    .option("--dry-run", "train and evaluate, promote nothing")
    .option("--force", "train even when the data is the same as the last trained run's")
    .option("--gate <rules>", 'the gate for this run, e.g. "AUC>=0.9; Accuracy>=0.85"', text("--gate", 1024))
    .option("--require-approval", "hold a passing model until a person approves it")
    .option("--follow", "then follow it until it ends (exit code as runs follow)")
    .option("--timeout <duration>", "with --follow: stop following after this long", duration("--timeout"), duration("--timeout")(DEFAULT_FOLLOW_TIMEOUT))
    .addHelpText("after", '\nExamples:\n  retrainer runs start retrain --dry-run --follow\n  retrainer runs start retrain --gate "AUC>=0.9; AUC>=champion-0.005"')
    .action(async (endpoint: string, o: { dryRun?: true; force?: true; gate?: string; requireApproval?: true; follow?: true; timeout: number }, command: Command) => {
      const ctx = contextOf(io, command);
      const body: RetrainRequest = { endpoint, ...(o.dryRun ? { dryRun: true } : {}), ...(o.force ? { force: true } : {}), ...(o.gate ? { gate: o.gate } : {}), ...(o.requireApproval ? { requireApproval: true } : {}) };
      const got = await ctx.api.send("POST", "/api/retrain", body);
      if ("failure" in got) {
        const busy = got.failure.status === 409 ? (got.failure.body as { instanceId?: string }).instanceId : undefined;
        if (busy) throw new CliError(`${ctx.api.failure(got.failure).message} (instance ${busy}; retrainer endpoints show ${endpoint} names the run)`, EXIT.conflict);
        throw ctx.api.failure(got.failure);
      }
      const started = got.body as RunStarted;
      if (ctx.out.mode === "json" && !o.follow) return ctx.out.json(started);
      const say = `Started run ${started.runId} of ${endpoint}${o.dryRun ? " (dry run)" : ""}.${o.follow ? "" : ` Follow it: retrainer runs follow ${started.runId}`}`;
      if (ctx.out.mode === "json") ctx.out.note(say);
      else ctx.out.line(say);
      if (o.follow) setExit(await followRun(ctx, started.runId, started.id, { timeoutInMs: o.timeout }));
    });
}
