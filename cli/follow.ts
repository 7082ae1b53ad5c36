import type { RetrainStatus, RunRecord } from "./api-types";
import { liveStatus } from "./run-lookup";
import { CliError, EXIT, type ExitCode } from "./exit-codes";
import { clock, resultStyle } from "./format";
import { terminalSafe } from "./terminal-text";
import type { Context } from "./context";

/** Durable's statuses of an instance that has not ended (functions/app/instances.ts ACTIVE). */
const ACTIVE = new Set(["Running", "Pending", "ContinuedAsNew", "Suspended"]);
/** How often the status is read: at once after a change, backing off while nothing moves. */
export const FIRST_POLL_IN_MS = 1_000;
export const MAX_POLL_IN_MS = 5_000;

/** A rollback run's record names what it undid (functions/orchestrators/rollback-orchestrator.ts). */
const isRollback = (r: RunRecord | undefined) => r?.dataSource.startsWith("rollback of run ") === true;

/**
 * The exit code of a run that ended: 0 when it did what it was for (promoted, a dry run, data
 * unchanged, or a rollback run that restored the model), 1 otherwise. A retraining run that ends
 * "rolled-back" failed live verification after promoting.
 */
export function exitOfResult(result: string, rollbackRun: boolean): ExitCode {
  if (result === "promoted" || result === "dry-run" || result === "skipped") return EXIT.ok;
  if (result === "rolled-back" && rollbackRun) return EXIT.ok;
  return EXIT.runFailed;
}

/** One line of what the run is doing now: the stage and what is known of it. */
export function describeStage(s: RetrainStatus): { key: string; text: string } {
  const stage = s.stage ?? (s.runtimeStatus === "Pending" ? "pending" : "starting");
  const parts: string[] = [];
  if (s.stage === "staging" || s.stage === "checking-data") if (s.staged) parts.push(`${(s.staged.bytes / 1_048_576).toFixed(1)} MiB staged`);
  const jobStage = s.stage === "submitting" || s.stage === "starting" || s.stage === "training";
  if (s.jobId && jobStage) parts.push(`job ${s.jobId.slice(0, 12)}${s.jobState ? ` ${s.jobState}` : ""}`);
  if (s.stage === "evaluating" && s.decision) parts.push(s.decision.passed ? "gate passed" : "gate failed");
  if (s.stage === "awaiting-approval" && s.approval?.deadline) parts.push(`waiting for a person (retrainer approve/reject ${s.runId ?? "RUN"}) until ${s.approval.deadline}`);
  if (s.shift) parts.push(`traffic ${s.shift.percent}% on ${s.shift.to} (from ${s.shift.from})`);
  if ((s.stage === "promoting" || s.stage === "verifying") && s.model) parts.push(`model ${s.model}`);
  // The poll count changes every poll: shown, but not a change of its own.
  const key = `${stage}|${parts.join("|")}`;
  const polls = s.stage === "training" && s.polls !== undefined ? [`poll ${s.polls}`] : [];
  return { key, text: `${stage}${[...parts, ...polls].length ? `  ${[...parts, ...polls].join(" · ")}` : ""}` };
}

function resultOf(s: RetrainStatus): { result: string; reason?: string } {
  const result = s.result ?? (s.runtimeStatus === "Terminated" ? "terminated" : s.runtimeStatus === "Failed" ? "failed" : s.runtimeStatus.toLowerCase());
  // A promotion states no reason of its own: the model it set and what the gate said are the why.
  const said = [s.model && s.result === "promoted" ? `model ${s.model}.` : undefined, ...(s.decision?.reasons ?? [])].filter(Boolean).join(" ");
  const reason = s.reason ?? (typeof s.output === "string" ? s.output : undefined) ?? (said || undefined);
  return { result, ...(reason ? { reason } : {}) };
}

export interface FollowOptions {
  readonly timeoutInMs: number;
}

/**
 * Streams a run's stages until it ends, as `az ml job stream` does: a line per change (piped:
 * plain lines; on a terminal the poll count updates in place), then the result and reason. With
 * `-o json` the lines go to stderr and the final status (the API's JSON) to stdout. Ctrl-C and
 * --timeout stop following only; the run goes on.
 */
export async function followRun(ctx: Context, runId: string, instanceId: string, o: FollowOptions): Promise<ExitCode> {
  const { io, out, api } = ctx;
  const json = out.mode === "json";
  const tty = !json && io.stdout.isTTY === true;
  const write = (text: string) => (json ? io.stderr : io.stdout).write(text);
  const stop = new AbortController();
  const unsubscribe = io.onInterrupt(() => stop.abort());
  const deadline = io.nowInMs() + o.timeoutInMs;
  let lastKey = "";
  let inPlace = false;
  let wait = FIRST_POLL_IN_MS;
  try {
    for (;;) {
      const s = await liveStatus(api, instanceId);
      if (!s || s.runId !== runId || !ACTIVE.has(s.runtimeStatus)) return await finish(s?.runId === runId ? s : undefined);
      const { key, text } = describeStage(s);
      const line = `${clock(io.nowInMs())}  ${terminalSafe(text)}`;
      if (key !== lastKey) {
        write(`${inPlace ? "\n" : ""}${tty ? `\r\u001b[K${line}` : `${line}\n`}`);
        inPlace = tty;
        lastKey = key;
        wait = FIRST_POLL_IN_MS;
      } else {
        if (tty) write(`\r\u001b[K${line}`);
        wait = Math.min(MAX_POLL_IN_MS, Math.round(wait * 1.5));
      }
      const left = deadline - io.nowInMs();
      if (left <= 0) {
        if (inPlace) write("\n");
        throw new CliError(`Stopped following run ${runId} after the --timeout; the run goes on (retrainer runs follow ${runId} to look again).`, EXIT.followTimedOut);
      }
      await io.sleep(Math.min(wait, left), stop.signal);
      if (stop.signal.aborted) {
        if (inPlace) write("\n");
        io.stderr.write(`Stopped following run ${runId}; the run goes on (retrainer runs follow ${runId} to follow it again, retrainer cancel ${runId} to end it).\n`);
        return EXIT.interrupted;
      }
    }
  } finally {
    unsubscribe();
  }

  async function finish(last: RetrainStatus | undefined): Promise<ExitCode> {
    if (inPlace) write("\n");
    // The record says how it ended when the instance has moved on to a later run.
    const got = await api.send("GET", `/api/runs/${encodeURIComponent(runId)}`);
    const record = "failure" in got ? undefined : (got.body as RunRecord);
    const ended = last ? resultOf(last) : record ? { result: record.result, ...(record.reason ? { reason: record.reason } : {}) } : undefined;
    if (!ended) throw new CliError(`Run ${runId} is no longer on instance ${instanceId} and is not in the run history.`, EXIT.notFound);
    const code = exitOfResult(ended.result, isRollback(record));
    if (json) out.json(last ?? record);
    else io.stdout.write(`${clock(io.nowInMs())}  ${out.styled(resultStyle(ended.result), terminalSafe(ended.result))}${ended.reason ? `: ${terminalSafe(ended.reason)}` : ""}\n`);
    return code;
  }
}

/** `--timeout`: "90s", "30m", "24h", "2d", or plain seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d{1,7})(s|m|h|d)?$/.exec(text.trim());
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m?.[2] ?? "s") as "s"];
  const ms = m ? Number(m[1]) * unit : Number.NaN;
  if (!(ms >= 1_000 && ms <= 30 * 86_400_000)) throw new Error(`--timeout must be a duration from 1s to 30d such as 90s, 30m, 24h or 2d; got "${text.slice(0, 40)}"`);
  return ms;
}
