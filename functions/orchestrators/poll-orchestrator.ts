import type * as df from "durable-functions";
import { ACTIVITY } from "../activities/names";
import type * as C from "../activities/contracts";
import { isEnded, phaseOf, type JobPhase } from "../../shared/backends/job-phase";
import type { PollingPolicy } from "./run-input";
import { callActivity } from "./call-activity";
import { POLLS_PER_WINDOW, RETRY } from "./policies";

export const POLL_ORCHESTRATOR = "pollJobOrchestrator";

export interface PollInput {
  readonly job: C.JobRef;
  readonly polling: PollingPolicy;
  /** Epoch ms after which the job is given up on; fixed by the run, not by each window. */
  readonly deadlineMs: number;
  /** Carried across windows so the backoff and the count continue where they were. */
  readonly intervalInMs: number;
  readonly polls: number;
  /** Before the first poll only: how long the job is expected to take at least (0: poll at once). */
  readonly initialWaitInMs?: number;
  /** When a poll last found the job not yet ended (epoch ms): a lower bound on when it ended. */
  readonly lastPendingAtMs?: number;
}

export type PollResult =
  | { readonly kind: "ended"; readonly phase: JobPhase; readonly state: string; readonly details?: string; readonly polls: number; readonly lastPendingAtMs?: number }
  | { readonly kind: "deadline"; readonly phase: JobPhase; readonly state: string; readonly polls: number }
  | { readonly kind: "failed"; readonly reason: string; readonly polls: number };

/** What the poller shows while it waits (merged into the run's status by the status endpoint). */
export interface PollStatus {
  /** The service's own name for the job's state. */
  readonly jobState: string;
  readonly polls: number;
}

/**
 * Polls one training job with durable timers and capped backoff until it ends or the deadline
 * passes. Every `POLLS_PER_WINDOW` polls it continues as new with its counters, so its history
 * (and the replay cost of each episode) stays bounded however long the job trains.
 */
export function* pollJobOrchestrator(context: df.OrchestrationContext): Generator<df.Task, PollResult | undefined, unknown> {
  const input = context.df.getInput<PollInput>();
  const p = input.polling;
  let intervalInMs = input.intervalInMs;
  let polls = input.polls;
  let lastPendingAtMs = input.lastPendingAtMs;
  if (polls === 0 && (input.initialWaitInMs ?? 0) > 0) {
    yield context.df.createTimer(new Date(Math.min(context.df.currentUtcDateTime.getTime() + input.initialWaitInMs!, input.deadlineMs)));
  }
  for (let inWindow = 0; inWindow < POLLS_PER_WINDOW; inWindow++) {
    const checked = yield* callActivity(context, ACTIVITY.checkJob, RETRY.amlCall, input.job);
    polls++;
    if (checked.kind === "failed") return { kind: "failed", reason: checked.reason, polls };
    const { state, details } = checked.value;
    const phase = phaseOf(checked.value);
    context.df.setCustomStatus({ jobState: state, polls } satisfies PollStatus);
    if (isEnded(phase)) return { kind: "ended", phase, state, ...(details ? { details } : {}), polls, ...(lastPendingAtMs !== undefined ? { lastPendingAtMs } : {}) };
    const now = context.df.currentUtcDateTime.getTime();
    lastPendingAtMs = now;
    if (now >= input.deadlineMs) return { kind: "deadline", phase, state, polls };
    yield context.df.createTimer(new Date(Math.min(now + intervalInMs, input.deadlineMs)));
    intervalInMs = Math.min(intervalInMs * p.backoffFactor, p.maxIntervalInSeconds * 1000);
  }
  context.df.continueAsNew({ ...input, intervalInMs, polls, initialWaitInMs: 0, ...(lastPendingAtMs !== undefined ? { lastPendingAtMs } : {}) } satisfies PollInput);
  return undefined;
}
