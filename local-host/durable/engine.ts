import { randomUUID } from "node:crypto";
import { ActionType, EventType, leaves, nextRetry, signature, type Action, type HistoryEvent } from "./history";
import { scheduleActions } from "./actions";
import { invokeOrchestrator, type OrchestratorAnswer } from "./invoke";
import { TERMINAL, type InstanceState, type PendingWork, type RuntimeStatus } from "./instance";
import type { StateStore } from "./store";
import type { Clock } from "./clock";
import { HostStoppedError, Persister, type SaveRetryPolicy } from "./persister";
import { triggerOf, type Registration } from "../registry";
import { invocationContext } from "../front";

type InboxEvent = InstanceState["inbox"][number];

export interface EngineOptions {
  readonly store: StateStore;
  readonly clock: Clock;
  readonly functions: ReadonlyMap<string, Registration>;
  readonly log: (line: string) => void;
  readonly maxConcurrentActivities?: number;
  /** Told of every episode and activity, for benchmarks; never changes what the engine does. */
  readonly observer?: EngineObserver;
  /** Backoff for saves during a storage outage (default 100 ms doubling to 5 s). */
  readonly saveRetry?: SaveRetryPolicy;
  /** How long start may wait for storage before it gives up (default 30 s). */
  readonly storageStartTimeoutInMs?: number;
  /** What an activity's durableClient input receives, as the extension binds it to any function. */
  readonly clientBindingData?: () => unknown;
}

/** What a benchmark can watch: episodes (replay size, orchestrator time) and activity spans. */
export interface EngineObserver {
  /** `historyEvents` is what the orchestrator replayed; `ms` the real time its invocation took. */
  episode?(instanceId: string, name: string, historyEvents: number, ms: number): void;
  /** Start and end on the host's clock (virtual time). */
  activity?(instanceId: string, name: string, startMs: number, endMs: number): void;
}

export class NonDeterminismError extends Error {
  override readonly name = "NonDeterministicOrchestrationException";
}

/**
 * Runs orchestrations the way the Durable extension does: keep the history, invoke the
 * orchestrator from the top with it, check the returned actions against those already recorded,
 * carry out the new ones, and append their results as history events — one completion per
 * episode, so the library's sequence numbers and ours always agree. A storage outage pauses
 * instances instead of losing them: state is saved until storage takes it (see Persister).
 */
export class DurableEngine {
  private readonly instances = new Map<string, InstanceState>();
  private readonly draining = new Set<string>();
  private readonly cancels = new Map<string, () => void>();
  private readonly waiters = new Map<string, (() => void)[]>();
  /** Per instance in an episode: resolves when the episode's state is stored (see persist). */
  private readonly episodeSaves = new Map<string, Promise<void>>();
  private readonly persister: Persister;
  private runningActivities = 0;
  private readonly activityQueue: (() => void)[] = [];
  private stopped = false;
  /** Bumped on stop: work that finishes after an abrupt stop is dropped, as a killed host would. */
  private generation = 0;

  constructor(private readonly o: EngineOptions) {
    this.persister = new Persister(o.store, o.log, o.saveRetry);
  }

  /** Storage calls that failed (during outages) and were retried. */
  get storageFailures(): number {
    return this.persister.failures;
  }

  async start(): Promise<void> {
    const loaded = await this.persister.atStart("load the instances", async () => {
      await this.o.store.init();
      return this.o.store.loadAll();
    }, this.o.storageStartTimeoutInMs ?? 30_000);
    for (const s of loaded) {
      s.executionId ||= newExecutionId(); // states saved before execution ids were kept
      this.instances.set(s.instanceId, s);
      if (TERMINAL.includes(s.status)) continue;
      this.o.log(`resuming ${s.instanceId} (${s.name}) at episode ${s.episodes}, ${s.pending.length} pending`);
      for (const w of s.pending) this.dispatch(s, w);
      this.kick(s.instanceId);
    }
  }

  /** Stops processing; pending work stays recorded and resumes with the next host on the same store. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.generation++;
    for (const cancel of this.cancels.values()) cancel();
    this.cancels.clear();
    this.persister.stop();
    await this.o.store.flush();
  }

  get(instanceId: string): InstanceState | undefined {
    return this.instances.get(instanceId);
  }

  list(): InstanceState[] {
    return [...this.instances.values()];
  }

  /**
   * @param replaceActive start even over an instance that has not ended, as DTFx does for a
   *   sub-orchestration: the running instance's execution is replaced and its pending work dropped.
   */
  async startNew(name: string, instanceId: string | undefined, inputJson: string | undefined, parent?: InstanceState["parent"], replaceActive = false): Promise<InstanceState> {
    const reg = this.o.functions.get(name);
    if (!reg || triggerOf(reg).type !== "orchestrationTrigger") throw new Error(`No orchestrator function named "${name}".`);
    const id = instanceId ?? randomUUID().replace(/-/g, "");
    const existing = this.instances.get(id);
    if (existing && !TERMINAL.includes(existing.status) && !replaceActive) throw new InstanceActiveError(`Instance ${id} is ${existing.status}; it cannot be started again until it ends.`);
    for (const w of existing?.pending ?? []) this.cancels.get(`${id}/${w.kind}/${w.id}`)?.();
    const now = this.isoNow();
    const state: InstanceState = {
      instanceId: id, executionId: newExecutionId(), name, input: inputJson ?? "null", status: "Pending", createdTime: now, lastUpdatedTime: now,
      ...(parent ? { parent } : {}), history: [], actions: [], nextSequence: 0, pending: [],
      inbox: [{ EventType: EventType.ExecutionStarted, Timestamp: now, Name: name, Input: inputJson ?? "null" }],
      episodes: 0, executions: 1,
    };
    this.instances.set(id, state);
    await this.persist(state);
    this.kick(id);
    return state;
  }

  async raiseEvent(instanceId: string, eventName: string, inputJson: string | undefined): Promise<void> {
    const s = this.mustGet(instanceId);
    if (TERMINAL.includes(s.status)) throw new InstanceEndedError(`Instance ${instanceId} has ended (${s.status}).`);
    s.inbox.push({ EventType: EventType.EventRaised, Timestamp: this.isoNow(), Name: eventName, Input: inputJson ?? "null" });
    await this.persist(s);
    this.kick(instanceId);
  }

  async terminate(instanceId: string, reason: string): Promise<void> {
    const s = this.mustGet(instanceId);
    if (TERMINAL.includes(s.status)) throw new InstanceEndedError(`Instance ${instanceId} has ended (${s.status}).`);
    for (const w of s.pending) this.cancels.get(`${instanceId}/${w.kind}/${w.id}`)?.();
    s.pending = [];
    s.inbox = [];
    s.history.push(this.event(EventType.ExecutionTerminated, -1, { Input: reason }));
    this.finish(s, "Terminated", reason);
    await this.persist(s);
    this.completeParent(s);
  }

  async purge(instanceId: string): Promise<boolean> {
    const s = this.instances.get(instanceId);
    if (!s) return false;
    if (!TERMINAL.includes(s.status)) throw new InstanceActiveError(`Instance ${instanceId} is ${s.status}; terminate it before purging.`);
    this.instances.delete(instanceId);
    // A save still retrying would write the instance back after the delete.
    await this.persister.settled(instanceId);
    await this.o.store.delete(instanceId);
    return true;
  }

  /** Resolves once the instance has ended (for tests and the demo). */
  waitUntilEnded(instanceId: string): Promise<InstanceState> {
    const s = this.instances.get(instanceId);
    if (s && TERMINAL.includes(s.status)) return Promise.resolve(s);
    return new Promise((resolve) => {
      const list = this.waiters.get(instanceId) ?? [];
      list.push(() => resolve(this.instances.get(instanceId)!));
      this.waiters.set(instanceId, list);
    });
  }

  private mustGet(instanceId: string): InstanceState {
    const s = this.instances.get(instanceId);
    if (!s) throw new InstanceNotFoundError(`No instance ${instanceId}.`);
    return s;
  }

  private isoNow(): string {
    return new Date(this.o.clock.now()).toISOString();
  }

  private event(type: number, eventId: number, fields: Record<string, unknown> = {}): HistoryEvent {
    return { EventType: type, EventId: eventId, IsPlayed: false, Timestamp: this.isoNow(), ...fields };
  }

  /** Processes the instance's inbox, one event per episode, unless already doing so. */
  private kick(instanceId: string): void {
    if (this.stopped || this.draining.has(instanceId)) return;
    this.draining.add(instanceId);
    const generation = this.generation;
    void (async () => {
      try {
        for (;;) {
          const s = this.instances.get(instanceId);
          if (!s || this.stopped || generation !== this.generation || TERMINAL.includes(s.status) || s.inbox.length === 0) break;
          await this.episode(s);
        }
      } catch (e) {
        if (!(e instanceof HostStoppedError)) this.o.log(`host error on ${instanceId}: ${(e as Error).stack ?? String(e)}`);
      } finally {
        this.draining.delete(instanceId);
      }
    })();
  }

  /**
   * One episode, then its save; its new work is dispatched only once the state that records it is
   * stored (a restarted host dispatches pending work again from storage, so nothing runs twice
   * for one record, and nothing recorded is lost). During a storage outage the save waits, and so
   * does the instance: the kick loop takes the next event only after it.
   */
  private async episode(s: InstanceState): Promise<void> {
    const id = s.instanceId;
    let settle!: (save: Promise<void>) => void;
    const saved = new Promise<void>((resolve) => (settle = resolve));
    saved.catch(() => undefined); // its joiners see a failure; nobody else needs to
    this.episodeSaves.set(id, saved);
    let work: PendingWork[];
    try {
      work = await this.advance(s);
    } catch (e) {
      settle(Promise.reject(e instanceof Error ? e : new Error(String(e))));
      throw e;
    } finally {
      this.episodeSaves.delete(id);
    }
    settle(this.persister.save(s));
    await saved;
    if (!TERMINAL.includes(s.status)) for (const w of work) this.dispatch(s, w);
    else this.completeParent(s);
  }

  /**
   * Saves a snapshot. Mid-episode the state is half-updated (the event taken from the inbox, the
   * orchestrator not yet answered), so a change made then, e.g. a delivery, is carried by the
   * episode's own save at its end instead, and its caller waits for that.
   */
  private persist(s: InstanceState): Promise<void> {
    return this.episodeSaves.get(s.instanceId) ?? this.persister.save(s);
  }

  /** Delivers the episode's event and runs the orchestrator; returns the work it scheduled. */
  private async advance(s: InstanceState): Promise<PendingWork[]> {
    const incoming = s.inbox.shift()!;
    const { Work: work, ...fields } = incoming as InboxEvent & { Work?: PendingWork };
    for (const e of s.history) e.IsPlayed = true;
    // continueAsNew() below replaces s.history with the next execution's; this episode's closing
    // OrchestratorCompleted belongs to the history it started in, not at the head of the new one.
    const history = s.history;
    const started = this.event(EventType.OrchestratorStarted, -1);
    const delivered: HistoryEvent = { ...fields, EventId: -1, IsPlayed: false } as HistoryEvent;
    if (fields.EventType === EventType.ExecutionStarted) s.status = "Running";
    s.history.push(started, delivered);
    const after = this.bookkeepRetries(s, delivered, Date.parse(started.Timestamp), work);
    s.history.push(...after.events);

    s.peakHistoryEvents = Math.max(s.peakHistoryEvents ?? 0, s.history.length);
    const invokedAt = performance.now();
    const result = await this.invoke(s);
    this.o.observer?.episode?.(s.instanceId, s.name, s.history.length, performance.now() - invokedAt);
    s.episodes++;
    if (result.kind === "error") {
      s.history.push(this.event(EventType.ExecutionFailed, -1, { Reason: failedReason(s.name, result.message) }));
      this.finish(s, "Failed", failedReason(s.name, result.message));
    } else {
      const state = result.state;
      const tooBig = state.customStatus !== undefined ? customStatusTooLarge(state.customStatus) : undefined;
      if (tooBig) {
        s.history.push(this.event(EventType.ExecutionFailed, -1, { Reason: failedReason(s.name, tooBig) }));
        this.finish(s, "Failed", failedReason(s.name, tooBig));
        history.push(this.event(EventType.OrchestratorCompleted, -1));
        s.lastUpdatedTime = this.isoNow();
        return after.work;
      }
      if (state.customStatus !== undefined) s.customStatus = state.customStatus;
      const actions = (state.actions?.[0] ?? []) as Action[];
      const mismatch = this.checkDeterminism(s, actions);
      if (mismatch) {
        s.history.push(this.event(EventType.ExecutionFailed, -1, { Reason: mismatch }));
        this.finish(s, "Failed", mismatch);
      } else {
        const fresh = actions.slice(s.actions.length);
        s.actions.push(...fresh.map(signature));
        const newWork = this.schedule(s, fresh, Date.parse(started.Timestamp));
        after.work.push(...newWork);
        if (state.error !== undefined && !state.isDone) {
          s.history.push(this.event(EventType.ExecutionFailed, -1, { Reason: failedReason(s.name, state.error) }));
          this.finish(s, "Failed", failedReason(s.name, state.error));
        } else if (state.isDone) {
          const next = leaves(actions).find((a) => a.actionType === ActionType.ContinueAsNew);
          if (next) this.continueAsNew(s, next.input);
          else {
            s.history.push(this.event(EventType.ExecutionCompleted, -1, { Result: JSON.stringify(state.output ?? null) }));
            this.finish(s, "Completed", state.output);
          }
        }
      }
    }
    history.push(this.event(EventType.OrchestratorCompleted, -1));
    s.lastUpdatedTime = this.isoNow();
    return after.work;
  }

  /**
   * Retries follow DTFx's RetryInterceptor (`nextRetry`): a failed attempt is followed by a timer,
   * due at once after the last attempt, or by nothing at all once the retry timeout has passed
   * (the task then never settles, as on the real engine); a fired timer brings the next attempt.
   */
  private bookkeepRetries(s: InstanceState, delivered: HistoryEvent, episodeStartMs: number, work?: PendingWork): { events: HistoryEvent[]; work: PendingWork[] } {
    const out = { events: [] as HistoryEvent[], work: [] as PendingWork[] };
    const failed = delivered.EventType === EventType.TaskFailed || delivered.EventType === EventType.SubOrchestrationInstanceFailed;
    if (failed && work && (work.kind === "activity" || work.kind === "sub") && work.retry) {
      // States saved before first attempts were recorded count the window from now.
      const firstAttemptMs = work.firstAttemptMs ?? episodeStartMs;
      const next = nextRetry(work.retry, work.attempt, firstAttemptMs, episodeStartMs);
      if (next.kind === "none") {
        this.o.log(`${work.name} (task ${work.id}) of ${s.instanceId}: attempt ${work.attempt} failed after its retry window; the engine schedules nothing more and the task never settles`);
        return out;
      }
      const id = s.nextSequence++;
      // Due from the episode's start, as DTFx computes it from CurrentUtcDateTime.
      const fireAt = new Date(episodeStartMs + next.delayInMs).toISOString();
      const timer: PendingWork = {
        kind: "timer", id, fireAt,
        retryOf: {
          kind: work.kind, name: work.name, input: work.input, attempt: work.attempt + 1, retry: work.retry, firstAttemptMs,
          ...(work.kind === "sub" && work.requestedInstanceId !== undefined ? { requestedInstanceId: work.requestedInstanceId } : {}),
        },
      };
      s.pending.push(timer);
      out.events.push(this.event(EventType.TimerCreated, id, { FireAt: fireAt }));
      out.work.push(timer);
    }
    if (delivered.EventType === EventType.TimerFired && work?.kind === "timer" && work.retryOf && work.retryOf.attempt <= work.retryOf.retry.maxNumberOfAttempts) {
      const r = work.retryOf;
      const id = s.nextSequence++;
      const attempt = { attempt: r.attempt, retry: r.retry, firstAttemptMs: r.firstAttemptMs };
      let next: PendingWork;
      if (r.kind === "activity") {
        next = { kind: "activity", id, name: r.name, input: r.input, ...attempt };
        out.events.push(this.event(EventType.TaskScheduled, id, { Name: r.name, Input: JSON.stringify(r.input ?? null) }));
      } else {
        // DTFx retries the same call: under the id it was given, or a new default id for the new sequence number.
        const instanceId = r.requestedInstanceId ?? `${s.executionId}:${id}`;
        next = { kind: "sub", id, name: r.name, instanceId, input: r.input, ...attempt, ...(r.requestedInstanceId !== undefined ? { requestedInstanceId: r.requestedInstanceId } : {}) };
        out.events.push(this.event(EventType.SubOrchestrationInstanceCreated, id, { Name: r.name, InstanceId: instanceId }));
      }
      s.pending.push(next);
      out.work.push(next);
    }
    return out;
  }

  private checkDeterminism(s: InstanceState, actions: Action[]): string | undefined {
    const replayed = actions.slice(0, s.actions.length).map(signature);
    if (actions.length < s.actions.length) {
      return `Non-deterministic workflow detected: the orchestrator returned ${actions.length} actions on replay but ${s.actions.length} were recorded.`;
    }
    const i = replayed.findIndex((sig, k) => sig !== s.actions[k]);
    if (i >= 0) return `Non-deterministic workflow detected: action ${i} was ${s.actions[i]} when first run but ${replayed[i]} on replay.`;
    return undefined;
  }

  /** Gives new actions the sequence numbers the library gave them, and records them in history. */
  private schedule(s: InstanceState, fresh: Action[], episodeStartMs: number): PendingWork[] {
    const { scheduled, nextSequence } = scheduleActions(fresh, s.nextSequence, s.executionId);
    s.nextSequence = nextSequence;
    for (const { event: { EventType: type, EventId, ...fields } } of scheduled) s.history.push(this.event(type, EventId, fields));
    // A retried call's window counts from the episode that first scheduled it (DTFx's firstAttempt).
    const work = scheduled.map(({ work: w }) => (w.kind !== "timer" && w.retry ? { ...w, firstAttemptMs: episodeStartMs } : w));
    s.pending.push(...work);
    return work;
  }

  private continueAsNew(s: InstanceState, input: unknown): void {
    for (const w of s.pending) this.cancels.get(`${s.instanceId}/${w.kind}/${w.id}`)?.();
    const inputJson = typeof input === "string" ? input : JSON.stringify(input ?? null);
    s.history = [];
    s.actions = [];
    s.nextSequence = 0;
    s.pending = [];
    s.input = inputJson;
    s.executions++;
    s.executionId = newExecutionId();
    s.status = "Running";
    s.inbox = [{ EventType: EventType.ExecutionStarted, Timestamp: this.isoNow(), Name: s.name, Input: inputJson }];
    queueMicrotask(() => this.kick(s.instanceId));
  }

  private finish(s: InstanceState, status: RuntimeStatus, output: unknown): void {
    s.status = status;
    s.output = output;
    s.pending = [];
    s.lastUpdatedTime = this.isoNow();
    this.o.log(`${s.instanceId} ${status.toLowerCase()} after ${s.episodes} episodes, ${s.history.length} history events`);
    const ws = this.waiters.get(s.instanceId) ?? [];
    this.waiters.delete(s.instanceId);
    for (const w of ws) queueMicrotask(w);
  }

  /**
   * Tells the parent once the child's end is stored: were the parent told first, a host killed in
   * between would resume the child, and it would report its end a second time.
   */
  private completeParent(child: InstanceState): void {
    if (!child.parent) return;
    this.completeChild(child).catch((e: Error) => {
      if (!(e instanceof HostStoppedError)) this.o.log(`host error completing ${child.instanceId}: ${e.message}`);
    });
  }

  private async completeChild(child: InstanceState): Promise<void> {
    const parent = this.instances.get(child.parent!.instanceId);
    if (!parent || TERMINAL.includes(parent.status) || !isChildOf(child, { ...child.parent!, createdTime: parent.createdTime })) return;
    const taskId = child.parent!.taskId;
    const work = parent.pending.find((w) => w.kind === "sub" && w.id === taskId);
    if (!work) return; // already reported
    parent.pending = parent.pending.filter((w) => w !== work);
    const ev = child.status === "Completed"
      ? { EventType: EventType.SubOrchestrationInstanceCompleted, Timestamp: this.isoNow(), TaskScheduledId: taskId, Result: JSON.stringify(child.output ?? null) }
      : { EventType: EventType.SubOrchestrationInstanceFailed, Timestamp: this.isoNow(), TaskScheduledId: taskId, Reason: String(child.output), Details: "" };
    parent.inbox.push({ ...ev, Work: work });
    await this.persist(parent);
    this.kick(parent.instanceId);
  }

  private async invoke(s: InstanceState): Promise<OrchestratorAnswer> {
    const reg = this.o.functions.get(s.name);
    if (!reg) return { kind: "error", message: `No orchestrator function named "${s.name}".` };
    return invokeOrchestrator(reg, { history: structuredClone(s.history), input: JSON.parse(s.input) as unknown, instanceId: s.instanceId, ...(s.parent ? { parentInstanceId: s.parent.instanceId } : {}) }, this.o.log);
  }

  /** Runs or arms one piece of pending work; its result lands in the inbox. */
  private dispatch(s: InstanceState, w: PendingWork): void {
    if (this.stopped) return;
    const generation = this.generation;
    const deliver = async (ev: InboxEvent) => {
      if (generation !== this.generation) return; // the host was stopped: as if it had died
      const current = this.instances.get(s.instanceId);
      if (!current || TERMINAL.includes(current.status) || !current.pending.includes(w)) return;
      current.pending = current.pending.filter((p) => p !== w);
      current.inbox.push({ ...ev, Work: w });
      try {
        await this.persist(current);
      } catch (e) {
        if (!(e instanceof HostStoppedError)) this.o.log(`host error delivering to ${current.instanceId}: ${(e as Error).message}`);
        return;
      }
      this.kick(current.instanceId);
    };
    if (w.kind === "timer") {
      const key = `${s.instanceId}/timer/${w.id}`;
      this.cancels.set(key, this.o.clock.at(Date.parse(w.fireAt), () => {
        this.cancels.delete(key);
        void deliver({ EventType: EventType.TimerFired, Timestamp: this.isoNow(), TimerId: w.id, FireAt: w.fireAt });
      }));
    } else if (w.kind === "sub") {
      const existing = this.instances.get(w.instanceId);
      const link = { instanceId: s.instanceId, taskId: w.id, createdTime: s.createdTime };
      const ours = !!existing && isChildOf(existing, link);
      if (existing && !TERMINAL.includes(existing.status)) {
        if (ours) return; // resumed host: the child runs on its own
        // Another orchestration's active instance holds the id. DTFx does not refuse it: a new
        // execution replaces the running one, which is lost (test/e2e/engine-divergences.test.ts).
        this.o.log(`sub-orchestration ${w.instanceId} of ${s.instanceId}: the id is held by a ${existing.status} ${existing.name}; as on the real engine, a new execution replaces it`);
      } else if (existing && ours) {
        this.completeParent(existing);
        return;
      }
      void this.startNew(w.name, w.instanceId, typeof w.input === "string" ? w.input : JSON.stringify(w.input ?? null), link, true)
        .catch((e: Error) => deliver({ EventType: EventType.SubOrchestrationInstanceFailed, Timestamp: this.isoNow(), TaskScheduledId: w.id, Reason: e.message, Details: "" }));
    } else if (!isActivity(this.o.functions.get(w.name))) {
      // As on the real extension (test/e2e/engine-divergences.test.ts): nothing runs it and
      // nothing answers, so the task never settles. The app only calls names it registers.
      this.o.log(`activity ${w.name} (task ${w.id}) of ${s.instanceId}: no activity function has that name; the task stays unsettled`);
    } else {
      this.runActivity(w, generation, s.instanceId).then(
        (result) => deliver({ EventType: EventType.TaskCompleted, Timestamp: this.isoNow(), TaskScheduledId: w.id, Result: JSON.stringify(result ?? null) }),
        (e: Error) => {
          this.o.log(`activity ${w.name} (task ${w.id}, attempt ${w.attempt}) of ${s.instanceId} failed: ${e.message}`);
          return deliver({ EventType: EventType.TaskFailed, Timestamp: this.isoNow(), TaskScheduledId: w.id, Reason: e.message, Details: "" });
        },
      ).catch((e: Error) => this.o.log(`host error delivering ${w.name}: ${e.message}`));
    }
  }

  private async runActivity(w: Extract<PendingWork, { kind: "activity" }>, generation: number, instanceId: string): Promise<unknown> {
    const max = this.o.maxConcurrentActivities ?? 10;
    if (this.runningActivities >= max) await new Promise<void>((resolve) => this.activityQueue.push(resolve));
    if (generation !== this.generation) throw new Error("host stopped");
    this.runningActivities++;
    try {
      const reg = this.o.functions.get(w.name)!;
      const context = invocationContext(reg, this.o.log, this.o.clientBindingData);
      // The library JSON-encodes string inputs in actions; the extension hands activities the value.
      const input = typeof w.input === "string" ? (JSON.parse(w.input) as unknown) : w.input;
      const startMs = this.o.clock.now();
      try {
        return await reg.handler(input, context);
      } finally {
        this.o.observer?.activity?.(instanceId, w.name, startMs, this.o.clock.now());
      }
    } finally {
      this.runningActivities--;
      this.activityQueue.shift()?.();
    }
  }
}

/** DTFx's form: a GUID without dashes. */
const newExecutionId = () => randomUUID().replace(/-/g, "");

/** Whether `child` was started by this execution of the parent (older states carry no createdTime). */
function isChildOf(child: InstanceState, link: { instanceId: string; taskId: number; createdTime: string }): boolean {
  const p = child.parent;
  return !!p && p.instanceId === link.instanceId && p.taskId === link.taskId && (p.createdTime === undefined || p.createdTime === link.createdTime);
}

export class InstanceNotFoundError extends Error {
  override readonly name = "InstanceNotFoundError";
}
export class InstanceActiveError extends Error {
  override readonly name = "InstanceActiveError";
}
export class InstanceEndedError extends Error {
  override readonly name = "InstanceEndedError";
}

const isActivity = (reg: Registration | undefined) => reg !== undefined && triggerOf(reg).type === "activityTrigger";

/** How the extension words an orchestrator's failure in its output and history. */
const failedReason = (name: string, message: string) => `Orchestrator function '${name}' failed: ${message}`;

/**
 * The extension's limit on a custom status: 16 KB of JSON counted in UTF-16 and truncated to
 * whole KB (MessagePayloadDataConverter.Serialize(value, 16)); over it, the orchestration fails.
 */
export function customStatusTooLarge(customStatus: unknown): string | undefined {
  const kb = Math.floor((JSON.stringify(customStatus).length * 2) / 1024);
  return kb > 16 ? `The UTF-16 size of the JSON-serialized payload must not exceed 16 KB. The current payload size is ${kb} KB.` : undefined;
}
