import type { EvaluationCorruption } from "./evaluation-corruption";

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
  /**
   * Added before a matching call is handled: every matching call, or with `count` only the next
   * `count` (a call that hangs past the client's timeout a few times, then recovers). The call is
   * still handled after the delay even if the client gave up, as a real server would.
   */
  latency?: { ms: number; count?: number; operations?: Operation[] };
  /** The next jobs to run fail with these `Details`, one each. */
  failJobs?: string[];
  /** Jobs that start from now on stay `Running` at least this long; -1 holds them until cancelled. */
  holdRunningMs?: number;
  /**
   * Jobs that start from now on and whose `input1` location contains `inputContains` (e.g. a run id's
   * endpoint prefix) stay `Running` at least `ms`: one slow endpoint among many. Wins over `holdRunningMs`.
   */
  holdRunningWhere?: { ms: number; inputContains: string };
  /**
   * Jobs that start from now on stay `Running` until their status has been asked this many times
   * while running: a very long job whose length is counted in polls, whatever the poller's clock.
   */
  holdRunningPolls?: number;
  /** The next `count` status answers that carry results hand out tokens that have already expired. */
  expiredSas?: { count: number };
  /** The next `count` Update Resource calls fail with this 5xx status, changing nothing. */
  patchFailures?: { count: number; status: number };
  /** The next `count` Update Resource calls answer 2xx but the endpoint keeps its old model. */
  patchIgnored?: { count: number };
  /** The next `count` jobs that finish write this kind of broken Evaluate Model output (output2); other outputs are normal. */
  corruptEvaluation?: { count: number; kind: EvaluationCorruption };
  /** Overrides the SAS lifetime of job results. */
  sasLifetimeInSeconds?: number;
}

const applies = (ops: readonly Operation[] | undefined, op: Operation) => !ops || ops.length === 0 || ops.includes(op);

/** Takes one use of a counted fault; false once it is spent. */
function take(f: { count: number } | undefined): boolean {
  if (!f || f.count <= 0) return false;
  f.count--;
  return true;
}

export class Faults {
  private settings: FaultSettings = {};
  readonly calls: Record<Operation, number> = Object.fromEntries(OPERATIONS.map((o) => [o, 0])) as Record<Operation, number>;
  /**
   * Counted calls whose client closed the connection before the answer was sent (it gave up
   * waiting): the call may still take effect, e.g. a submit whose job then nobody starts.
   */
  readonly abandoned: Record<Operation, number> = Object.fromEntries(OPERATIONS.map((o) => [o, 0])) as Record<Operation, number>;
  /** Delayed calls whose whole body has arrived: from then on the call takes effect even if its client goes. */
  readonly received: Record<Operation, number> = Object.fromEntries(OPERATIONS.map((o) => [o, 0])) as Record<Operation, number>;
  /** Counted calls being handled now (a delayed call still lands after its client gave up). */
  inFlight = 0;

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
    const latencyMs = this.takeLatency(op);
    if (s.reset && applies(s.reset.operations, op) && take(s.reset)) return { latencyMs, reset: true };
    if (s.throttle && applies(s.throttle.operations, op) && take(s.throttle)) {
      return { latencyMs, reset: false, throttleSeconds: s.throttle.retryAfterSeconds };
    }
    return { latencyMs, reset: false };
  }

  private takeLatency(op: Operation): number {
    const l = this.settings.latency;
    if (!l || !applies(l.operations, op)) return 0;
    if (l.count === undefined) return l.ms;
    if (l.count <= 0) return 0;
    l.count--;
    return l.ms;
  }

  takeJobFailure(): string | undefined {
    return this.settings.failJobs?.shift();
  }
  /** @param input1 the starting job's input1 location, for `holdRunningWhere` */
  holdRunningMs(input1 = ""): number {
    const w = this.settings.holdRunningWhere;
    if (w && input1.includes(w.inputContains)) return w.ms;
    return this.settings.holdRunningMs ?? 0;
  }
  holdRunningPolls(): number {
    return this.settings.holdRunningPolls ?? 0;
  }
  takeExpiredSas(): boolean {
    return take(this.settings.expiredSas);
  }
  takePatchFailure(): number | undefined {
    return take(this.settings.patchFailures) ? this.settings.patchFailures!.status : undefined;
  }
  takePatchIgnored(): boolean {
    return take(this.settings.patchIgnored);
  }
  /** Called once per job that finishes: the corruption its evaluation output gets, if any. */
  takeEvaluationCorruption(): EvaluationCorruption | undefined {
    return take(this.settings.corruptEvaluation) ? this.settings.corruptEvaluation!.kind : undefined;
  }
  sasLifetimeInSeconds(fallback: number): number {
    return this.settings.sasLifetimeInSeconds ?? fallback;
  }
}
