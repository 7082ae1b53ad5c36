import type { Command } from "commander";
import type { RunStarted } from "../api-types";
import { contextOf } from "../context";
import { CliError, EXIT } from "../exit-codes";
import { followRun } from "../follow";
import type { Io } from "../io";
import { DEFAULT_FOLLOW_TIMEOUT, duration, endpointName } from "../options";
import { checkRunId } from "../run-lookup";
import { terminalSafe } from "../terminal-text";

interface RollbackOptions {
  readonly to?: string;
  readonly yes?: true;
  readonly follow?: true;
  readonly timeout: number;
}

/**
 * Puts back the model a promotion replaced. The API takes only a named promotion, never "the
 * latest when the call lands"; without --to the CLI asks the API which is the latest (its 400
 * names it) and shows it before anything changes, asking on a terminal, else requiring --yes.
 */
export function registerRollback(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command("rollback")
    .description("put back the model a promotion replaced (the latest promotion unless --to)")
    .argument("<endpoint>", "the endpoint", endpointName)
    .option("--to <run>", "the promotion to undo (its run id); default: the endpoint's latest promotion", checkRunId)
    .option("-y, --yes", "do not ask (required when stdin is not a terminal)")
    .option("--follow", "then follow the rollback until it ends")
    .option("--timeout <duration>", "with --follow: stop following after this long", duration("--timeout"), duration("--timeout")(DEFAULT_FOLLOW_TIMEOUT))
    .addHelpText("after", "\nExamples:\n  retrainer rollback retrain                       # asks, naming the latest promotion\n  retrainer rollback retrain --to RUN --yes --follow")
    .action(async (endpoint: string, o: RollbackOptions, command: Command) => {
      const ctx = contextOf(io, command);
      const path = `/api/endpoints/${encodeURIComponent(endpoint)}/rollback`;
      let runId = o.to;
      if (!runId) {
        const probe = await ctx.api.send("POST", path, {});
        if (!("failure" in probe)) throw new CliError("The app started a rollback without a run named; it should have refused. Check the run list.", EXIT.unreachable);
        const latest = (probe.failure.body as { latestPromotion?: unknown } | undefined)?.latestPromotion;
        if (probe.failure.status !== 400 || typeof latest !== "string") {
          if (probe.failure.status === 400) throw new CliError(`${terminalSafe(probe.failure.error ?? "")} (nothing to roll back to)`.trim(), EXIT.notFound);
          throw ctx.api.failure(probe.failure);
        }
        runId = checkRunId(latest);
      }
      if (!o.yes) {
        if (!io.stdinIsTTY) throw new CliError(`rollback changes what ${endpoint} serves: add --yes to confirm (stdin is not a terminal to ask on). It would undo run ${runId}.`, EXIT.usage);
        if (!(await io.confirm(`Roll back ${terminalSafe(endpoint)} to the model run ${terminalSafe(runId)} replaced? [y/N] `))) {
          ctx.out.note("Nothing was changed.");
          return;
        }
      }
      const got = await ctx.api.send("POST", path, { runId });
      if ("failure" in got) throw ctx.api.failure(got.failure);
      const started = got.body as RunStarted;
      if (ctx.out.mode === "json" && !o.follow) return ctx.out.json(started);
      const say = `Rolling back ${endpoint} to the model run ${runId} replaced: run ${started.runId}.${o.follow ? "" : ` Follow it: retrainer runs follow ${started.runId}`}`;
      if (ctx.out.mode === "json") ctx.out.note(say);
      else ctx.out.line(say);
      if (o.follow) setExit(await followRun(ctx, started.runId, started.id, { timeoutInMs: o.timeout }));
    });
}
