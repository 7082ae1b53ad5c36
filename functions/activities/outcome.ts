import { RestError } from "@azure/storage-blob";
import { isAmlServiceError } from "../../shared/aml/aml-error";

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
    if (isAmlServiceError(e)) {
      if (e.retryAfterInMs !== undefined) return { kind: "throttled", retryAfterInMs: e.retryAfterInMs, reason: e.message };
      if (e.retryable) throw e;
      return { kind: "failed", reason: e.message };
    }
    const err = e as Error & { retryable?: boolean };
    if (EXPECTED.has(err.name)) return { kind: "failed", reason: err.message };
    // Other clients' errors (result reads, run history) carry their own retryable decision.
    if (typeof err.retryable === "boolean") {
      if (err.retryable) throw e;
      return { kind: "failed", reason: err.message };
    }
    if (e instanceof RestError) {
      const s = e.statusCode;
      if (s === undefined || s === 408 || s === 429 || s >= 500) throw e;
      return { kind: "failed", reason: `storage refused the request: ${s} ${e.code ?? ""}`.trim() };
    }
    throw e;
  }
}

