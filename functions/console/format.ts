import { html, type SafeHtml } from "../../shared/console/html";
import { describeModel, type ModelRef } from "../../shared/backends/model-ref";
import type { RunRecordResult } from "../../shared/history/run-record";

/** `2026-12-07 22:10:05 UTC`, in a `<time>` a script could localise; "–" for no or a bad date. */
export function when(iso: string | undefined): SafeHtml {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  if (!Number.isFinite(ms)) return html`–`;
  const text = new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  return html`<time datetime="${new Date(ms).toISOString()}">${text}</time>`;
}

/** `4 m 12 s`, `2 h 5 m`, `0.4 s`. */
export function duration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "–";
  if (seconds < 10) return `${Math.round(seconds * 10) / 10} s`;
  const s = Math.round(seconds);
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  return h ? `${h} h ${m} m` : m ? `${m} m ${r} s` : `${r} s`;
}

export const bytes = (n: number | undefined): string =>
  n === undefined || !Number.isFinite(n) ? "–" : n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : n < 1024 ** 3 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${(n / 1024 ** 3).toFixed(2)} GiB`;

/** A metric as people read it: four significant digits, never "NaN". */
export const metric = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? "–" : String(Number(v.toPrecision(4))));

export const model = (m: ModelRef | undefined): string => (m ? describeModel(m) : "–");

const RESULT_TEXT: Readonly<Record<RunRecordResult, string>> = {
  promoted: "promoted", rejected: "rejected", "dry-run": "dry run", failed: "failed", "rolled-back": "rolled back", skipped: "skipped",
  "data-rejected": "data rejected", running: "running", "awaiting-approval": "awaiting approval", terminated: "cancelled",
};
const RESULT_KIND: Readonly<Record<RunRecordResult, string>> = {
  promoted: "good", rejected: "warn", "dry-run": "quiet", failed: "bad", "rolled-back": "warn", skipped: "quiet",
  "data-rejected": "warn", running: "busy", "awaiting-approval": "ask", terminated: "quiet",
};

/** The result as a badge: its words carry the meaning, the colour only repeats it. */
export const badge = (r: RunRecordResult | undefined): SafeHtml =>
  r ? html`<span class="badge ${RESULT_KIND[r] ?? "quiet"}">${RESULT_TEXT[r] ?? r}</span>` : html`<span class="badge quiet">no runs</span>`;

export const runHref = (runId: string) => `/api/console/runs/${encodeURIComponent(runId)}`;
export const endpointHref = (endpoint: string) => `/api/console/endpoints/${encodeURIComponent(endpoint)}`;
