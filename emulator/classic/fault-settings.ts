import { OPERATIONS, type FaultSettings, type Operation } from "./faults";
import { EVALUATION_CORRUPTIONS, type EvaluationCorruption } from "./evaluation-corruption";

/** The fault names the admin API accepts, each with the settings it takes. */
const FAULTS: Readonly<Record<keyof FaultSettings, readonly string[] | undefined>> = {
  throttle: ["count", "retryAfterSeconds", "operations"],
  reset: ["count", "operations"],
  latency: ["ms", "count", "operations"],
  failJobs: undefined,
  holdRunningMs: undefined,
  holdRunningWhere: ["ms", "inputContains"],
  holdRunningPolls: undefined,
  expiredSas: ["count"],
  patchFailures: ["count", "status"],
  patchIgnored: ["count"],
  corruptEvaluation: ["count", "kind"],
  sasLifetimeInSeconds: undefined,
};

/** Node fires longer timers at once (with a warning), which would turn a long latency into none. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const shown = (v: unknown) => (v === undefined ? "nothing" : JSON.stringify(v));

function int(v: unknown, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new Error(`${name} must be an integer ≥ ${min}${max < Number.MAX_SAFE_INTEGER ? ` and ≤ ${max}` : ""}, got ${shown(v)}.`);
  }
  return v;
}

function ops(v: unknown, name: string): Operation[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((o) => OPERATIONS.includes(o as Operation))) {
    throw new Error(`${name} must be a list of operations from: ${OPERATIONS.join(", ")}; got ${shown(v)}.`);
  }
  return v as Operation[];
}

/** A fault's settings object; a misspelt setting is refused rather than silently ignored. */
function obj(v: unknown, name: keyof FaultSettings): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`${name} must be an object, got ${shown(v)}.`);
  const known = FAULTS[name] ?? [];
  for (const k of Object.keys(v)) if (!known.includes(k)) throw new Error(`Unknown setting "${name}.${k}"; ${name} takes: ${known.join(", ")}.`);
  return v as Record<string, unknown>;
}

/** Validates an admin request body into settings, naming the first thing wrong. */
export function parseFaultSettings(body: unknown): FaultSettings {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new Error("The body must be a JSON object of fault settings.");
  const b = body as Record<string, unknown>;
  const known = Object.keys(FAULTS);
  for (const k of Object.keys(b)) if (!known.includes(k)) throw new Error(`Unknown fault "${k}"; known: ${known.join(", ")}.`);
  const out: FaultSettings = {};
  if (b.throttle !== undefined) {
    const t = obj(b.throttle, "throttle");
    out.throttle = { count: int(t.count, "throttle.count"), retryAfterSeconds: int(t.retryAfterSeconds ?? 1, "throttle.retryAfterSeconds"), operations: ops(t.operations, "throttle.operations") };
  }
  if (b.reset !== undefined) {
    const r = obj(b.reset, "reset");
    out.reset = { count: int(r.count, "reset.count"), operations: ops(r.operations, "reset.operations") };
  }
  if (b.latency !== undefined) {
    const l = obj(b.latency, "latency");
    out.latency = { ms: int(l.ms, "latency.ms", 0, MAX_TIMER_MS), operations: ops(l.operations, "latency.operations") };
    if (l.count !== undefined) out.latency.count = int(l.count, "latency.count", 1);
  }
  if (b.failJobs !== undefined) {
    if (!Array.isArray(b.failJobs) || !b.failJobs.every((d) => typeof d === "string")) throw new Error(`failJobs must be a list of strings, got ${shown(b.failJobs)}.`);
    out.failJobs = [...b.failJobs];
  }
  if (b.holdRunningMs !== undefined) out.holdRunningMs = int(b.holdRunningMs, "holdRunningMs", -1);
  if (b.holdRunningWhere !== undefined) {
    const h = obj(b.holdRunningWhere, "holdRunningWhere");
    if (typeof h.inputContains !== "string" || h.inputContains === "") throw new Error(`holdRunningWhere.inputContains must be a non-empty string, got ${shown(h.inputContains)}.`);
    out.holdRunningWhere = { ms: int(h.ms, "holdRunningWhere.ms", -1), inputContains: h.inputContains };
  }
  if (b.holdRunningPolls !== undefined) out.holdRunningPolls = int(b.holdRunningPolls, "holdRunningPolls", 0);
  if (b.expiredSas !== undefined) out.expiredSas = { count: int(obj(b.expiredSas, "expiredSas").count, "expiredSas.count", 1) };
  if (b.patchFailures !== undefined) {
    const p = obj(b.patchFailures, "patchFailures");
    const status = int(p.status ?? 500, "patchFailures.status");
    if (status < 500 || status > 599) throw new Error(`patchFailures.status must be a 5xx status, got ${status}.`);
    out.patchFailures = { count: int(p.count, "patchFailures.count"), status };
  }
  if (b.patchIgnored !== undefined) out.patchIgnored = { count: int(obj(b.patchIgnored, "patchIgnored").count, "patchIgnored.count") };
  if (b.corruptEvaluation !== undefined) {
    const c = obj(b.corruptEvaluation, "corruptEvaluation");
    if (!EVALUATION_CORRUPTIONS.includes(c.kind as EvaluationCorruption)) {
      throw new Error(`corruptEvaluation.kind must be one of: ${EVALUATION_CORRUPTIONS.join(", ")}; got ${shown(c.kind)}.`);
    }
    out.corruptEvaluation = { count: int(c.count, "corruptEvaluation.count", 1), kind: c.kind as EvaluationCorruption };
  }
  if (b.sasLifetimeInSeconds !== undefined) out.sasLifetimeInSeconds = int(b.sasLifetimeInSeconds, "sasLifetimeInSeconds", 1);
  return out;
}
