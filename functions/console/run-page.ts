import { html, type SafeHtml } from "../../shared/console/html";
import type { RunRecord } from "../../shared/history/run-record";
import type { DeliveryRecord } from "../../shared/history/run-history";
import type { ConsoleUser } from "../../shared/console/session";
import type { RunStatus } from "../orchestrators/run-input";
import { badge, bytes, duration, endpointHref, metric, model, runHref, when } from "./format";
import { may } from "./auth";

export interface LiveRun {
  /** The orchestration's state, when the instance still holds this run. */
  readonly runtimeStatus?: string;
  readonly custom?: Partial<RunStatus>;
  readonly active: boolean;
  readonly awaiting: boolean;
}

export interface RunPageData {
  readonly record: RunRecord;
  readonly deliveries: readonly DeliveryRecord[];
  readonly live: LiveRun;
  readonly user: ConsoleUser;
  readonly csrf: string;
  /** The job at the ML service, when its studio can show it. */
  readonly jobUrl?: string;
  readonly notice?: string;
}

/** The run's stages with when each began and how long it took, from what the record holds. */
function timeline(r: RunRecord): { at?: string; what: SafeHtml; took?: number }[] {
  const out: { at?: string; what: SafeHtml; took?: number }[] = [{ at: r.startedAt, what: html`started (${r.trigger.kind}${r.trigger.caller ? `, by ${r.trigger.caller}` : ""})` }];
  let t = Date.parse(r.startedAt);
  for (const [stage, seconds] of Object.entries(r.durationsInSeconds)) {
    if (stage === "total" || !Number.isFinite(seconds)) continue;
    out.push({ at: Number.isFinite(t) ? new Date(t).toISOString() : undefined, what: html`${stage}`, took: seconds });
    t += seconds * 1000;
  }
  if (r.approval?.at) out.push({ at: r.approval.at, what: html`${r.approval.approved ? "approved" : "rejected"} by ${r.approval.by ?? "?"}${r.approval.comment ? html`: “${r.approval.comment}”` : html``}` });
  for (const step of r.rollout?.steps ?? []) out.push({ at: step.at, what: html`traffic ${step.mirror ? "mirrored " : ""}${step.percent} % to ${r.rollout!.deployment}: ${step.check}` });
  if (r.endedAt) out.push({ at: r.endedAt, what: html`ended: ${badge(r.result)}` });
  return out.sort((a, b) => (Date.parse(a.at ?? "") || 0) - (Date.parse(b.at ?? "") || 0));
}

export function runPage(d: RunPageData): SafeHtml {
  const r = d.record;
  const stage = d.live.custom?.stage;
  const metrics = Object.keys({ ...r.metrics, ...r.championMetrics });
  return html`<h1>Run ${r.runId}</h1>
${d.notice ? html`<p class="notice" role="status">${d.notice}</p>` : html``}
<div class="cards">
<dl class="card"><dt>Endpoint</dt><dd><a href="${endpointHref(r.endpoint)}">${r.endpoint}</a></dd><dt>Result</dt><dd>${badge(r.result)}${d.live.active && stage ? html` <span class="muted">stage: ${stage}${d.live.custom?.polls !== undefined ? `, ${d.live.custom.polls} polls` : ""}${d.live.custom?.jobState ? `, job ${d.live.custom.jobState}` : ""}</span>` : html``}</dd>${r.reason ? html`<dt>Why</dt><dd class="reason">${r.reason}</dd>` : html``}</dl>
<dl class="card"><dt>Model before</dt><dd>${model(r.modelBefore)}</dd><dt>New model</dt><dd>${model(r.modelAfter)}</dd>${r.archivedModel ? html`<dt>Archived</dt><dd>${model(r.archivedModel)}</dd>` : html``}</dl>
<dl class="card"><dt>Data</dt><dd class="reason">${r.dataSource}</dd><dt>Size</dt><dd>${bytes(r.dataBytes)}${r.profile ? `, ${r.profile.rows} rows, ${r.profile.columns.length} columns` : ""}</dd><dt>Job</dt><dd>${r.jobId ? d.jobUrl ? html`<a href="${d.jobUrl}" rel="noreferrer">${r.jobId}</a>` : html`<code>${r.jobId}</code>` : "–"}</dd></dl>
</div>
${d.live.awaiting ? decisionForms(d) : html``}
${d.live.active && may(d.user, "Operator") ? html`<form class="action" method="post" action="${runHref(r.runId)}/cancel"><input type="hidden" name="csrf" value="${d.csrf}"><label for="cancel-comment">Why cancel (optional)</label> <input type="text" id="cancel-comment" name="comment" maxlength="500"> <button type="submit" class="danger">Cancel this run</button></form>` : html``}
<h2>Timeline</h2>
<ol class="timeline">${timeline(r).map((e) => html`<li>${when(e.at)} — ${e.what}${e.took !== undefined ? html` <span class="muted">(${duration(e.took)})</span>` : html``}</li>`)}</ol>
<h2>Gate</h2>
${r.decision ? html`<p>${r.decision.passed ? "Passed" : "Failed"}${r.decision.comparedWithChampion ? ", compared with the serving model" : ", no serving model to compare with"}. Rules: <code>${r.gateRules}</code></p><ul id="gate-reasons">${r.decision.reasons.map((x) => html`<li>${x}</li>`)}</ul>` : html`<p class="muted">Not evaluated. Rules: <code>${r.gateRules}</code></p>`}
${metrics.length ? html`<table id="metrics"><thead><tr><th scope="col">Metric</th><th scope="col" class="num">New model</th><th scope="col" class="num">Serving model</th></tr></thead><tbody>${metrics.map((m) => html`<tr><th scope="row">${m}</th><td class="num">${metric(r.metrics?.[m])}</td><td class="num">${metric(r.championMetrics?.[m])}</td></tr>`)}</tbody></table>` : html``}
<h2>Data profile</h2>
${r.profile ? html`<p>${r.profile.rows} rows${r.profile.malformedRows ? `, ${r.profile.malformedRows} malformed` : ""}; sha256 <code>${r.profile.sha256.slice(0, 16)}…</code>${r.profileReference ? html`; checked against run <a href="${runHref(r.profileReference)}">${r.profileReference}</a>` : html``}.</p>
<table id="profile"><thead><tr><th scope="col">Column</th><th scope="col">Type</th><th scope="col" class="num">Missing</th><th scope="col">Range or top values</th></tr></thead><tbody>${r.profile.columns.map((c) => html`<tr><th scope="row">${c.name}</th><td>${c.type}</td><td class="num">${c.present + c.missing ? `${((100 * c.missing) / (c.present + c.missing)).toFixed(1)} %` : "–"}</td><td class="reason">${c.type === "number" && c.min !== undefined ? `${metric(c.min)} … ${metric(c.max)}, mean ${metric(c.mean)}` : (c.categories?.top ?? []).slice(0, 4).map((t) => `${t.value} ${(t.share * 100).toFixed(0)} %`).join(", ")}</td></tr>`)}</tbody></table>`
    : html`<p class="muted">No profile recorded.</p>`}
<h2>Notifications</h2>
${d.deliveries.length ? html`<table id="deliveries"><thead><tr><th scope="col">Event</th><th scope="col">Webhook</th><th scope="col" class="num">Attempt</th><th scope="col">At</th><th scope="col">Outcome</th></tr></thead><tbody>${d.deliveries.map((x) => html`<tr><td>${x.event}</td><td>${x.target} <span class="muted">(${x.format})</span></td><td class="num">${x.attempt}</td><td>${when(x.at)}</td><td>${x.ok ? "delivered" : x.gaveUp ? "gave up" : "failed"}${x.status ? ` (HTTP ${x.status})` : ""}${x.error ? html`<div class="reason muted">${x.error}</div>` : html``}</td></tr>`)}</tbody></table>` : html`<p class="muted">No notification was sent for this run.</p>`}`;
}

/** What exactly is approved: the run, the model, its metrics against the serving model's, the data it saw. */
function decisionForms(d: RunPageData): SafeHtml {
  const r = d.record;
  if (!may(d.user, "Approver")) return html`<section class="waiting"><h2>Waiting for approval</h2><p>Only a person with the Approver role can decide; you hold ${d.user.roles.join(", ")}.</p></section>`;
  return html`<section class="waiting" aria-labelledby="decide-title"><h2 id="decide-title">Decide: promote ${model(r.modelAfter) === "–" ? "the new model" : model(r.modelAfter)} to ${r.endpoint}?</h2>
<p>Run <strong>${r.runId}</strong>${r.approval?.deadline ? html`, decide by ${when(r.approval.deadline)} (no decision by then: not promoted)` : html``}. ${r.decision ? (r.decision.passed ? "The gate passed." : "The gate failed.") : ""} Data: ${bytes(r.dataBytes)}${r.profile ? `, ${r.profile.rows} rows` : ""}, ${r.result === "data-rejected" ? "refused by the checks" : "passed the data checks"}.</p>
<form class="action" method="post" action="${runHref(r.runId)}/decide"><input type="hidden" name="csrf" value="${d.csrf}">
<label for="decision-comment">Comment (recorded with your decision)</label><br><textarea id="decision-comment" name="comment" rows="2" maxlength="1000"></textarea><br>
<button type="submit" class="primary" name="decision" value="approve">Approve and promote</button> <button type="submit" class="danger" name="decision" value="reject">Reject</button></form></section>`;
}
