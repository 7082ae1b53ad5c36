import { metricNames, type MetricCatalogue, type MetricRange, type Metrics } from "./metrics";
import { canonicalMetricName, canonicalMetrics, lookupMetric, rangeOf, type MetricName } from "./vocabulary";

/**
 * An absolute rule (`auc >= 0.85`) or one against the model serving today (`auc >= champion - 0.005`).
 * `metric` is a canonical name in rules parsed today; runs started before the vocabulary carry the
 * backend's own (`AUC`), which the gate and the formatting read as their canonical name.
 */
export type GateRule =
  | { readonly metric: string; readonly op: ">=" | "<="; readonly threshold: number }
  | { readonly metric: string; readonly op: ">=" | "<="; readonly champion: { readonly factor: number; readonly offset: number } };

export interface GateDecision {
  readonly passed: boolean;
  /** One plain sentence per rule, passed, failed or skipped, in rule order. */
  readonly reasons: readonly string[];
  /** Whether relative rules could be applied (false on a first run: no champion to compare with). */
  readonly comparedWithChampion: boolean;
}

export class GatePolicyError extends Error {
  override readonly name = "GatePolicyError";
}

/** A policy is a handful of rules; more is a mistake or an attack on whoever reads the report. */
export const MAX_GATE_RULES = 16;
/** Longest number a bound may be written with: more digits than a double holds mean nothing. */
const MAX_NUMBER_CHARS = 24;
/**
 * A relative rule's factor: outside [0.5, 2] "champion*f" no longer compares with the champion
 * (×0 passes everything, ×10 nothing).
 */
export const CHAMPION_FACTOR_RANGE = { min: 0.5, max: 2 } as const;
/** A relative rule's offset: at most half its metric's span (0.5 for auc-like metrics), else 1. */
export function maxChampionOffset(range: MetricRange): number {
  const { min, max } = range;
  return Number.isFinite(max - min) ? (max - min) / 2 : 1;
}

const NUMBER = "-?\\d+(?:\\.\\d+)?";
const BOUND = new RegExp(`^(?:(${NUMBER})|champion\\s*(?:([+-])\\s*(${NUMBER})|\\*\\s*(${NUMBER}))?)$`, "i");

/** A rule as it appears in an error: long input is not echoed whole. */
const quote = (text: string) => `"${text.length > 80 ? `${text.slice(0, 80)}…` : text}"`;

/**
 * Parses rules separated by `;` or `,`: `auc>=0.85`, `log_loss<=0.4`,
 * `auc>=champion-0.005` (may drop by at most 0.005), `auc>=champion+0.002` (must gain 0.002),
 * `auc>=champion*1.01` (must gain 1 %). Refused, by name: an empty policy (it would promote
 * anything), a number that is not finite or not in its metric's range, and a rule that would
 * always pass or never pass whatever the model (`auc>=0`, `auc<=1`, `auc>=champion*0`).
 * A metric may be named by its canonical name or an alias in any case (`AUC`, `Average Log Loss`,
 * `F1`); the rule holds the canonical name. The catalogue says which metrics the endpoint's
 * backend reports: naming another is refused.
 */
export function parseGateRules(text: string, catalogue: MetricCatalogue): GateRule[] {
  const parts = text.split(/[;,]/).map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) throw new GatePolicyError('The gate policy has no rules; at least one (e.g. "auc>=0.85") is required.');
  if (parts.length > MAX_GATE_RULES) throw new GatePolicyError(`The gate policy has ${parts.length} rules; at most ${MAX_GATE_RULES} are allowed.`);
  return parts.map((p) => parseRule(p, catalogue));
}

function parseRule(p: string, catalogue: MetricCatalogue): GateRule {
  const m = /^(.+?)\s*(>=|<=)\s*(.+)$/.exec(p);
  if (!m) throw new GatePolicyError(`Gate rule ${quote(p)} must look like "auc>=0.85", "log_loss<=0.4" or "auc>=champion-0.005".`);
  const metric = metricOf(p, m[1]!.trim(), catalogue);
  const range = rangeOf(metric);
  const bound = m[3]!.trim();
  const b = BOUND.exec(bound);
  if (!b) throw new GatePolicyError(`Gate rule ${quote(p)} has a bound ${quote(bound)} that is neither a number nor "champion", "champion±N" or "champion*N".`);
  const numbers = [b[1], b[3], b[4]].filter((x): x is string => x !== undefined);
  if (numbers.some((n) => n.length > MAX_NUMBER_CHARS)) throw new GatePolicyError(`Gate rule ${quote(p)} has a number longer than ${MAX_NUMBER_CHARS} characters.`);
  const rule: GateRule = b[1] !== undefined
    ? { metric, op: m[2] as ">=" | "<=", threshold: Number(b[1]) }
    : { metric, op: m[2] as ">=" | "<=", champion: { factor: b[4] !== undefined ? Number(b[4]) : 1, offset: b[3] !== undefined ? (b[2] === "-" ? -1 : 1) * Number(b[3]) : 0 } };
  const problem = meaningless(rule, range);
  if (problem) throw new GatePolicyError(`Gate rule ${quote(p)} ${problem}.`);
  return rule;
}

/** The canonical name a rule's metric text stands for, if the endpoint's backend reports it. */
function metricOf(rule: string, text: string, catalogue: MetricCatalogue): MetricName {
  const known = `metrics (${catalogue.source}): ${metricNames(catalogue).join(", ")}`;
  const l = lookupMetric(text);
  if (l.kind === "ambiguous") throw new GatePolicyError(`Gate rule ${quote(rule)} names ${quote(text)}, which could be ${l.candidates.join(" or ")}: name one; ${known}.`);
  if (l.kind === "unknown") throw new GatePolicyError(`Gate rule ${quote(rule)} names an unknown metric ${quote(text)}; ${known} (in any case; Evaluate Model's column names, F1 and roc_auc are accepted too).`);
  if (!metricNames(catalogue).includes(l.name)) throw new GatePolicyError(`Gate rule ${quote(rule)} names ${l.name}, which ${catalogue.source} does not report; ${known}.`);
  return l.name;
}

/** Why a rule cannot tell a good model from a bad one, or undefined when it can. */
function meaningless(r: GateRule, range: MetricRange): string | undefined {
  if ("threshold" in r) {
    if (!Number.isFinite(r.threshold)) return "has a threshold that is not a finite number";
    if (r.threshold < range.min || r.threshold > range.max) {
      return `would ${(r.op === ">=") === r.threshold > range.max ? "never" : "always"} pass: ${r.metric} is ${range.text}`;
    }
    if ((r.op === ">=" && r.threshold <= range.min) || (r.op === "<=" && r.threshold >= range.max)) return `would always pass: ${r.metric} is ${range.text}`;
    return undefined;
  }
  const { factor, offset } = r.champion;
  if (!Number.isFinite(factor) || factor < CHAMPION_FACTOR_RANGE.min || factor > CHAMPION_FACTOR_RANGE.max) {
    return `multiplies the champion by ${factor}; the factor must be between ${CHAMPION_FACTOR_RANGE.min} and ${CHAMPION_FACTOR_RANGE.max}`;
  }
  const most = maxChampionOffset(range);
  if (!Number.isFinite(offset) || Math.abs(offset) > most) return `moves the champion's ${r.metric} by ${offset}; at most ${most} either way is allowed`;
  return undefined;
}

/** A rule as text, under its metric's canonical name. Pure: the orchestrator formats its input's rules. */
export function formatGateRule(r: GateRule): string {
  const metric = nameOf(r);
  if ("threshold" in r) return `${metric}${r.op}${r.threshold}`;
  const { factor, offset } = r.champion;
  const tail = factor !== 1 ? `*${factor}` : offset > 0 ? `+${offset}` : offset < 0 ? `-${-offset}` : "";
  return `${metric}${r.op}champion${tail}`;
}

/** The rule's metric under its canonical name; a name the vocabulary does not know stays as written. */
const nameOf = (r: GateRule): string => (typeof r.metric === "string" ? (canonicalMetricName(r.metric) ?? r.metric) : r.metric);

/**
 * Rules stored as text before the vocabulary (`AUC>=0.9; Average Log Loss<=champion`), with each
 * metric under its canonical name; anything not shaped like a rule is left as it was.
 */
export function canonicalGateText(text: string): string {
  return text.split(";").map((part) => {
    const m = /^(\s*)(.+?)(\s*(?:>=|<=).*)$/s.exec(part);
    const name = m ? canonicalMetricName(m[2]!) : undefined;
    return m && name ? `${m[1]!}${name}${m[3]!}` : part;
  }).join(";");
}

export function formatGateRules(rules: readonly GateRule[]): string {
  return rules.map(formatGateRule).join("; ");
}

const isFiniteNumber = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

/**
 * Why a rule that reached the gate cannot be applied (rules cross JSON on their way here, where
 * an overflowed number becomes null), or undefined when it can.
 */
function unusable(r: GateRule): string | undefined {
  if (typeof r.metric !== "string" || r.metric === "") return "it names no metric";
  if (r.op !== ">=" && r.op !== "<=") return "its comparison is neither >= nor <=";
  if ("threshold" in r) return isFiniteNumber(r.threshold) ? undefined : "its threshold is not a finite number";
  return isFiniteNumber(r.champion.factor) && isFiniteNumber(r.champion.offset) ? undefined : "its champion factor or offset is not a finite number";
}

/**
 * Applies every rule (no short-circuit, so the report is complete). Rules against the champion
 * are skipped, and say so, when there is no champion. Fails closed: no rules, no rule applied,
 * a malformed rule, or a non-finite number anywhere in the arithmetic fails the gate, never
 * passes it. Pure: safe in an orchestrator.
 */
export function evaluateGate(given: readonly GateRule[], reported: Metrics, reportedChampion?: Metrics): GateDecision {
  // Rules and metrics from before the vocabulary (`AUC`) are read under canonical names, so a run
  // started then decides as it would have; the reasons name the canonical metric.
  const rules = given.map((r) => (typeof r.metric === "string" ? { ...r, metric: nameOf(r) } : r));
  const metrics = canonicalMetrics(reported);
  const champion = reportedChampion && canonicalMetrics(reportedChampion);
  const comparedWithChampion = champion !== undefined;
  if (rules.length === 0) return { passed: false, reasons: ["The gate has no rules, so no model can pass it."], comparedWithChampion };
  let passed = true;
  let applied = 0;
  const fail = (reason: string) => ((passed = false), reason);
  const reasons = rules.map((r) => {
    const bad = unusable(r);
    if (bad) return fail(`Gate rule ${formatGateRule(r)} cannot be applied (${bad}), so it fails.`);
    if (!Object.prototype.hasOwnProperty.call(metrics, r.metric)) return fail(`The evaluation reports no ${r.metric}, so the rule ${formatGateRule(r)} fails.`);
    const v = metrics[r.metric];
    if (!isFiniteNumber(v)) return fail(`${r.metric} is ${String(v)}, not a finite number, so the rule ${formatGateRule(r)} fails.`);
    const word = r.op === ">=" ? "at least" : "at most";
    if ("threshold" in r) {
      applied++;
      const ok = r.op === ">=" ? v >= r.threshold : v <= r.threshold;
      passed &&= ok;
      return `${r.metric} is ${round(v)}, ${ok ? "meets" : "fails"} the rule: ${word} ${r.threshold}.`;
    }
    if (!champion) return `${r.metric} rule ${formatGateRule(r)} skipped: there is no champion model to compare with (first run).`;
    const c = Object.prototype.hasOwnProperty.call(champion, r.metric) ? champion[r.metric] : undefined;
    const bound = isFiniteNumber(c) ? c * r.champion.factor + r.champion.offset : Number.NaN;
    if (!isFiniteNumber(c) || !isFiniteNumber(bound)) return fail(`The champion's ${r.metric} is ${String(c)}, not a finite number, so the rule ${formatGateRule(r)} fails.`);
    applied++;
    const ok = r.op === ">=" ? v >= bound : v <= bound;
    passed &&= ok;
    return `${r.metric} is ${round(v)} against the champion's ${round(c)}, ${ok ? "meets" : "fails"} the rule: ${word} ${formatGateRule(r).slice(r.metric.length + 2)} = ${round(bound)}.`;
  });
  if (passed && applied === 0) return { passed: false, reasons: [...reasons, "No rule could be applied, so the model does not pass: add an absolute rule (e.g. \"auc>=0.85\") for runs without a champion."], comparedWithChampion };
  return { passed, reasons, comparedWithChampion };
}

const round = (v: number) => Math.round(v * 10_000) / 10_000;
