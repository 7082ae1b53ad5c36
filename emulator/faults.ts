/** Every operation the service counts and can inject faults into. */
export const OPERATIONS = [
  "submit", "start", "status", "cancel", "score",
  "listEndpoints", "getEndpoint", "addEndpoint", "deleteEndpoint", "patch",
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Faults set through the admin API, to reproduce what users of the real service hit. */
export interface FaultSettings {
  /** The next `count` matching calls get 503 RequestThrottled with `Retry-After`. */
  throttle?: { count: number; retryAfterSeconds: number; operations?: Operation[] };
  /** The next `count` matching calls have their connection reset before any response. */
  reset?: { count: number; operations?: Operation[] };
  /** Added before every matching call is handled. */
  latency?: { ms: number; operations?: Operation[] };
  /** The next jobs to run fail with these `Details`, one each. */
  failJobs?: string[];
  /** Jobs that start from now on stay `Running` at least this long; -1 holds them until cancelled. */
  holdRunningMs?: number;
  /** The next `count` Update Resource calls fail with this 5xx status, changing nothing. */
  patchFailures?: { count: number; status: number };
  /** The next `count` Update Resource calls answer 2xx but the endpoint keeps its old model. */
  patchIgnored?: { count: number };
  /** Overrides the SAS lifetime of job results. */
  sasLifetimeInSeconds?: number;
}

const applies = (ops: readonly Operation[] | undefined, op: Operation) => !ops || ops.length === 0 || ops.includes(op);

export class Faults {
  private settings: FaultSettings = {};
  readonly calls: Record<Operation, number> = Object.fromEntries(OPERATIONS.map((o) => [o, 0])) as Record<Operation, number>;

  set(next: FaultSettings): void {
    this.settings = { ...this.settings, ...next };
  }
  clear(): void {
    this.settings = {};
  }
  current(): FaultSettings {
    return structuredClone(this.settings);
  }

  /** Decides what happens to one incoming call; counts it first, so tests can assert attempts. */
  onCall(op: Operation): { latencyMs: number; reset: boolean; throttleSeconds?: number } {
    this.calls[op]++;
    const s = this.settings;
    const latencyMs = s.latency && applies(s.latency.operations, op) ? s.latency.ms : 0;
    if (s.reset && s.reset.count > 0 && applies(s.reset.operations, op)) {
      s.reset.count--;
      return { latencyMs, reset: true };
    }
    if (s.throttle && s.throttle.count > 0 && applies(s.throttle.operations, op)) {
      s.throttle.count--;
      return { latencyMs, reset: false, throttleSeconds: s.throttle.retryAfterSeconds };
    }
    return { latencyMs, reset: false };
  }

  takeJobFailure(): string | undefined {
    return this.settings.failJobs?.shift();
  }
  holdRunningMs(): number {
    return this.settings.holdRunningMs ?? 0;
  }
  takePatchFailure(): number | undefined {
    const f = this.settings.patchFailures;
    if (!f || f.count <= 0) return undefined;
    f.count--;
    return f.status;
  }
  takePatchIgnored(): boolean {
    const f = this.settings.patchIgnored;
    if (!f || f.count <= 0) return false;
    f.count--;
    return true;
  }
  sasLifetimeInSeconds(fallback: number): number {
    return this.settings.sasLifetimeInSeconds ?? fallback;
  }
}

/** Validates an admin request body into settings, naming the first thing wrong. */
export function parseFaultSettings(body: unknown): FaultSettings {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new Error("The body must be a JSON object of fault settings.");
  const b = body as Record<string, unknown>;
  const known = ["throttle", "reset", "latency", "failJobs", "holdRunningMs", "patchFailures", "patchIgnored", "sasLifetimeInSeconds"];
  for (const k of Object.keys(b)) if (!known.includes(k)) throw new Error(`Unknown fault "${k}"; known: ${known.join(", ")}.`);
  const int = (v: unknown, name: string, min = 0) => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer ≥ ${min}.`);
    return v;
  };
  const ops = (v: unknown, name: string): Operation[] | undefined => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((o) => OPERATIONS.includes(o as Operation))) {
      throw new Error(`${name} must be a list of operations from: ${OPERATIONS.join(", ")}.`);
    }
    return v as Operation[];
  };
  const obj = (v: unknown, name: string) => {
    if (typeof v !== "object" || v === null) throw new Error(`${name} must be an object.`);
    return v as Record<string, unknown>;
  };
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
    out.latency = { ms: int(l.ms, "latency.ms"), operations: ops(l.operations, "latency.operations") };
  }
  if (b.failJobs !== undefined) {
    if (!Array.isArray(b.failJobs) || !b.failJobs.every((d) => typeof d === "string")) throw new Error("failJobs must be a list of strings.");
    out.failJobs = [...(b.failJobs)];
  }
  if (b.holdRunningMs !== undefined) out.holdRunningMs = int(b.holdRunningMs, "holdRunningMs", -1);
  if (b.patchFailures !== undefined) {
    const p = obj(b.patchFailures, "patchFailures");
    const status = int(p.status ?? 500, "patchFailures.status");
    if (status < 500 || status > 599) throw new Error("patchFailures.status must be a 5xx status.");
    out.patchFailures = { count: int(p.count, "patchFailures.count"), status };
  }
  if (b.patchIgnored !== undefined) out.patchIgnored = { count: int(obj(b.patchIgnored, "patchIgnored").count, "patchIgnored.count") };
  if (b.sasLifetimeInSeconds !== undefined) out.sasLifetimeInSeconds = int(b.sasLifetimeInSeconds, "sasLifetimeInSeconds", 1);
  return out;
}
