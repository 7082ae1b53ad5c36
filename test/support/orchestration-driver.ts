import type * as df from "durable-functions";

/** What the orchestrator yielded, in order: the schedule a test can assert on. */
export type Step =
  | { readonly kind: "activity"; readonly name: string; readonly input: unknown; readonly at: Date }
  | { readonly kind: "timer"; readonly fireAt: Date; readonly at: Date }
  | { readonly kind: "event"; readonly name: string; readonly at: Date };

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
  | { kind: "any"; tasks: Token[] };

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
  orchestrator: (ctx: df.OrchestrationContext) => Generator<df.Task, unknown, unknown>,
  input: unknown,
  activities: Record<string, (input: never) => Promise<unknown>>,
  options: { start?: Date; activityDurationInMs?: number; maxSteps?: number; realDelayPerTimerInMs?: number; events?: readonly ScriptedEvent[] } = {},
): Promise<DriveResult> {
  const clock = { now: options.start ?? new Date("2026-01-04T03:00:00Z") };
  const steps: Step[] = [];
  const statuses: unknown[] = [];
  const ctx = {
    df: {
      instanceId: "retrain-retrain",
      getInput: () => structuredClone(input),
      get currentUtcDateTime() {
        return new Date(clock.now);
      },
      callActivityWithRetry: (name: string, _retry: unknown, i: unknown): Token => ({ kind: "activity", name, input: structuredClone(i) }),
      callActivity: (name: string, i: unknown): Token => ({ kind: "activity", name, input: structuredClone(i) }),
      createTimer: (fireAt: Date): Token => ({ kind: "timer", fireAt, cancel: () => undefined }),
      waitForExternalEvent: (name: string): Token => ({ kind: "event", name }),
      Task: { any: (tasks: Token[]): Token => ({ kind: "any", tasks }) },
      setCustomStatus: (s: unknown) => statuses.push(structuredClone(s)),
    },
  } as unknown as df.OrchestrationContext;
  const gen = orchestrator(ctx);
  let next = gen.next();
  for (let n = 0; !next.done; n++) {
    if (n > (options.maxSteps ?? 10_000)) throw new Error("orchestrator did not finish within the step budget");
    const token = next.value as unknown as Token;
    try {
      if (token.kind === "any") {
        // Only the race the pipeline uses: an external event against a timer.
        const timer = token.tasks.find((t): t is Extract<Token, { kind: "timer" }> => t.kind === "timer");
        const event = token.tasks.find((t): t is Extract<Token, { kind: "event" }> => t.kind === "event");
        const scripted = event ? options.events?.find((e) => e.name === event.name) : undefined;
        const eventAt = scripted ? clock.now.getTime() + scripted.afterMs : Number.POSITIVE_INFINITY;
        if (event && scripted && (!timer || eventAt <= timer.fireAt.getTime())) {
          steps.push({ kind: "event", name: event.name, at: new Date(eventAt) });
          clock.now = new Date(eventAt);
          event.result = structuredClone(scripted.value);
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
      steps.push({ kind: "activity", name: token.name, input: token.input, at: new Date(clock.now) });
      const handler = activities[token.name];
      if (!handler) throw new Error(`no activity named ${token.name}`);
      let result: unknown;
      let failure: Error | undefined;
      try {
        result = structuredClone(await handler(token.input as never));
      } catch (e) {
        failure = e as Error;
      }
      clock.now = new Date(clock.now.getTime() + (options.activityDurationInMs ?? 1_000));
      next = failure ? gen.throw(new Error(failure.message)) : gen.next(result);
    } catch (e) {
      return { error: e as Error, steps, statuses, clock };
    }
  }
  return { output: next.value, steps, statuses, clock };
}

export const activityNames = (steps: Step[]) => steps.filter((s) => s.kind === "activity").map((s) => (s as { name: string }).name);
