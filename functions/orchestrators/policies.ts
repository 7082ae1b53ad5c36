/**
 * How an activity that throws is retried (by `callActivity`, with durable timers): the delay
 * before attempt n+1 is `firstIntervalInMs × backoffCoefficient^(n−1)`, capped at
 * `maxIntervalInMs`; no attempt starts once `maxAttempts` have run or the next one would begin
 * more than `windowInMs` after the first.
 */
export interface RetryPolicy {
  readonly firstIntervalInMs: number;
  readonly maxAttempts: number;
  readonly backoffCoefficient: number;
  readonly maxIntervalInMs: number;
  readonly windowInMs: number;
}

function retry(firstIntervalInMs: number, maxAttempts: number, backoffCoefficient: number, maxIntervalInMs: number, windowInMs: number): RetryPolicy {
  return { firstIntervalInMs, maxAttempts, backoffCoefficient, maxIntervalInMs, windowInMs };
}

/**
 * Named retry policies for activity calls. They cover failures where the same call may succeed
 * later (network, 5xx, storage hiccups); throttling with Retry-After is waited out separately
 * with a durable timer, and failures a retry cannot fix come back as data.
 */
export const RETRY = {
  /** BES and management calls: outages of a few minutes ride through. */
  amlCall: retry(2_000, 6, 2, 60_000, 10 * 60_000),
  /** Staging moves the most bytes; give storage a little longer. */
  staging: retry(5_000, 4, 2, 60_000, 15 * 60_000),
  /** Recording the outcome must not be lost to a blip. */
  record: retry(1_000, 5, 2, 30_000, 5 * 60_000),
} as const;

/**
 * Following a long-running ARM operation (a deployment, a traffic change, a delete): the first
 * poll after the service's Retry-After (or this), then backing off, each wait within the bounds.
 */
export const OPERATION_POLL = { firstIntervalInMs: 5_000, minIntervalInMs: 1_000, maxIntervalInMs: 60_000, backoffFactor: 1.5 } as const;

/** A v2 run started without a rollout policy in its input (settings always give one). */
export const DEFAULT_ROLLOUT = { steps: [10, 50, 100], stepWaitInSeconds: 300, mirrorPercent: 0, operationTimeoutInMinutes: 30, retireAfterHours: 24 } as const;

/** How many Retry-After waits one call may take before the run gives up on it. */
export const MAX_THROTTLE_WAITS = 20;
/** A service asking for more than this is capped: the poll budget matters more than its hint. */
export const MAX_RETRY_AFTER_IN_MS = 10 * 60_000;

/** Live checks after a PATCH, each after the propagation wait, before the run rolls back. */
export const VERIFY_ATTEMPTS = 3;

/**
 * Polls per history window: the poller continues as new after this many, so a week-long job
 * replays at most this many polls per episode (~8 history events each) instead of all of them.
 */
export const POLLS_PER_WINDOW = 25;

/**
 * Share of the expected training time (from the run history) the first poll waits. Below 1 so a
 * job a little faster than usual is still noticed within the normal backoff after it ends.
 */
export const EXPECTED_DURATION_SHARE = 0.8;

/**
 * The scheduled tick reads its runs' status this many times per history window, then continues
 * as new: a long tick replays at most this many checks (~6 history events each).
 */
export const TICK_CHECKS_PER_WINDOW = 50;

/** Added to a run's own bounds (job deadline, approval wait) before the tick stops waiting for it. */
export const TICK_RUN_WAIT_MARGIN_MINUTES = 60;

/** A burst of uploads that never pauses still makes its run after this many debounce windows. */
export const MAX_DEBOUNCE_WINDOWS = 10;

/** A new-data watcher continues as new after this many looks at its endpoint's waiting data. */
export const NEW_DATA_CHECKS_PER_WINDOW = 50;

/** A webhook's retries, in multiples of RETRAIN_WEBHOOK_FIRST_RETRY_SECONDS: 10 s, 1 min, 5 min, 15 min, 1 h by default. */
export const NOTIFY_RETRY_MULTIPLIERS: readonly number[] = [1, 6, 30, 90, 360];
