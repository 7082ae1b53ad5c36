import { html, trusted, type SafeHtml } from "../../shared/console/html";
import type { GateRule } from "../../shared/evaluation/gate";
import type { RunRecord } from "../../shared/history/run-record";
import { metric } from "./format";

const W = 640, H = 220, LEFT = 52, RIGHT = 12, TOP = 12, BOTTOM = 28;

/**
 * One gate metric across runs, oldest left: the new model's value per run, the serving model's
 * value it was compared with, and the gate's absolute thresholds as dashed lines. Drawn here as
 * SVG: no chart library, no script, nothing for the Content-Security-Policy to allow. Relative
 * rules ("champion − 0.005") move with the champion, so they are named in the legend, not drawn.
 */
export function trendChart(name: string, runsNewestFirst: readonly RunRecord[], rules: readonly GateRule[]): SafeHtml {
  const runs = [...runsNewestFirst].reverse().filter((r) => Number.isFinite(r.metrics?.[name]));
  if (runs.length === 0) return html`<p class="muted">No run of this page measured ${name}.</p>`;
  const own = rules.filter((r) => r.metric === name);
  const thresholds = own.flatMap((r) => ("threshold" in r && Number.isFinite(r.threshold) ? [r.threshold] : []));
  const relative = own.filter((r) => "champion" in r);
  const values = [...runs.map((r) => r.metrics![name]!), ...runs.flatMap((r) => (Number.isFinite(r.championMetrics?.[name]) ? [r.championMetrics![name]!] : [])), ...thresholds];
  let lo = Math.min(...values), hi = Math.max(...values);
  if (hi - lo < 1e-9) [lo, hi] = [lo - 0.05, hi + 0.05];
  const pad = (hi - lo) * 0.08;
  [lo, hi] = [lo - pad, hi + pad];
  const x = (i: number) => (runs.length === 1 ? LEFT + (W - LEFT - RIGHT) / 2 : LEFT + (i * (W - LEFT - RIGHT)) / (runs.length - 1));
  const y = (v: number) => TOP + ((hi - v) * (H - TOP - BOTTOM)) / (hi - lo);
  const f = (n: number) => n.toFixed(1);
  const line = (pts: [number, number][]) => trusted(pts.map(([a, b]) => `${f(a)},${f(b)}`).join(" "));
  const challenger = runs.map((r, i): [number, number] => [x(i), y(r.metrics![name]!)]);
  const champion = runs.flatMap((r, i): [number, number][] => (Number.isFinite(r.championMetrics?.[name]) ? [[x(i), y(r.championMetrics![name]!)]] : []));
  const ticks = [lo + pad, (lo + hi) / 2, hi - pad];
  const label = `${name} of ${runs.length} runs, from ${metric(Math.min(...runs.map((r) => r.metrics![name]!)))} to ${metric(Math.max(...runs.map((r) => r.metrics![name]!)))}${thresholds.length ? `; gate threshold ${thresholds.map(metric).join(", ")}` : ""}`;
  return html`<figure>
<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${label}" data-metric="${name}">
${ticks.map((t) => html`<line class="grid" x1="${LEFT}" x2="${W - RIGHT}" y1="${f(y(t))}" y2="${f(y(t))}"/><text x="${LEFT - 6}" y="${f(y(t) + 4)}" text-anchor="end">${metric(t)}</text>`)}
<line class="axis" x1="${LEFT}" x2="${LEFT}" y1="${TOP}" y2="${H - BOTTOM}"/><line class="axis" x1="${LEFT}" x2="${W - RIGHT}" y1="${H - BOTTOM}" y2="${H - BOTTOM}"/>
<text x="${LEFT}" y="${H - 8}">oldest</text><text x="${W - RIGHT}" y="${H - 8}" text-anchor="end">newest</text>
${thresholds.map((t) => html`<line class="threshold" x1="${LEFT}" x2="${W - RIGHT}" y1="${f(y(t))}" y2="${f(y(t))}"><title>gate: ${name} ${own.find((r) => "threshold" in r && r.threshold === t)?.op ?? ">="} ${metric(t)}</title></line>`)}
${champion.length > 1 ? html`<polyline class="champion" points="${line(champion)}"/>` : html``}
${runs.length > 1 ? html`<polyline class="challenger" points="${line(challenger)}"/>` : html``}
${runs.map((r, i) => (Number.isFinite(r.championMetrics?.[name]) ? html`<circle class="champion" cx="${f(x(i))}" cy="${f(y(r.championMetrics![name]!))}" r="4"><title>${r.runId}: serving model ${metric(r.championMetrics![name])}</title></circle>` : html``))}
${runs.map((r, i) => html`<circle class="challenger point" cx="${f(x(i))}" cy="${f(y(r.metrics![name]!))}" r="4" data-run="${r.runId}"><title>${r.runId}: new model ${metric(r.metrics![name])} (${r.result})</title></circle>`)}
</svg>
<figcaption class="legend"><span><span class="key challenger"></span>new model</span><span><span class="key champion"></span>serving model it was compared with</span>${thresholds.length ? html`<span><span class="key threshold"></span>gate threshold</span>` : html``}${relative.map((r) => html`<span>gate: ${name} ${r.op} champion${"champion" in r && r.champion.factor !== 1 ? ` × ${r.champion.factor}` : ""}${"champion" in r && r.champion.offset ? ` ${r.champion.offset < 0 ? "−" : "+"} ${Math.abs(r.champion.offset)}` : ""}</span>`)}</figcaption>
</figure>`;
}
