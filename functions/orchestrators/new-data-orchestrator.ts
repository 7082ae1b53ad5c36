import type * as df from "durable-functions";
import { NEW_DATA_ACTIVITY } from "../activities/names";
import { callActivity } from "./call-activity";
import { MAX_DEBOUNCE_WINDOWS, NEW_DATA_CHECKS_PER_WINDOW, RETRY } from "./policies";

export const NEW_DATA_ORCHESTRATOR = "newDataOrchestrator";

/** Fixed when the first blob of a batch lands (functions/triggers/new-data.ts), from settings. */
export interface NewDataInput {
  readonly endpoint: string;
  /** This watcher's own instance id (the pending state names its owner by it). */
  readonly watcher: string;
  readonly debounceInSeconds: number;
  /** How often a busy endpoint is looked at again. */
  readonly checkIntervalInSeconds: number;
  /** How long the watcher waits for a busy endpoint before it leaves the data to the next arrival. */
  readonly waitLimitInMinutes: number;
  /** Carried over continue-as-new. */
  readonly progress?: WatchProgress;
}

interface WatchProgress {
  readonly checks: number;
  readonly seen: number;
  readonly changedAtMs: number;
  readonly batchAtMs: number;
  readonly giveUpAtMs: number;
  readonly runs: readonly string[];
}

export interface NewDataStatus {
  readonly endpoint: string;
  readonly stage: "debouncing" | "waiting-for-run" | "starting" | "done";
  readonly waiting: number;
  readonly runs: readonly string[];
}

/**
 * Turns blobs landing in an endpoint's data location into runs: a run starts once no blob has
 * landed for a whole debounce window (or after MAX_DEBOUNCE_WINDOWS of a burst that never
 * pauses), on the latest blob; while the endpoint's run instance is busy, whatever lands waits
 * and makes exactly one follow-up run when it ends. The waiting data lives in storage, written by
 * the trigger, so no arrival depends on an event reaching this instance: the watcher only reads
 * it, and ends only when a write under the same concurrency check says nothing is left for it.
 */
export function* newDataOrchestrator(context: df.OrchestrationContext): Generator<df.Task, unknown, unknown> {
  const input = context.df.getInput<NewDataInput>();
  const ref = { endpoint: input.endpoint, watcher: input.watcher };
  const now = () => context.df.currentUtcDateTime.getTime();
  const debounceInMs = input.debounceInSeconds * 1000;
  const waitLimitInMs = input.waitLimitInMinutes * 60_000;
  const p = input.progress;
  let seen = p?.seen ?? -1;
  let changedAtMs = p?.changedAtMs ?? now();
  let batchAtMs = p?.batchAtMs ?? now();
  let giveUpAtMs = p?.giveUpAtMs ?? now() + waitLimitInMs;
  const runs = [...(p?.runs ?? [])];
  const status = (stage: NewDataStatus["stage"], waiting: number) => context.df.setCustomStatus({ endpoint: input.endpoint, stage, waiting, runs } satisfies NewDataStatus);
  const wait = (ms: number) => context.df.createTimer(new Date(now() + Math.max(ms, 1)));

  for (let checks = p?.checks ?? 0; ; checks++) {
    if (checks > 0 && checks % NEW_DATA_CHECKS_PER_WINDOW === 0 && checks !== p?.checks) {
      context.df.continueAsNew({ ...input, progress: { checks, seen, changedAtMs, batchAtMs, giveUpAtMs, runs } } satisfies NewDataInput);
      return undefined;
    }
    const read = yield* callActivity(context, NEW_DATA_ACTIVITY.read, RETRY.record, ref);
    if (read.kind === "failed") {
      // Storage unreachable after the retries: look again later, within the same bound.
      if (now() >= giveUpAtMs) return yield* close(`its endpoint's waiting data could not be read: ${read.reason}`);
      yield wait(input.checkIntervalInSeconds * 1000);
      continue;
    }
    const s = read.value;
    if (s.seq === s.takenSeq) {
      const closed = yield* close();
      if (closed !== undefined) return closed;
      continue;
    }
    if (s.seq !== seen) {
      seen = s.seq;
      changedAtMs = now();
    }
    const quietForMs = now() - changedAtMs;
    if (quietForMs < debounceInMs && now() - batchAtMs < MAX_DEBOUNCE_WINDOWS * debounceInMs) {
      status("debouncing", s.waiting);
      yield wait(Math.min(debounceInMs - quietForMs, batchAtMs + MAX_DEBOUNCE_WINDOWS * debounceInMs - now()));
      continue;
    }
    status("starting", s.waiting);
    const r = yield* callActivity(context, NEW_DATA_ACTIVITY.startRun, RETRY.record, ref);
    if (r.kind === "ok" && r.value.started) {
      runs.push(r.value.runId);
      // What lands from now on is the next batch: its own debounce and its own bound.
      batchAtMs = now();
      giveUpAtMs = now() + waitLimitInMs;
      continue;
    }
    if (r.kind === "ok" && !r.value.started && r.value.nothing) continue;
    if (now() >= giveUpAtMs) {
      const why = r.kind === "failed" ? `the run could not be started: ${r.reason}`
        : `endpoint ${input.endpoint}'s run instance was still ${r.value.started || r.value.nothing ? "busy" : r.value.runtimeStatus} after ${input.waitLimitInMinutes} min`;
      return yield* close(why);
    }
    status("waiting-for-run", s.waiting);
    yield wait(input.checkIntervalInSeconds * 1000);
  }

  /** Ends the watcher when nothing waits for it (or it gives up); undefined when data landed meanwhile. */
  function* close(giveUp?: string): Generator<df.Task, { runs: readonly string[]; gaveUp?: string } | undefined, unknown> {
    const c = yield* callActivity(context, NEW_DATA_ACTIVITY.close, RETRY.record, { ...ref, ...(giveUp ? { giveUp } : {}) });
    if (c.kind === "ok" && !c.value.closed) return undefined;
    status("done", 0);
    const gaveUp = giveUp ?? (c.kind === "failed" ? `it could not release its endpoint's waiting data: ${c.reason}` : undefined);
    return { runs, ...(gaveUp ? { gaveUp } : {}) };
  }
}
