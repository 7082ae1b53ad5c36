import { RestError } from "@azure/storage-blob";
import { decideRetry, isServiceError } from "../../shared/errors/service-error";

/**
 * What an activity returns. Expected outcomes travel as data because error classes do not
 * survive the activity boundary; an activity throws only when a plain retry is the right answer.
 */
export type Outcome<T> =
  | { readonly kind: "ok"; readonly value: T }
  /** The service asked us to wait: the orchestrator waits with a durable timer, not a sleep. */
  | { readonly kind: "throttled"; readonly retryAfterInMs: number; readonly reason: string }
  /** Retrying the same call cannot help. */
  | { readonly kind: "failed"; readonly reason: string };

const EXPECTED = new Set(["DataSourceError", "EvaluationError", "GatePolicyError", "PromotionError"]);

/** Runs `work` and sorts what went wrong into data (throttled, failed) or a throw (retry). */
export async function toOutcome<T>(work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { kind: "ok", value: await work() };
  } catch (e) {
    // Every client's error says whether a retry can help (shared/errors/service-error.ts).
    if (isServiceError(e)) {
      if (e.retryAfterInMs !== undefined) return { kind: "throttled", retryAfterInMs: e.retryAfterInMs, reason: e.message };
      if (e.retryable) throw e;
      return { kind: "failed", reason: e.message };
    }
    const err = e as Error;
    if (EXPECTED.has(err.name)) return { kind: "failed", reason: err.message };
    // The storage SDK's own error (staging, the start lock), decided by the same rule.
    if (e instanceof RestError) {
      const s = e.statusCode;
      const decision = decideRetry(s, e.response?.headers.get("retry-after"), Date.now());
      if (decision.retryAfterInMs !== undefined) return { kind: "throttled", retryAfterInMs: decision.retryAfterInMs, reason: `storage is throttling requests: ${s} ${e.code ?? ""}`.trim() };
      if (decision.retryable) throw e;
      return { kind: "failed", reason: `storage refused the request: ${s} ${e.code ?? ""}`.trim() };
    }
    throw e;
  }
}
