import { html, type SafeHtml } from "../../shared/console/html";
import type { EndpointSummary } from "../../shared/history/endpoint-summary";
import type { RunRecord } from "../../shared/history/run-record";
import type { GateRule } from "../../shared/evaluation/gate";
import type { DataExpectations } from "../../shared/data/checks";
import { psiOf } from "../../shared/data/checks";
import type { ModelRef } from "../../shared/backends/model-ref";
import type { ConsoleUser } from "../../shared/console/session";
import { trendChart } from "./chart";
import { badge, bytes, duration, endpointHref, metric, model, runHref, when } from "./format";
import { may } from "./auth";

export interface EndpointPageData {
  readonly endpoint: string;
  readonly v2: boolean;
  readonly summary?: EndpointSummary;
  /** This page's runs, newest first (one query). */
  readonly runs: readonly RunRecord[];
  readonly nextPage?: string;
  readonly firstPage: boolean;
  readonly rules: readonly GateRule[];
  readonly expectations: DataExpectations;
  readonly user: ConsoleUser;
  readonly csrf: string;
}

/** What a promotion replaced, which a rollback restores (the same rule as the rollback API's). */
export function rollbackTarget(r: RunRecord, v2: boolean): ModelRef | undefined {
  if (r.result !== "promoted") return undefined;
  return v2 ? (r.modelBefore?.backend === "azureml" ? r.modelBefore : undefined) : r.archivedModel;
}

/** Per column, its drift (PSI) in each run of the page whose reference run is also on the page. */
function drift(runs: readonly RunRecord[]): { runs: RunRecord[]; columns: { name: string; psi: (number | undefined)[] }[] } {
  const byId = new Map(runs.map((r) => [r.runId, r]));
  const measured = runs.filter((r) => r.profile && r.profileReference && byId.get(r.profileReference)?.profile).slice(0, 12);
  const names = new Map<string, (number | undefined)[]>();
  measured.forEach((r, i) => {
    const ref = byId.get(r.profileReference!)!.profile!;
    for (const c of r.profile!.columns) {
      const before = ref.columns.find((x) => x.name === c.name);
      const psi = before ? psiOf(before, c) : Number.NaN;
      if (!names.has(c.name)) names.set(c.name, new Array<number | undefined>(measured.length).fill(undefined));
      names.get(c.name)![i] = Number.isFinite(psi) ? psi : undefined;
    }
  });
  // The columns that moved most first; a wide file shows its 15 most drifted.
  const columns = [...names.entries()].map(([name, psi]) => ({ name, psi, top: Math.max(0, ...psi.map((p) => p ?? 0)) })).sort((a, b) => b.top - a.top).slice(0, 15);
  return { runs: measured, columns };
}

export function endpointPage(d: EndpointPageData): SafeHtml {
  const gateMetrics = [...new Set(d.rules.map((r) => r.metric))];
  const targets = d.runs.filter((r) => rollbackTarget(r, d.v2));
  const dr = drift(d.runs);
  const limitOf = (column: string) => d.expectations.psi?.[column] ?? d.expectations.maxPsi;
  const s = d.summary;
  return html`<h1>${d.endpoint}</h1>
<div class="cards">
<dl class="card"><dt>Serving now</dt><dd>${s?.serving ? model(s.serving.model) : "not known yet"}</dd>${s?.serving ? html`<dt>Since</dt><dd>${when(s.serving.since)} (run <a href="${runHref(s.serving.runId)}">${s.serving.runId}</a>)</dd>` : html``}<dt>Backend</dt><dd>${d.v2 ? "Azure ML (v2)" : "ML Studio (classic)"}</dd></dl>
<dl class="card"><dt>Last run</dt><dd>${s?.lastRun ? html`${badge(s.lastRun.result)} <a href="${runHref(s.lastRun.runId)}">${s.lastRun.runId}</a>` : "none yet"}</dd><dt>Rejected in a row</dt><dd>${s ? s.health.rejectedInARow : "–"}</dd><dt>Gate</dt><dd><code>${d.rules.map((r) => `${r.metric}${r.op}${"threshold" in r ? r.threshold : `champion${r.champion.factor !== 1 ? `*${r.champion.factor}` : ""}${r.champion.offset ? (r.champion.offset < 0 ? r.champion.offset : `+${r.champion.offset}`) : ""}`}`).join("; ")}</code></dd></dl>
</div>
${may(d.user, "Operator")
    ? html`<form class="action" method="post" action="${endpointHref(d.endpoint)}/start"><input type="hidden" name="csrf" value="${d.csrf}"><strong>Start a run</strong> <label><input type="checkbox" name="dryRun" value="true"> dry run (train and evaluate, change nothing)</label><label><input type="checkbox" name="force" value="true"> even if the data has not changed</label><button type="submit" class="primary">Start run</button></form>`
    : html``}
<h2>Gate metrics across runs</h2>
${gateMetrics.length ? gateMetrics.map((m) => html`<h3>${m}</h3>${trendChart(m, d.runs, d.rules)}`) : html`<p class="muted">The gate names no metric.</p>`}
<h2>Data drift per column</h2>
${dr.runs.length
    ? html`<p class="muted">Population stability index of each run's data against the run it was checked with; above the limit is marked.</p><table id="drift"><thead><tr><th scope="col">Column</th>${dr.runs.map((r) => html`<th scope="col" class="num"><a href="${runHref(r.runId)}">${when(r.startedAt)}</a></th>`)}<th scope="col" class="num">Limit</th></tr></thead><tbody>${dr.columns.map((c) => html`<tr><th scope="row">${c.name}</th>${c.psi.map((p) => html`<td class="num${p !== undefined && p > limitOf(c.name) ? " over" : ""}">${p === undefined ? "–" : p.toFixed(3)}${p !== undefined && p > limitOf(c.name) ? " (over)" : ""}</td>`)}<td class="num">${limitOf(c.name)}</td></tr>`)}</tbody></table>`
    : html`<p class="muted">No run on this page was compared with an earlier run's data.</p>`}
<h2>Rollback targets</h2>
${targets.length
    ? html`<table id="targets"><thead><tr><th scope="col">Promotion</th><th scope="col">Replaced</th><th scope="col">Restores</th><th scope="col"></th></tr></thead><tbody>${targets.map((r) => html`<tr><td><a href="${runHref(r.runId)}">${r.runId}</a><div class="muted">${when(r.endedAt)}</div></td><td>${model(r.modelBefore)}</td><td>${model(rollbackTarget(r, d.v2))}${r.rollout?.retained ? html`<div class="muted">kept deployment ${r.rollout.retained.deployment} until ${when(r.rollout.retained.retireAfter)}</div>` : html``}</td><td>${may(d.user, "Operator") ? html`<a href="${endpointHref(d.endpoint)}/rollback?runId=${encodeURIComponent(r.runId)}">Roll back…</a>` : html``}</td></tr>`)}</tbody></table>`
    : html`<p class="muted">No promotion on this page left a model to go back to.</p>`}
<h2>Runs</h2>
<table id="runs">
<thead><tr><th scope="col">Run</th><th scope="col">Result</th><th scope="col">Trigger</th><th scope="col">Data</th><th scope="col">Metrics (serving model)</th><th scope="col">Gate</th><th scope="col">Model</th><th scope="col" class="num">Took</th></tr></thead>
<tbody>
${d.runs.map((r) => html`<tr data-run="${r.runId}">
<td><a href="${runHref(r.runId)}">${r.runId}</a><div class="muted">${when(r.startedAt)}</div></td>
<td>${badge(r.result)}${r.reason ? html`<div class="reason">${r.reason}</div>` : html``}</td>
<td>${r.trigger.kind}${r.trigger.caller ? html`<div class="muted">${r.trigger.caller}</div>` : html``}</td>
<td><div class="reason">${r.dataSource}</div><div class="muted">${bytes(r.dataBytes)}${r.profile ? `, ${r.profile.rows} rows` : ""}${r.result === "data-rejected" ? ", refused" : r.profile ? ", passed checks" : ""}</div></td>
<td>${Object.entries(r.metrics ?? {}).slice(0, 6).map(([k, v]) => html`<div>${k} ${metric(v)}${r.championMetrics?.[k] !== undefined ? html` <span class="muted">(${metric(r.championMetrics[k])})</span>` : html``}</div>`)}</td>
<td>${r.decision ? html`${r.decision.passed ? "passed" : "failed"}<ul>${r.decision.reasons.slice(0, 6).map((x) => html`<li>${x}</li>`)}</ul>` : html`<span class="muted">–</span>`}</td>
<td>${model(r.modelAfter)}</td>
<td class="num">${duration(r.durationsInSeconds.total ?? Object.values(r.durationsInSeconds).reduce((a, b) => a + b, 0))}</td>
</tr>`)}
</tbody>
</table>
<p class="pager">${d.firstPage ? html`` : html`<a href="${endpointHref(d.endpoint)}">Newest runs</a> · `}${d.nextPage ? html`<a href="${endpointHref(d.endpoint)}?after=${encodeURIComponent(d.nextPage)}">Older runs</a>` : html`<span class="muted">No older runs.</span>`}</p>`;
}
