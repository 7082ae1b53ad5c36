import type * as df from "durable-functions";
import { APPROVAL_EVENT, type ApprovalDecision } from "./run-input";
import type { IgnoredDecision } from "../../shared/history/run-record";

/** Longest approver and comment an approval event may carry (the HTTP trigger sends at most these). */
export const MAX_APPROVER_CHARS = 300;
export const MAX_APPROVAL_COMMENT_CHARS = 1024;
/** Longest run id a decision may name (run ids are about 40 characters). */
export const MAX_DECISION_RUN_ID_CHARS = 128;
/**
 * Decisions a bound run ignores (for other runs, or unreadable) before it stops waiting, rejected:
 * each one costs a history event and a timer, and the wait must stay bounded in size as in time.
 */
export const MAX_IGNORED_DECISIONS = 10;

export type ApprovalEvent = { readonly valid: true; readonly decision: ApprovalDecision } | { readonly valid: false; readonly problem: string };

/**
 * The payload of an `ApprovalDecision` event, checked here because anyone who can raise events
 * (the Durable webhooks, an operator's script) can send anything: `approved` must be a boolean,
 * `by` a non-empty bounded string, `comment` absent or a bounded string, `runId` absent or a
 * bounded string (whether it names the waiting run is the orchestrator's check). Anything else is
 * not a decision. Pure: called in the orchestrator.
 */
export function parseApprovalEvent(raw: unknown): ApprovalEvent {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return { valid: false, problem: "it is not a JSON object" };
  const e = raw as Record<string, unknown>;
  if (typeof e.approved !== "boolean") return { valid: false, problem: `"approved" is ${describe(e.approved)}, not true or false` };
  if (typeof e.by !== "string" || e.by.trim() === "" || e.by.length > MAX_APPROVER_CHARS) return { valid: false, problem: `"by" must be a name of 1 to ${MAX_APPROVER_CHARS} characters` };
  if (e.comment !== undefined && (typeof e.comment !== "string" || e.comment.length > MAX_APPROVAL_COMMENT_CHARS)) {
    return { valid: false, problem: `"comment" must be text of at most ${MAX_APPROVAL_COMMENT_CHARS} characters` };
  }
  if (e.runId !== undefined && (typeof e.runId !== "string" || e.runId === "" || e.runId.length > MAX_DECISION_RUN_ID_CHARS)) {
    return { valid: false, problem: `"runId" must be a run id of 1 to ${MAX_DECISION_RUN_ID_CHARS} characters` };
  }
  const extra = Object.keys(e).filter((k) => k !== "approved" && k !== "by" && k !== "comment" && k !== "runId");
  if (extra.length > 0) return { valid: false, problem: `it has unknown field(s) ${extra.slice(0, 5).join(", ")}` };
  return { valid: true, decision: { approved: e.approved, by: e.by, ...(e.comment ? { comment: e.comment } : {}), ...(typeof e.runId === "string" ? { runId: e.runId } : {}) } };
}

const describe = (v: unknown) => (v === undefined ? "missing" : typeof v === "string" ? `the text ${JSON.stringify(v.slice(0, 20))}` : JSON.stringify(v)?.slice(0, 20) ?? typeof v);

export type AwaitedDecision =
  | { readonly kind: "decided"; readonly decision: ApprovalDecision; readonly at: string }
  | { readonly kind: "timed-out" }
  /** Runs started before decisions named their run: an unreadable event ends the wait, not approved. */
  | { readonly kind: "unreadable"; readonly problem: string; readonly at: string }
  | { readonly kind: "too-many" };

/**
 * Waits until `deadline` for the decision on run `runId`. A decision naming another run, naming
 * none (when `bound`), or unreadable (when `bound`) is not taken: `onIgnored` hears of it (the
 * run shows and records it) and the wait goes on, with a new timer for the same deadline, since a
 * timer already raced once must not be raced again. Runs that are not `bound` (started before
 * decisions named their run) replay as they always did: the first decision without a run id, or
 * the first unreadable one, is the answer.
 */
export function* awaitDecision(
  context: df.OrchestrationContext,
  runId: string,
  deadline: Date,
  bound: boolean,
  onIgnored: (ignored: readonly IgnoredDecision[]) => void,
): Generator<df.Task, AwaitedDecision, unknown> {
  const ignored: IgnoredDecision[] = [];
  for (;;) {
    const answer = context.df.waitForExternalEvent(APPROVAL_EVENT);
    const timeout = context.df.createTimer(deadline);
    const first = yield context.df.Task.any([answer, timeout]);
    if (first === timeout) return { kind: "timed-out" };
    timeout.cancel();
    const at = context.df.currentUtcDateTime.toISOString();
    const event = parseApprovalEvent(answer.result);
    if (!event.valid && !bound) return { kind: "unreadable", problem: event.problem, at };
    const named = event.valid ? event.decision.runId : undefined;
    const problem = !event.valid
      ? `it could not be read (${event.problem})`
      : named === undefined
        ? bound ? "it names no run" : undefined
        : named !== runId ? `it is for run ${named}, not this one` : undefined;
    if (event.valid && problem === undefined) return { kind: "decided", decision: event.decision, at };
    ignored.push({ at, problem: problem!, ...(named !== undefined ? { runId: named } : {}), ...(event.valid ? { by: event.decision.by } : {}) });
    onIgnored([...ignored]);
    if (ignored.length >= MAX_IGNORED_DECISIONS) return { kind: "too-many" };
  }
}
