import { METRIC_NAMES, type MetricName, type Metrics } from "./evaluation";

/** An absolute rule (`AUC >= 0.85`) or one against the model serving today (`AUC >= champion - 0.005`). */
export type GateRule =
  | { readonly metric: MetricName; readonly op: ">=" | "<="; readonly threshold: number }
  | { readonly metric: MetricName; readonly op: ">=" | "<="; readonly champion: { readonly factor: number; readonly offset: number } };

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

const NUMBER = "-?\\d+(?:\\.\\d+)?";
const BOUND = new RegExp(`^(?:(${NUMBER})|champion\\s*(?:([+-])\\s*(${NUMBER})|\\*\\s*(${NUMBER}))?)$`, "i");

/**
 * Parses rules separated by `;` or `,`: `AUC>=0.85`, `Average Log Loss<=0.4`,
 * `AUC>=champion-0.005` (may drop by at most 0.005), `AUC>=champion+0.002` (must gain 0.002),
 * `AUC>=champion*1.01` (must gain 1 %). An empty policy is refused: it would promote anything.
 */
export function parseGateRules(text: string): GateRule[] {
  const parts = text.split(/[;,]/).map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) throw new GatePolicyError('The gate policy has no rules; at least one (e.g. "AUC>=0.85") is required.');
  return parts.map((p) => {
    const m = /^(.+?)\s*(>=|<=)\s*(.+)$/.exec(p);
    if (!m) throw new GatePolicyError(`Gate rule "${p}" must look like "AUC>=0.85", "Average Log Loss<=0.4" or "AUC>=champion-0.005".`);
    const metric = m[1]!.trim();
    if (!(METRIC_NAMES as readonly string[]).includes(metric)) {
      throw new GatePolicyError(`Gate rule "${p}" names an unknown metric "${metric}"; metrics: ${METRIC_NAMES.join(", ")}.`);
    }
    const b = BOUND.exec(m[3]!.trim());
    if (!b) throw new GatePolicyError(`Gate rule "${p}" has a bound "${m[3]!.trim()}" that is neither a number nor "champion", "champion±N" or "champion*N".`);
    const op = m[2] as ">=" | "<=";
    if (b[1] !== undefined) return { metric: metric as MetricName, op, threshold: Number(b[1]) };
    const offset = b[3] !== undefined ? (b[2] === "-" ? -1 : 1) * Number(b[3]) : 0;
    const factor = b[4] !== undefined ? Number(b[4]) : 1;
    return { metric: metric as MetricName, op, champion: { factor, offset } };
  });
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

/**
 * Applies every rule (no short-circuit, so the report is complete). Rules against the champion
 * are skipped, and say so, when there is no champion. Pure: safe in an orchestrator.
 */
export function evaluateGate(rules: readonly GateRule[], metrics: Metrics, champion?: Metrics): GateDecision {
  let passed = true;
  const reasons = rules.map((r) => {
    const v = metrics[r.metric];
    const word = r.op === ">=" ? "at least" : "at most";
    if ("threshold" in r) {
      const ok = r.op === ">=" ? v >= r.threshold : v <= r.threshold;
      passed &&= ok;
      return `${r.metric} is ${round(v)}, ${ok ? "meets" : "fails"} the rule: ${word} ${r.threshold}.`;
    }
    if (!champion) return `${r.metric} rule ${formatGateRule(r)} skipped: there is no champion model to compare with (first run).`;
    const c = champion[r.metric];
    const bound = c * r.champion.factor + r.champion.offset;
    const ok = r.op === ">=" ? v >= bound : v <= bound;
    passed &&= ok;
    return `${r.metric} is ${round(v)} against the champion's ${round(c)}, ${ok ? "meets" : "fails"} the rule: ${word} ${formatGateRule(r).slice(r.metric.length + 2)} = ${round(bound)}.`;
  });
  return { passed, reasons, comparedWithChampion: champion !== undefined };
}

const round = (v: number) => Math.round(v * 10_000) / 10_000;
