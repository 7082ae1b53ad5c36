import type * as df from "durable-functions";
import { POLL_ORCHESTRATOR, pollJobOrchestrator } from "../../functions/orchestrators/poll-orchestrator";

/** What the orchestrator yielded, in order: the schedule a test can assert on. */
export type Step =
  | { readonly kind: "activity"; readonly name: string; readonly input: unknown; readonly at: Date }
  | { readonly kind: "timer"; readonly fireAt: Date; readonly at: Date }
  | { readonly kind: "event"; readonly name: string; readonly at: Date }
  | { readonly kind: "sub"; readonly name: string; readonly instanceId?: string; readonly at: Date }
  | { readonly kind: "continueAsNew"; readonly name: string; readonly at: Date };

export interface DriveResult {
  readonly output?: unknown;
  readonly error?: Error;
  readonly steps: Step[];
  readonly statuses: unknown[];
  readonly clock: { now: Date };
}

type Token =
  | { kind: "activity"; name: string; input: unknown }
  | { kind: "timer"; fireAt: Date; cancel: () => void; result?: unknown }
  | { kind: "event"; name: string; result?: unknown }
  | { kind: "any"; tasks: Token[] }
  | SubToken;

/**
 * A sub-orchestration call. Raced in `Task.any`, it runs on a clock of its own from when it was
 * created (children run side by side), once; `isCompleted`/`isFaulted`/`result` then follow the
 * parent's clock, as the library's tasks follow the history.
 */
interface SubToken {
  kind: "sub";
  name: string;
  input: unknown;
  instanceId?: string;
  createdAt: number;
  ran?: { output?: unknown; error?: Error; endAt: number };
  stepped?: boolean;
  readonly isCompleted: boolean;
  readonly isFaulted: boolean;
  readonly result: unknown;
}

type Orchestrator = (ctx: df.OrchestrationContext) => Generator<df.Task, unknown, unknown>;

/** A scripted activity; `at` is the orchestration time it runs at, for fakes of things that take time. */
export type ActivityHandler = (input: never, at: Date) => Promise<unknown>;

/** An external event a test raises: `afterMs` after the orchestrator starts waiting for it. */
export interface ScriptedEvent {
  readonly name: string;
  readonly afterMs: number;
  readonly value: unknown;
}

/**
 * Steps an orchestrator generator with a fake `context.df`: activity calls go to the given
 * handlers (a throw is thrown back into the generator, as Durable does after retries), timers
 * advance a fake clock to their fire time. Control flow only; replay is the local host's job.
 */
export async function driveOrchestrator(
  orchestrator: Orchestrator,
  input: unknown,
  activities: Record<string, ActivityHandler>,
  options: DriveOptions = {},
): Promise<DriveResult> {
  const clock = { now: options.start ?? new Date("2026-01-04T03:00:00Z") };
  const steps: Step[] = [];
  const statuses: unknown[] = [];
  const r = await runInstance(orchestrator, input, "retrain-retrain", { clock, steps, statuses, activities, options, budget: { steps: 0 }, delivered: new Set() });
  return { ...r, steps, statuses, clock };
}

/** The product's sub-orchestrators, used unless a test names its own. */
const PRODUCT_ORCHESTRATORS: Record<string, Orchestrator> = { [POLL_ORCHESTRATOR]: pollJobOrchestrator };

interface DriveOptions {
  start?: Date;
  activityDurationInMs?: number;
  maxSteps?: number;
  realDelayPerTimerInMs?: number;
  events?: readonly ScriptedEvent[];
  /** Sub-orchestrators by name; they run inline on the same clock, continue-as-new included. */
  orchestrators?: Record<string, Orchestrator>;
}

interface Shared {
  clock: { now: Date };
  steps: Step[];
  /** The top instance's custom statuses only: what the run's status endpoint shows. */
  statuses: unknown[];
  activities: Record<string, ActivityHandler>;
  options: DriveOptions;
  budget: { steps: number };
  /** Scripted events already raised. */
  delivered: Set<ScriptedEvent>;
}

/** Runs one instance to its end, restarting it with the new input on continue-as-new. */
async function runInstance(orchestrator: Orchestrator, input: unknown, instanceId: string, sh: Shared, name = "top"): Promise<{ output?: unknown; error?: Error }> {
  let current = input;
  for (;;) {
    const r = await runExecution(orchestrator, current, instanceId, sh, name === "top");
    if (!("continued" in r)) return r;
    sh.steps.push({ kind: "continueAsNew", name, at: new Date(sh.clock.now) });
    current = r.continued;
  }
}

async function runExecution(orchestrator: Orchestrator, input: unknown, instanceId: string, sh: Shared, top: boolean): Promise<{ output?: unknown; error?: Error } | { continued: unknown }> {
  const { clock, steps, options } = sh;
  let continued: { input: unknown } | undefined;
  const ctx = {
    df: {
      instanceId,
      getInput: () => structuredClone(input),
      get currentUtcDateTime() {
        return new Date(clock.now);
      },
      callActivityWithRetry: (name: string, _retry: unknown, i: unknown): Token => ({ kind: "activity", name, input: structuredClone(i) }),
      callActivity: (name: string, i: unknown): Token => ({ kind: "activity", name, input: structuredClone(i) }),
      callSubOrchestrator: (name: string, i: unknown, id?: string): Token => subToken(name, structuredClone(i), id, clock),
      createTimer: (fireAt: Date): Token => ({ kind: "timer", fireAt, cancel: () => undefined }),
      waitForExternalEvent: (name: string): Token => ({ kind: "event", name }),
      Task: { any: (tasks: Token[]): Token => ({ kind: "any", tasks }) },
      setCustomStatus: (s: unknown) => (top ? sh.statuses.push(structuredClone(s)) : undefined),
      continueAsNew: (i: unknown) => (continued = { input: structuredClone(i) }),
    },
  } as unknown as df.OrchestrationContext;
  const gen = orchestrator(ctx);
  let next = gen.next();
  while (!next.done) {
    if (++sh.budget.steps > (options.maxSteps ?? 10_000)) throw new Error("orchestrator did not finish within the step budget");
    const token = next.value as unknown as Token;
    try {
      if (token.kind === "any" && !token.tasks.some((t) => t.kind === "event")) {
        // Children, and timers, side by side: the first to end (ties: the first listed) wins.
        let winner: Token | undefined;
        let winnerAt = Number.POSITIVE_INFINITY;
        for (const t of token.tasks) {
          let at: number;
          if (t.kind === "timer") at = t.fireAt.getTime();
          else if (t.kind === "sub") at = (await runSide(t, instanceId, sh)).endAt;
          else throw new Error(`Task.any over ${t.kind} tasks is not scripted`);
          if (at < winnerAt) [winner, winnerAt] = [t, at];
        }
        if (!winner) throw new Error("Task.any with nothing that can finish");
        if (winnerAt > clock.now.getTime()) clock.now = new Date(winnerAt);
        if (winner.kind === "timer") steps.push({ kind: "timer", fireAt: winner.fireAt, at: new Date(clock.now) });
        next = gen.next(winner);
        continue;
      }
      if (token.kind === "any") {
        // The race the pipeline uses: an external event against a timer.
        const timer = token.tasks.find((t): t is Extract<Token, { kind: "timer" }> => t.kind === "timer");
        const event = token.tasks.find((t): t is Extract<Token, { kind: "event" }> => t.kind === "event");
        // Each scripted event is delivered once, in order: a run that waits again gets the next.
        const scripted = event ? options.events?.find((e) => e.name === event.name && !sh.delivered.has(e)) : undefined;
        const eventAt = scripted ? clock.now.getTime() + scripted.afterMs : Number.POSITIVE_INFINITY;
        if (event && scripted && (!timer || eventAt <= timer.fireAt.getTime())) {
          steps.push({ kind: "event", name: event.name, at: new Date(eventAt) });
          clock.now = new Date(eventAt);
          event.result = structuredClone(scripted.value);
          sh.delivered.add(scripted);
          next = gen.next(event);
        } else if (timer) {
          steps.push({ kind: "timer", fireAt: timer.fireAt, at: new Date(clock.now) });
          if (timer.fireAt > clock.now) clock.now = new Date(timer.fireAt);
          next = gen.next(timer);
        } else throw new Error("Task.any with nothing that can finish");
        continue;
      }
      if (token.kind === "event") throw new Error("waiting on an event outside Task.any is not scripted");
      if (token.kind === "timer") {
        steps.push({ kind: "timer", fireAt: token.fireAt, at: new Date(clock.now) });
        if (token.fireAt > clock.now) clock.now = new Date(token.fireAt);
        // Against a real service the job needs real time to progress between polls.
        if (options.realDelayPerTimerInMs) await new Promise((r) => setTimeout(r, options.realDelayPerTimerInMs));
        next = gen.next(undefined);
        continue;
      }
      if (token.kind === "sub" && token.ran) {
        // Already running side by side (started in an earlier Task.any): wait for its end.
        if (token.ran.endAt > clock.now.getTime()) clock.now = new Date(token.ran.endAt);
        next = token.ran.error ? gen.throw(new Error(token.ran.error.message)) : gen.next(structuredClone(token.ran.output));
        continue;
      }
      if (token.kind === "sub") {
        token.stepped = true;
        steps.push({ kind: "sub", name: token.name, ...(token.instanceId ? { instanceId: token.instanceId } : {}), at: new Date(clock.now) });
        const child = (options.orchestrators ?? PRODUCT_ORCHESTRATORS)[token.name];
        if (!child) throw new Error(`no orchestrator named ${token.name}`);
        const r = await runInstance(child, token.input, token.instanceId ?? `${instanceId}:sub`, sh, token.name);
        next = r.error ? gen.throw(new Error(r.error.message)) : gen.next(structuredClone(r.output));
        continue;
      }
      steps.push({ kind: "activity", name: token.name, input: token.input, at: new Date(clock.now) });
      const handler = sh.activities[token.name];
      if (!handler) throw new Error(`no activity named ${token.name}`);
      let result: unknown;
      let failure: Error | undefined;
      try {
        result = structuredClone(await handler(token.input as never, new Date(clock.now)));
      } catch (e) {
        failure = e as Error;
      }
      clock.now = new Date(clock.now.getTime() + (options.activityDurationInMs ?? 1_000));
      next = failure ? gen.throw(new Error(failure.message)) : gen.next(result);
    } catch (e) {
      return { error: e as Error };
    }
  }
  if (continued) return { continued: continued.input };
  return { output: next.value };
}

function subToken(name: string, input: unknown, instanceId: string | undefined, clock: { now: Date }): SubToken {
  const ended = (t: SubToken) => !!t.ran && t.ran.endAt <= clock.now.getTime();
  return {
    kind: "sub", name, input, ...(instanceId ? { instanceId } : {}), createdAt: clock.now.getTime(),
    get isCompleted() {
      return ended(this) && !this.ran!.error;
    },
    get isFaulted() {
      return ended(this) && !!this.ran!.error;
    },
    get result() {
      if (!ended(this)) return undefined;
      return this.ran!.error ? new Error(this.ran!.error.message) : structuredClone(this.ran!.output);
    },
  };
}

/** Runs a child to its end on a clock of its own, from when it was created (once). */
async function runSide(t: SubToken, parentId: string, sh: Shared): Promise<{ endAt: number }> {
  if (t.ran) return t.ran;
  if (!t.stepped) sh.steps.push({ kind: "sub", name: t.name, ...(t.instanceId ? { instanceId: t.instanceId } : {}), at: new Date(t.createdAt) });
  t.stepped = true;
  const child = (sh.options.orchestrators ?? PRODUCT_ORCHESTRATORS)[t.name];
  const clock = { now: new Date(t.createdAt) };
  let r: { output?: unknown; error?: Error };
  try {
    if (!child) throw new Error(`no orchestrator named ${t.name}`);
    r = await runInstance(child, t.input, t.instanceId ?? `${parentId}:sub`, { ...sh, clock }, t.name);
  } catch (e) {
    r = { error: e as Error }; // e.g. a child that cannot start
  }
  t.ran = { ...r, endAt: clock.now.getTime() };
  return t.ran;
}

export const activityNames = (steps: Step[]) => steps.filter((s) => s.kind === "activity").map((s) => (s as { name: string }).name);
