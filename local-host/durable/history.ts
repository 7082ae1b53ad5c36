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

/** Delay before retry attempt `attempt + 1`, as DTFx computes it. */
export function retryDelayInMs(r: RetryOptions, attempt: number): number {
  const raw = r.firstRetryIntervalInMilliseconds * Math.pow(r.backoffCoefficient ?? 1, attempt - 1);
  return Math.min(raw, r.maxRetryIntervalInMilliseconds && r.maxRetryIntervalInMilliseconds > 0 ? r.maxRetryIntervalInMilliseconds : raw);
}
