/** History event types, numbered as the Durable Task Framework numbers them. */
export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventRaised: 15,
  ContinueAsNew: 16,
} as const;

export interface HistoryEvent {
  readonly EventType: number;
  readonly EventId: number;
  IsPlayed: boolean;
  readonly Timestamp: string;
  readonly [field: string]: unknown;
}

/** Action types as the JS library emits them (out-of-process protocol, schema V2). */
export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  WhenAny: 11,
  WhenAll: 12,
} as const;

export interface RetryOptions {
  readonly firstRetryIntervalInMilliseconds: number;
  readonly maxNumberOfAttempts: number;
  readonly backoffCoefficient?: number;
  readonly maxRetryIntervalInMilliseconds?: number;
  readonly retryTimeoutInMilliseconds?: number;
}

export interface Action {
  readonly actionType: number;
  readonly functionName?: string;
  readonly input?: unknown;
  readonly instanceId?: string;
  readonly fireAt?: string | Date;
  readonly externalEventName?: string;
  readonly retryOptions?: RetryOptions;
  readonly compoundActions?: readonly Action[];
}

/** What non-determinism is checked on: the kind of each action and what it calls. */
export function signature(a: Action): string {
  if (a.compoundActions) return `${a.actionType}[${a.compoundActions.map(signature).join(",")}]`;
  const target = a.functionName ?? a.externalEventName ?? "";
  return target ? `${a.actionType}:${target}` : String(a.actionType);
}

/** Leaf actions in the order the library gives them sequence numbers. */
export function leaves(actions: readonly Action[]): Action[] {
  return actions.flatMap((a) => (a.compoundActions ? leaves(a.compoundActions) : [a]));
}

/** The extension's RetryOptions.MaxRetryInterval when the library sends none (RetryOptions.cs). */
const DEFAULT_MAX_RETRY_INTERVAL_IN_MS = 6 * 24 * 3_600_000;

/**
 * What DTFx's RetryInterceptor (DurableTask.Core/RetryInterceptor.cs) does after attempt
 * `failedAttempt` fails, in the episode starting at `nowMs`:
 * - after the last attempt, a timer due at once ("Dummy timer for back-compat"), then the failure;
 * - once `retryTimeout` has passed since `firstAttemptMs`, or when the delay comes to zero (a max
 *   interval of 0), nothing: no timer and no attempt, so durable-functions never settles the task;
 * - otherwise a timer after first × coefficient^(attempt−1), capped by the max interval.
 */
export function nextRetry(r: RetryOptions, failedAttempt: number, firstAttemptMs: number, nowMs: number): { readonly kind: "timer"; readonly delayInMs: number } | { readonly kind: "none" } {
  if (failedAttempt >= r.maxNumberOfAttempts) return { kind: "timer", delayInMs: 0 };
  const expiresAt = r.retryTimeoutInMilliseconds !== undefined ? firstAttemptMs + r.retryTimeoutInMilliseconds : Infinity;
  if (!(nowMs < expiresAt)) return { kind: "none" };
  const raw = r.firstRetryIntervalInMilliseconds * Math.pow(r.backoffCoefficient ?? 1, failedAttempt - 1);
  const cap = r.maxRetryIntervalInMilliseconds ?? DEFAULT_MAX_RETRY_INTERVAL_IN_MS;
  const delayInMs = raw < cap ? raw : cap;
  return delayInMs > 0 ? { kind: "timer", delayInMs } : { kind: "none" };
}
