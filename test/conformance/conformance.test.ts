import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadApp } from "../../local-host/host";
import { invokeOrchestrator } from "../../local-host/durable/invoke";
import { scheduleActions } from "../../local-host/durable/actions";
import { ActionType, EventType, leaves, type Action, type HistoryEvent } from "../../local-host/durable/history";
import type { RecordedEvent, RecordedInstance } from "./task-hub-history";

/**
 * The local engine held against the real one: each history the real Durable Task extension
 * recorded (test/fixtures/real-engine-histories, from `npm run record:histories`) is replayed
 * episode by episode through the local engine's own invocation and scheduling code, and every
 * episode must produce what the real engine recorded: the same actions, with the same EventIds,
 * in the same order, and the same outcome.
 */
const DIR = path.resolve(__dirname, "../fixtures/real-engine-histories");
const sample = JSON.parse(readFileSync(path.resolve(__dirname, "../../local.settings.sample.json"), "utf8")) as { Values: Record<string, string> };
const functions = loadApp({ ...sample.Values, RETRAIN_DATA_ROOT: __dirname });

/** Events a new message brings into an episode; the rest of an episode is what the orchestrator did. */
const INCOMING = new Set<number>([EventType.ExecutionStarted, EventType.TaskCompleted, EventType.TaskFailed, EventType.TimerFired, EventType.EventRaised, EventType.SubOrchestrationInstanceCompleted, EventType.SubOrchestrationInstanceFailed]);
const SCHEDULED = new Set<number>([EventType.TaskScheduled, EventType.TimerCreated, EventType.SubOrchestrationInstanceCreated]);

/** A History-table row as the JS library reads history: numeric type, `Timestamp`. */
function asLibraryEvent(r: RecordedEvent): HistoryEvent {
  const { _Timestamp, EventType: type, ...rest } = r;
  const code = (EventType as Record<string, number>)[String(type)];
  if (code === undefined) throw new Error(`event type ${String(type)} is not one the local engine knows`);
  return { ...rest, EventType: code, EventId: Number(r.EventId), IsPlayed: false, Timestamp: String(_Timestamp) };
}

/** What an episode scheduled, in a form both engines' events reduce to (the real one keeps no activity inputs). */
const scheduledShape = (e: { EventType: number; EventId: number; Name?: unknown; FireAt?: string; InstanceId?: unknown }) => ({
  type: e.EventType, id: e.EventId,
  ...(e.Name !== undefined ? { name: e.Name } : {}),
  ...(e.FireAt !== undefined ? { fireAt: new Date(e.FireAt).toISOString() } : {}),
  ...(e.InstanceId !== undefined ? { instanceId: e.InstanceId } : {}),
});

interface Replayed {
  readonly episodes: number;
  readonly mismatches: string[];
}

async function replay(rec: RecordedInstance): Promise<Replayed> {
  const events = rec.history.map(asLibraryEvent);
  const reg = functions.get(rec.name);
  if (!reg) throw new Error(`no orchestrator ${rec.name} in the app`);
  const starts = events.flatMap((e, i) => (e.EventType === EventType.OrchestratorStarted ? [i] : []));
  const startedEvent = events.find((e) => e.EventType === EventType.ExecutionStarted)!;
  const input = JSON.parse(String(startedEvent.Input)) as unknown;
  const executionId = String((startedEvent as unknown as RecordedEvent).ExecutionId);
  const mismatches: string[] = [];
  let actionsSoFar = 0;
  let nextSequence = 0;
  for (const [k, start] of starts.entries()) {
    const end = starts[k + 1] ?? events.length;
    const episode = events.slice(start + 1, end).filter((e) => e.EventType !== EventType.OrchestratorCompleted);
    const played = events.slice(0, start).map((e) => ({ ...e, IsPlayed: true }));
    const history = [...played, events[start]!, ...episode.filter((e) => INCOMING.has(e.EventType))];
    const answer = await invokeOrchestrator(reg, { history, input, instanceId: rec.instanceId }, () => undefined);
    const where = `${rec.instanceId} episode ${k + 1}/${starts.length}`;
    if (answer.kind === "error") {
      mismatches.push(`${where}: the orchestrator could not run: ${answer.message}`);
      break;
    }
    const actions = (answer.state.actions?.[0] ?? []) as Action[];
    const fresh = actions.slice(actionsSoFar);
    actionsSoFar = actions.length;
    const { scheduled, nextSequence: next } = scheduleActions(fresh, nextSequence, executionId);
    nextSequence = next;
    const local = scheduled.map((x) => scheduledShape(x.event));
    const real = episode.filter((e) => SCHEDULED.has(e.EventType)).map((e) => scheduledShape(e as never));
    if (JSON.stringify(local) !== JSON.stringify(real)) mismatches.push(`${where}: scheduled ${JSON.stringify(local)}, the real engine ${JSON.stringify(real)}`);

    const completed = episode.find((e) => e.EventType === EventType.ExecutionCompleted);
    const continued = answer.state.isDone && leaves(actions).some((a) => a.actionType === ActionType.ContinueAsNew);
    const localOutcome = answer.state.error !== undefined && !answer.state.isDone
      ? { status: "Failed", result: `Orchestrator function '${rec.name}' failed: ${answer.state.error}` }
      : continued ? { status: "ContinuedAsNew" } : answer.state.isDone ? { status: "Completed", result: answer.state.output ?? null } : undefined;
    const realOutcome = completed
      ? completed.OrchestrationStatus === "Completed" ? { status: "Completed", result: JSON.parse(String(completed.Result)) as unknown }
        : completed.OrchestrationStatus === "Failed" ? { status: "Failed", result: completed.Result } : { status: String(completed.OrchestrationStatus) }
      : undefined;
    if (JSON.stringify(localOutcome) !== JSON.stringify(realOutcome)) mismatches.push(`${where}: outcome ${JSON.stringify(localOutcome)}, the real engine ${JSON.stringify(realOutcome)}`);
  }
  return { episodes: starts.length, mismatches };
}

const fixtures = readdirSync(DIR).filter((f) => f.endsWith(".json")).sort();

describe("the local engine replays the real engine's histories to the same actions, ids, order and outcome", () => {
  it("has a recording for every scenario the issue names", () => {
    expect(fixtures.map((f) => f.replace(/\.json$/, ""))).toEqual([
      "approval-approved", "approval-rejected", "approval-timeout", "fan-out", "long-poll", "manual-rollback", "promoted", "rejected", "retries-exhausted", "throttled", "verification-rollback",
    ]);
  });

  it.each(fixtures)("%s", async (file) => {
    const recorded = JSON.parse(readFileSync(path.join(DIR, file), "utf8")) as { instances: RecordedInstance[] };
    const summary: string[] = [];
    for (const rec of recorded.instances) {
      const r = await replay(rec);
      expect(r.mismatches).toEqual([]);
      expect(r.episodes).toBeGreaterThan(0);
      summary.push(`${rec.name} ${r.episodes} episodes/${rec.history.length} events ${rec.status}`);
    }
    console.log(`${file}: ${summary.join("; ")}`);
  });
});
