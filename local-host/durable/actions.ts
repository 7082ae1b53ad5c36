import { ActionType, EventType, leaves, type Action } from "./history";
import type { PendingWork } from "./instance";

/** The history event an action becomes when it is scheduled (without its timestamp). */
export interface ScheduledEvent {
  readonly EventType: number;
  readonly EventId: number;
  readonly Name?: string;
  readonly Input?: string;
  readonly InstanceId?: string;
  readonly FireAt?: string;
}

/**
 * An episode's new actions as the extension schedules them: leaves in the library's order, each
 * given the next sequence number as its EventId; a sub-orchestration without an id gets
 * `{executionId}:{sequence}` (DTFx's TaskOrchestrationContext.CreateSubOrchestrationInstanceCore).
 * Pure, so the conformance test can hold it against the real engine's recorded histories
 * (test/conformance).
 */
export function scheduleActions(fresh: readonly Action[], firstSequence: number, executionId: string): { scheduled: { event: ScheduledEvent; work: PendingWork }[]; nextSequence: number } {
  let seq = firstSequence;
  const scheduled: { event: ScheduledEvent; work: PendingWork }[] = [];
  for (const a of leaves(fresh)) {
    switch (a.actionType) {
      case ActionType.CallActivity:
      case ActionType.CallActivityWithRetry: {
        const id = seq++;
        const retry = a.actionType === ActionType.CallActivityWithRetry && a.retryOptions ? { retry: a.retryOptions } : {};
        scheduled.push({ event: { EventType: EventType.TaskScheduled, EventId: id, Name: a.functionName!, Input: JSON.stringify(a.input ?? null) }, work: { kind: "activity", id, name: a.functionName!, input: a.input, attempt: 1, ...retry } });
        break;
      }
      case ActionType.CallSubOrchestrator:
      case ActionType.CallSubOrchestratorWithRetry: {
        const id = seq++;
        const childId = a.instanceId || `${executionId}:${id}`;
        const retry = a.actionType === ActionType.CallSubOrchestratorWithRetry && a.retryOptions ? { retry: a.retryOptions } : {};
        scheduled.push({ event: { EventType: EventType.SubOrchestrationInstanceCreated, EventId: id, Name: a.functionName!, InstanceId: childId }, work: { kind: "sub", id, name: a.functionName!, instanceId: childId, ...(a.instanceId ? { requestedInstanceId: a.instanceId } : {}), input: a.input, attempt: 1, ...retry } });
        break;
      }
      case ActionType.CreateTimer: {
        const id = seq++;
        const fireAt = new Date(a.fireAt!).toISOString();
        scheduled.push({ event: { EventType: EventType.TimerCreated, EventId: id, FireAt: fireAt }, work: { kind: "timer", id, fireAt } });
        break;
      }
      default:
        break; // external events wait for raiseEvent; continue-as-new is handled when done
    }
  }
  return { scheduled, nextSequence: seq };
}
