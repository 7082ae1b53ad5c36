import { html, type SafeHtml } from "../../shared/console/html";
import { daysSinceSuccess, type EndpointSummary } from "../../shared/history/endpoint-summary";
import { backendOf, type Settings } from "../../shared/config/settings";
import { parseNcrontab } from "../../shared/schedule/ncrontab";
import { badge, endpointHref, model, runHref, when } from "./format";
import type { ActiveRun } from "./active-runs";

export interface OverviewData {
  readonly summaries: readonly EndpointSummary[];
  /** Runs in progress (one query of the orchestrations). */
  readonly active: readonly ActiveRun[];
  readonly settings: Pick<Settings, "RETRAIN_ENDPOINTS" | "RETRAIN_SCHEDULE" | "RETRAIN_ENDPOINT_SETTINGS">;
  readonly nowInMs: number;
}

/** The next time the schedule fires, or undefined when it cannot be read. */
export function nextTick(expression: string, nowInMs: number): string | undefined {
  try {
    return parseNcrontab(expression).next(new Date(nowInMs)).toISOString();
  } catch {
    return undefined;
  }
}

/**
 * Every configured endpoint: what serves, the last run, health as the alerts count it, and the
 * runs waiting for a person first. Endpoints the history knows but settings no longer name are
 * listed after, marked.
 */
export function overview(d: OverviewData): SafeHtml {
  const byName = new Map(d.summaries.map((s) => [s.endpoint.toLowerCase(), s]));
  const configured = d.settings.RETRAIN_ENDPOINTS.map((e) => ({ endpoint: e, summary: byName.get(e.toLowerCase()), configured: true }));
  const known = new Set(d.settings.RETRAIN_ENDPOINTS.map((e) => e.toLowerCase()));
  const former = d.summaries.filter((s) => !known.has(s.endpoint.toLowerCase())).map((s) => ({ endpoint: s.endpoint, summary: s, configured: false }));
  const rows = [...configured, ...former];
  const waiting = d.active.filter((a) => a.custom.stage === "awaiting-approval").sort((a, b) => a.createdTime.localeCompare(b.createdTime));
  const running = new Map(d.active.map((a) => [a.endpoint.toLowerCase(), a]));
  const next = nextTick(d.settings.RETRAIN_SCHEDULE, d.nowInMs);
  return html`<h1>Endpoints</h1>
${waiting.length
    ? html`<section class="waiting" aria-labelledby="waiting-title"><h2 id="waiting-title">Waiting for a person (${waiting.length})</h2><ul>${waiting.map((a) => html`<li><a href="${runHref(a.runId)}">Review run ${a.runId}</a> of <strong>${a.endpoint}</strong>, started ${when(a.createdTime)}${a.custom.approval?.deadline ? html`, decide by ${when(a.custom.approval.deadline)}` : html``}</li>`)}</ul></section>`
    : html``}
<p class="muted">Next scheduled run of every endpoint: ${when(next)} (schedule <code>${d.settings.RETRAIN_SCHEDULE}</code>, UTC).</p>
<table id="endpoints">
<thead><tr><th scope="col">Endpoint</th><th scope="col">Serving now</th><th scope="col">Last run</th><th scope="col" class="num">Days since a success</th><th scope="col" class="num">Rejected in a row</th></tr></thead>
<tbody>
${rows.map(({ endpoint, summary: s, configured }) => {
    const days = s ? daysSinceSuccess(s, d.nowInMs) : undefined;
    const now = running.get(endpoint.toLowerCase());
    return html`<tr data-endpoint="${endpoint}">
<th scope="row"><a href="${endpointHref(endpoint)}">${endpoint}</a><div class="muted">${configured ? backendOf(d.settings, endpoint) === "azureml" ? "Azure ML (v2)" : "ML Studio (classic)" : "no longer configured"}</div></th>
<td>${!s ? html`<span class="muted">not counted yet: shown on a later view</span>` : s.serving ? html`<div>${model(s.serving.model)}</div><div class="muted">since ${when(s.serving.since)}, by run <a href="${runHref(s.serving.runId)}">${s.serving.runId}</a>${s.serving.approvedBy ? html`, approved by ${s.serving.approvedBy}` : html``}</div>` : html`<span class="muted">not known yet</span>`}</td>
<td>${now ? html`<div>${badge(now.custom.stage === "awaiting-approval" ? "awaiting-approval" : "running")} <a href="${runHref(now.runId)}">${now.runId}</a> <span class="muted">${now.custom.stage ?? "starting"}</span></div>` : html``}${s?.lastRun ? html`${badge(s.lastRun.result)} <a href="${runHref(s.lastRun.runId)}">${s.lastRun.runId}</a><div class="muted">${s.lastRun.trigger}, ${when(s.lastRun.startedAt)}</div>${s.lastRun.reason ? html`<div class="reason">${s.lastRun.reason}</div>` : html``}` : badge(undefined)}</td>
<td class="num">${days === undefined ? "–" : days.toFixed(2)}</td>
<td class="num">${s ? s.health.rejectedInARow : "–"}</td>
</tr>`;
  })}
</tbody>
</table>`;
}
