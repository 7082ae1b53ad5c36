import type { ApprovalDecision } from "./run-input";

/** Longest approver and comment an approval event may carry (the HTTP trigger sends at most these). */
export const MAX_APPROVER_CHARS = 300;
export const MAX_APPROVAL_COMMENT_CHARS = 1024;

export type ApprovalEvent = { readonly valid: true; readonly decision: ApprovalDecision } | { readonly valid: false; readonly problem: string };

/**
 * The payload of an `ApprovalDecision` event, checked here because anyone who can raise events
 * (the Durable webhooks, an operator's script) can send anything: `approved` must be a boolean,
 * `by` a non-empty bounded string, `comment` absent or a bounded string. Anything else is not a
 * decision, and the run treats it as "not approved". Pure: called in the orchestrator.
 */
export function parseApprovalEvent(raw: unknown): ApprovalEvent {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return { valid: false, problem: "it is not a JSON object" };
  const e = raw as Record<string, unknown>;
  if (typeof e.approved !== "boolean") return { valid: false, problem: `"approved" is ${describe(e.approved)}, not true or false` };
  if (typeof e.by !== "string" || e.by.trim() === "" || e.by.length > MAX_APPROVER_CHARS) return { valid: false, problem: `"by" must be a name of 1 to ${MAX_APPROVER_CHARS} characters` };
  if (e.comment !== undefined && (typeof e.comment !== "string" || e.comment.length > MAX_APPROVAL_COMMENT_CHARS)) {
    return { valid: false, problem: `"comment" must be text of at most ${MAX_APPROVAL_COMMENT_CHARS} characters` };
  }
  const extra = Object.keys(e).filter((k) => k !== "approved" && k !== "by" && k !== "comment");
  if (extra.length > 0) return { valid: false, problem: `it has unknown field(s) ${extra.slice(0, 5).join(", ")}` };
  return { valid: true, decision: { approved: e.approved, by: e.by, ...(e.comment ? { comment: e.comment } : {}) } };
}

const describe = (v: unknown) => (v === undefined ? "missing" : typeof v === "string" ? `the text ${JSON.stringify(v.slice(0, 20))}` : JSON.stringify(v)?.slice(0, 20) ?? typeof v);
