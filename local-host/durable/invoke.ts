import { randomUUID } from "node:crypto";
import { InvocationContext } from "@azure/functions";
import { triggerOf, type Registration } from "../registry";
import type { HistoryEvent } from "./history";

/** What the JS library answers an orchestration trigger with (out-of-process protocol). */
export interface OrchestratorState {
  isDone: boolean;
  actions?: unknown[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
}

export type OrchestratorAnswer = { kind: "ok"; state: OrchestratorState } | { kind: "error"; message: string };

const OUT_OF_PROC = "$OutOfProcData$:";

/**
 * One orchestrator invocation as the extension makes it: the history so far (played events
 * marked), the input, the instance; the answer comes back as the Node worker sends it, as JSON.
 * A thrown orchestrator carries its state after `$OutOfProcData$:`. Used by the local engine for
 * every episode, and by the conformance test to replay the real engine's recorded histories.
 */
export async function invokeOrchestrator(
  reg: Registration,
  t: { readonly history: readonly HistoryEvent[]; readonly input: unknown; readonly instanceId: string; readonly parentInstanceId?: string },
  log: (line: string) => void,
): Promise<OrchestratorAnswer> {
  const context = new InvocationContext({
    invocationId: randomUUID(), functionName: reg.name, options: { trigger: triggerOf(reg) },
    logHandler: (level, ...args) => log(`[${reg.name}] ${level}: ${args.map(String).join(" ")}`),
  });
  const trigger = {
    history: t.history, input: t.input, instanceId: t.instanceId, isReplaying: false,
    parentInstanceId: t.parentInstanceId, upperSchemaVersion: 1, upperSchemaVersionNew: 2,
    longRunningTimerIntervalDuration: "3.00:00:00", maximumShortTimerDuration: "6.00:00:00", defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
  };
  try {
    // The Node worker hands the host the orchestrator's answer as JSON: Dates become text,
    // undefined fields vanish, Maps become {} in activity inputs, statuses and outputs alike.
    return { kind: "ok", state: JSON.parse(JSON.stringify((await reg.handler(trigger, context)) ?? null)) as OrchestratorState };
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    const at = message.indexOf(OUT_OF_PROC);
    if (at < 0) return { kind: "error", message };
    const state = JSON.parse(message.slice(at + OUT_OF_PROC.length)) as OrchestratorState;
    return { kind: "ok", state: { ...state, isDone: false, error: state.error ?? message.slice(0, at) } };
  }
}
