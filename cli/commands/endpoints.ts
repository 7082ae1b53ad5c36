import type { Command } from "commander";
import type { EndpointList, EndpointView } from "../api-types";
import { contextOf } from "../context";
import { resultStyle, when, type Column } from "../format";
import type { Io } from "../io";
import { endpointName } from "../options";

const model = (e: EndpointView) => (!e.serving ? undefined : e.serving.model.backend === "azureml" ? `${e.serving.model.name}:${e.serving.model.version}` : e.serving.model.RelativeLocation);

/** What is going on now: a run waiting for a person first, then one in progress. */
function now(e: EndpointView): string | undefined {
  const a = e.active.find((x) => x.awaitingApproval) ?? e.active[0];
  if (!a) return undefined;
  return a.awaitingApproval ? `awaiting approval: ${a.runId}` : `${a.stage ?? "starting"}: ${a.runId}`;
}

function columns(nowInMs: number): Column<EndpointView>[] {
  return [
    { header: "Endpoint", value: (e) => `${e.name}${e.configured ? "" : " (not configured)"}`, maxWidth: 32 },
    { header: "Backend", value: (e) => e.backend },
    { header: "Serving", value: model, maxWidth: 40 },
    { header: "Last run", value: (e) => e.lastRun?.runId, maxWidth: 40 },
    { header: "Result", value: (e) => e.lastRun?.result, style: resultStyle },
    { header: "Ended", value: (e) => when(e.lastRun?.endedAt ?? e.lastRun?.startedAt, nowInMs) },
    { header: "Days since ok", value: (e) => e.daysSinceSuccess?.toFixed(2), align: "right" },
    { header: "Rejected", value: (e) => e.rejectedInARow?.toString(), align: "right" },
    { header: "Now", value: now, maxWidth: 60, style: (cell) => (cell.startsWith("awaiting") ? "magenta" : undefined) },
  ];
}

export function registerEndpoints(program: Command, io: Io): void {
  const endpoints = program.command("endpoints").description("the endpoints this app retrains, as the console's overview shows them");
  endpoints
    .command("list")
    .description("every endpoint: what serves, the last run, health, runs in progress")
    .addHelpText("after", "\nExample:\n  retrainer endpoints list\n  retrainer endpoints list -o json | jq '.[] | select(.active != [])'")
    .action(async (_o: unknown, command: Command) => {
      const ctx = contextOf(io, command);
      const { endpoints: list } = await ctx.api.call<EndpointList>("GET", "/api/endpoints");
      if (ctx.out.mode === "json") return ctx.out.json(list);
      ctx.out.table(list, columns(io.nowInMs()), "No endpoints.");
    });
  endpoints
    .command("show")
    .description("one endpoint in full")
    .argument("<name>", "the endpoint (as endpoints list shows it)", endpointName)
    .addHelpText("after", "\nExample:\n  retrainer endpoints show retrain")
    .action(async (name: string, _o: unknown, command: Command) => {
      const ctx = contextOf(io, command);
      const e = await ctx.api.call<EndpointView>("GET", `/api/endpoints/${encodeURIComponent(name)}`);
      if (ctx.out.mode === "json") return ctx.out.json(e);
      const t = io.nowInMs();
      ctx.out.fields([
        ["Endpoint", e.name], ["Configured", e.configured ? "yes" : "no: only the run history knows it"], ["Backend", e.backend],
        ["Serving", model(e) ?? (e.counted ? "not known yet" : "not counted yet (shown on a later read)")],
        ["Serving since", when(e.serving?.since, t)], ["Put there by run", e.serving?.runId], ["Approved by", e.serving?.approvedBy],
        ["Last run", e.lastRun ? `${e.lastRun.runId} (${e.lastRun.trigger})` : undefined], ["Result", e.lastRun?.result], ["Reason", e.lastRun?.reason],
        ["Ended", when(e.lastRun?.endedAt, t)], ["Next scheduled run", when(e.nextScheduledRun, t)], ["Schedule", `${e.schedule} (NCRONTAB, UTC)`],
        ["Days since a success", e.daysSinceSuccess?.toFixed(2)], ["Rejected in a row", e.rejectedInARow?.toString()],
        ...e.active.map((a): [string, string] => [
          a.awaitingApproval ? "Waiting for a person" : "In progress",
          `${a.runId} (${a.stage ?? a.runtimeStatus}, started ${when(a.startedAt, t)}${a.approvalDeadline ? `; decide by ${when(a.approvalDeadline, t)}` : ""})`,
        ]),
      ]);
    });
}
