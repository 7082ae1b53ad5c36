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
}

const count = z.number().int().min(0).max(1_000);
/** The admin body, checked: a test's typo is a 400 that names it, not a silently ignored fault. */
export const faultSettingsSchema = z.object({
  throttle: z.object({ count, retryAfterSeconds: z.number().int().min(0).max(3_600) }).strict().optional(),
  resets: count.optional(),
  failNextJob: z.string().min(1).max(500).optional(),
  failNextDeployment: z.string().min(1).max(500).optional(),
  wrongModelNextDeployment: z.boolean().optional(),
}).strict();

export class AzureMlFaults {
  throttles = 0;
  retryAfterSeconds = 1;
  resets = 0;
  private jobFailure: string | undefined;
  private deploymentFailure: string | undefined;
  private wrongModel = false;
  /** Calls answered per operation, for tests and benchmarks. */
  readonly calls = new Map<string, number>();

  set(s: AzureMlFaultSettings): void {
    if (s.throttle) [this.throttles, this.retryAfterSeconds] = [s.throttle.count, s.throttle.retryAfterSeconds];
    if (s.resets !== undefined) this.resets = s.resets;
    if (s.failNextJob !== undefined) this.jobFailure = s.failNextJob;
    if (s.failNextDeployment !== undefined) this.deploymentFailure = s.failNextDeployment;
    if (s.wrongModelNextDeployment !== undefined) this.wrongModel = s.wrongModelNextDeployment;
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
