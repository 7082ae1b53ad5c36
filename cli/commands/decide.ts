import type { Command } from "commander";
import type { DecisionRequest } from "../api-types";
import { contextOf } from "../context";
import type { Io } from "../io";
import { text } from "../options";
import { checkRunId, findRun } from "../run-lookup";

type Action = "approve" | "reject" | "cancel";

const SENT: Readonly<Record<Action, (runId: string) => string>> = {
  approve: (r) => `Approval of run ${r} sent: the run takes the first decision for it that it receives (retrainer runs follow ${r} shows which).`,
  reject: (r) => `Rejection of run ${r} sent: the run takes the first decision for it that it receives (retrainer runs show ${r} shows which).`,
  cancel: (r) => `Run ${r} cancelled.`,
};

/**
 * A decision goes to the run's instance and names the run, as the API requires: a run that is
 * not the one waiting (or not running) is refused with 409 (exit 5) and nothing changes.
 */
async function decide(io: Io, command: Command, action: Action, runId: string, comment: string | undefined): Promise<void> {
  const ctx = contextOf(io, command);
  const { instanceId } = await findRun(ctx.api, runId);
  const body: DecisionRequest = { runId, ...(comment ? { comment } : {}) };
  const answer = await ctx.api.call<{ settled?: string; note?: string }>("POST", `/api/retrain/${encodeURIComponent(instanceId)}/${action}`, body);
  if (ctx.out.mode === "json") return ctx.out.json(answer);
  ctx.out.line(`${SENT[action](runId)}${action === "cancel" && answer.settled ? ` ${answer.settled}` : action === "cancel" && answer.note ? ` ${answer.note}` : ""}`);
}

export function registerDecisions(program: Command, io: Io): void {
  for (const [action, what] of [["approve", "promote the model of a run waiting for approval"], ["reject", "refuse the model of a run waiting for approval"]] as const) {
    program
      .command(action)
      .description(what)
      .argument("<run>", "the run waiting for approval (as endpoints list or runs show name it)", checkRunId)
      .option("--comment <text>", "why, recorded with the decision", text("--comment", 1024))
      .addHelpText("after", `\nExample:\n  retrainer ${action} retrain-20261208T010105Z-cfc719 --comment "checked the metrics"`)
      .action((runId: string, o: { comment?: string }, command: Command) => decide(io, command, action, runId, o.comment));
  }
  program
    .command("cancel")
    .description("end a run in progress, its job and its poller")
    .argument("<run>", "the run in progress", checkRunId)
    .option("--reason <text>", "why, recorded with the cancellation", text("--reason", 1024))
    .addHelpText("after", '\nExample:\n  retrainer cancel retrain-20261208T010105Z-cfc719 --reason "wrong data"')
    .action((runId: string, o: { reason?: string }, command: Command) => decide(io, command, "cancel", runId, o.reason));
}
