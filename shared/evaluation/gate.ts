import { metricNames, type MetricCatalogue, type MetricRange, type Metrics } from "./metrics";

/** An absolute rule (`AUC >= 0.85`) or one against the model serving today (`AUC >= champion - 0.005`). */
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
/** A relative rule's offset: at most half its metric's span (0.5 for AUC-like metrics), else 1. */
export function maxChampionOffset(range: MetricRange): number {
  const { min, max } = range;
  return Number.isFinite(max - min) ? (max - min) / 2 : 1;
}

const NUMBER = "-?\\d+(?:\\.\\d+)?";
const BOUND = new RegExp(`^(?:(${NUMBER})|champion\\s*(?:([+-])\\s*(${NUMBER})|\\*\\s*(${NUMBER}))?)$`, "i");

/** A rule as it appears in an error: long input is not echoed whole. */
const quote = (text: string) => `"${text.length > 80 ? `${text.slice(0, 80)}…` : text}"`;

/**
 * Parses rules separated by `;` or `,`: `AUC>=0.85`, `Average Log Loss<=0.4`,
 * `AUC>=champion-0.005` (may drop by at most 0.005), `AUC>=champion+0.002` (must gain 0.002),
 * `AUC>=champion*1.01` (must gain 1 %). Refused, by name: an empty policy (it would promote
 * anything), a number that is not finite or not in its metric's range, and a rule that would
 * always pass or never pass whatever the model (`AUC>=0`, `AUC<=1`, `AUC>=champion*0`).
 * Metric names and ranges are the catalogue's: each backend reports its own.
 */
export function parseGateRules(text: string, catalogue: MetricCatalogue): GateRule[] {
  const parts = text.split(/[;,]/).map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) throw new GatePolicyError('The gate policy has no rules; at least one (e.g. "AUC>=0.85") is required.');
  if (parts.length > MAX_GATE_RULES) throw new GatePolicyError(`The gate policy has ${parts.length} rules; at most ${MAX_GATE_RULES} are allowed.`);
  return parts.map((p) => parseRule(p, catalogue));
}

function parseRule(p: string, catalogue: MetricCatalogue): GateRule {
  const m = /^(.+?)\s*(>=|<=)\s*(.+)$/.exec(p);
  if (!m) throw new GatePolicyError(`Gate rule ${quote(p)} must look like "AUC>=0.85", "Average Log Loss<=0.4" or "AUC>=champion-0.005".`);
  const metric = m[1]!.trim();
  const range = Object.prototype.hasOwnProperty.call(catalogue.metrics, metric) ? catalogue.metrics[metric] : undefined;
  if (!range) throw new GatePolicyError(`Gate rule ${quote(p)} names an unknown metric ${quote(metric)}; metrics (${catalogue.source}): ${metricNames(catalogue).join(", ")}.`);
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

export function formatGateRule(r: GateRule): string {
  if ("threshold" in r) return `${r.metric}${r.op}${r.threshold}`;
  const { factor, offset } = r.champion;
  const tail = factor !== 1 ? `*${factor}` : offset > 0 ? `+${offset}` : offset < 0 ? `-${-offset}` : "";
  return `${r.metric}${r.op}champion${tail}`;
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
export function evaluateGate(rules: readonly GateRule[], metrics: Metrics, champion?: Metrics): GateDecision {
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
  if (passed && applied === 0) return { passed: false, reasons: [...reasons, "No rule could be applied, so the model does not pass: add an absolute rule (e.g. \"AUC>=0.85\") for runs without a champion."], comparedWithChampion };
  return { passed, reasons, comparedWithChampion };
}

const round = (v: number) => Math.round(v * 10_000) / 10_000;
