import { z } from "zod";

/** Faults the v2 service can be told to inject (POST /admin/faults), each used up as it fires. */
export interface AzureMlFaultSettings {
  /** The next N ARM or MLflow calls answer 429 with Retry-After. */
  readonly throttle?: { readonly count: number; readonly retryAfterSeconds: number };
  /** The next N ARM or MLflow calls have their connection reset. */
  readonly resets?: number;
  /** The next job fails with this reason. */
  readonly failNextJob?: string;
  /** The next deployment's provisioning fails with this reason. */
  readonly failNextDeployment?: string;
  /** The next deployment provisions but serves this many percentage points off (a wrong model). */
  readonly wrongModelNextDeployment?: boolean;
  /** The next job stays Running this long before it trains (-1: until it is cancelled). */
  readonly holdNextJobMs?: number;
}

const count = z.number().int().min(0).max(1_000);
/** The admin body, checked: a test's typo is a 400 that names it, not a silently ignored fault. */
export const faultSettingsSchema = z.object({
  throttle: z.object({ count, retryAfterSeconds: z.number().int().min(0).max(3_600) }).strict().optional(),
  resets: count.optional(),
  failNextJob: z.string().min(1).max(500).optional(),
  failNextDeployment: z.string().min(1).max(500).optional(),
  wrongModelNextDeployment: z.boolean().optional(),
  holdNextJobMs: z.number().int().min(-1).max(3_600_000).optional(),
}).strict();

export class AzureMlFaults {
  throttles = 0;
  retryAfterSeconds = 1;
  resets = 0;
  private jobFailure: string | undefined;
  private deploymentFailure: string | undefined;
  private wrongModel = false;
  private jobHold: number | undefined;
  /** Calls answered per operation, for tests and benchmarks. */
  readonly calls = new Map<string, number>();

  set(s: AzureMlFaultSettings): void {
    if (s.throttle) [this.throttles, this.retryAfterSeconds] = [s.throttle.count, s.throttle.retryAfterSeconds];
    if (s.resets !== undefined) this.resets = s.resets;
    if (s.failNextJob !== undefined) this.jobFailure = s.failNextJob;
    if (s.failNextDeployment !== undefined) this.deploymentFailure = s.failNextDeployment;
    if (s.wrongModelNextDeployment !== undefined) this.wrongModel = s.wrongModelNextDeployment;
    if (s.holdNextJobMs !== undefined) this.jobHold = s.holdNextJobMs;
  }

  takeJobHold(): number | undefined {
    const h = this.jobHold;
    this.jobHold = undefined;
    return h;
  }

  count(operation: string): void {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
  }

  takeJobFailure(): string | undefined {
    const f = this.jobFailure;
    this.jobFailure = undefined;
    return f;
  }

  takeDeploymentFailure(): string | undefined {
    const f = this.deploymentFailure;
    this.deploymentFailure = undefined;
    return f;
  }

  takeWrongModel(): boolean {
    const f = this.wrongModel;
    this.wrongModel = false;
    return f;
  }
}
