import { METRIC_NAMES, type MetricName, type Metrics } from "./evaluation";

/** One absolute rule: e.g. `AUC >= 0.85` or `Average Log Loss <= 0.4`. */
export interface GateRule {
  readonly metric: MetricName;
  readonly op: ">=" | "<=";
  readonly threshold: number;
}

export interface GateDecision {
  readonly passed: boolean;
  /** One plain sentence per rule, passed or failed, in rule order. */
  readonly reasons: readonly string[];
}

export class GatePolicyError extends Error {
  override readonly name = "GatePolicyError";
}

/** Parses `AUC>=0.85; Accuracy >= 0.8` (separated by `;` or `,`). An empty policy is refused: it would promote anything. */
export function parseGateRules(text: string): GateRule[] {
  const parts = text.split(/[;,]/).map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) throw new GatePolicyError("The gate policy has no rules; at least one (e.g. \"AUC>=0.85\") is required.");
  return parts.map((p) => {
    const m = /^(.+?)\s*(>=|<=)\s*(-?\d+(?:\.\d+)?)$/.exec(p);
    if (!m) throw new GatePolicyError(`Gate rule "${p}" must look like "AUC>=0.85" or "Average Log Loss<=0.4".`);
    const metric = m[1]!.trim();
    if (!(METRIC_NAMES as readonly string[]).includes(metric)) {
      throw new GatePolicyError(`Gate rule "${p}" names an unknown metric "${metric}"; metrics: ${METRIC_NAMES.join(", ")}.`);
    }
    return { metric: metric as MetricName, op: m[2] as ">=" | "<=", threshold: Number(m[3]) };
  });
}

export function formatGateRules(rules: readonly GateRule[]): string {
  return rules.map((r) => `${r.metric}${r.op}${r.threshold}`).join("; ");
}

/** Applies every rule (no short-circuit, so the report is complete). Pure: safe in an orchestrator. */
export function evaluateGate(rules: readonly GateRule[], metrics: Metrics): GateDecision {
  const reasons = rules.map((r) => {
    const v = metrics[r.metric];
    const ok = r.op === ">=" ? v >= r.threshold : v <= r.threshold;
    const word = r.op === ">=" ? "at least" : "at most";
    return `${r.metric} is ${round(v)}, ${ok ? "meets" : "fails"} the rule: ${word} ${r.threshold}.`;
  });
  const passed = rules.every((r) => (r.op === ">=" ? metrics[r.metric] >= r.threshold : metrics[r.metric] <= r.threshold));
  return { passed, reasons };
}

const round = (v: number) => Math.round(v * 10_000) / 10_000;
