import type { createActivities } from "./activities";
import type { tickActivities } from "./tick";
import type { newDataActivities } from "./new-data";
import type { notifyActivities } from "./notify";
import type { Outcome } from "./outcome";

/**
 * Every activity as its factory builds it, name → handler: the one source of each activity's
 * input and result type. Orchestrators call activities through these types only (Temporal's
 * `proxyActivities<typeof activities>`), so a changed handler breaks the orchestrator's build,
 * not a run.
 */
export type Activities = ReturnType<typeof createActivities> & ReturnType<typeof tickActivities> & ReturnType<typeof newDataActivities> & ReturnType<typeof notifyActivities>;
export type AnyActivityName = keyof Activities;
export type ActivityInput<N extends AnyActivityName> = Parameters<Activities[N]>[0];
export type ActivityValue<N extends AnyActivityName> = Awaited<ReturnType<Activities[N]>> extends Outcome<infer T> ? T : never;

/** The handlers of `names`, typed so each name's input goes to its own handler (no casts). */
export type HandlerTable<N extends AnyActivityName> = { readonly [K in N]: (input: ActivityInput<K>) => Promise<Outcome<ActivityValue<K>>> };
