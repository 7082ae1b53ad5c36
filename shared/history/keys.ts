import { invalidArgument } from "./history-error";

/**
 * Key design. Table storage returns a partition's rows in ascending RowKey order, so a run's
 * RowKey starts with its start time *inverted* (latest time possible minus start) and zero-padded:
 * a plain partition scan then yields newest first, and "the page after X" is `RowKey gt X`.
 * Each run is written three times, each entity answering one question with a single query:
 *   - PartitionKey = endpoint (lower-case), RowKey = time key  → list one endpoint, newest first;
 *   - PartitionKey = "~all",               RowKey = time key  → list every endpoint, newest first
 *     (merging per-endpoint partitions would need the set of endpoints, which Table storage cannot list);
 *   - PartitionKey = "~run",               RowKey = runId     → a small index {partition, row}
 *     so `get(runId)` is two point reads without knowing the endpoint or the start time.
 * And one entity per endpoint outside the runs: PartitionKey = "~watch", RowKey = endpoint
 * (lower-case) → when the app first reported on the endpoint's health (./endpoint-health).
 * Endpoints may not start with "~", so they can never collide with the store's own partitions.
 */
export const ALL_PARTITION = "~all";
export const INDEX_PARTITION = "~run";
export const WATCH_PARTITION = "~watch";
/** The operator console's overview: RowKey = endpoint (lower-case), one row each (./endpoint-summary). */
export const SUMMARY_PARTITION = "~endpoint";
/** Webhook deliveries: RowKey = `{runId}|{event}|{webhook}|{attempt}`, so one run's are one range scan. */
export const DELIVERY_PARTITION = "~delivery";

/** The latest instant a JS Date can hold; `MAX - startedAt` is never negative for a valid date. */
const MAX_TIME_IN_MS = 8_640_000_000_000_000;
/** Keys may be 1 KiB; the time key adds 18 characters to a runId, so 256 leaves ample room. */
const MAX_KEY_CHARS = 256;

/** `/ \ # ?` and control characters are not allowed in PartitionKey or RowKey. */
function badKeyChar(value: string): string | undefined {
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if ("/\\#?".includes(ch) || c <= 0x1f || (c >= 0x7f && c <= 0x9f)) return c < 0x20 || c >= 0x7f ? `U+${c.toString(16).padStart(4, "0")}` : `"${ch}"`;
  }
  return undefined;
}

export function checkKey(operation: string, what: "runId" | "endpoint", value: unknown): string {
  if (typeof value !== "string" || value.length === 0) throw invalidArgument(operation, `Run history: ${what} must be a non-empty string.`);
  if (value.length > MAX_KEY_CHARS) throw invalidArgument(operation, `Run history: ${what} is ${value.length} characters; at most ${MAX_KEY_CHARS} are allowed.`);
  const bad = badKeyChar(value);
  if (bad) throw invalidArgument(operation, `Run history: ${what} "${value.replace(/[^\x20-\x7e]/g, "?")}" contains ${bad}, which Table storage keys cannot hold (no / \\ # ? or control characters).`);
  return value;
}

/** Endpoint names are case-insensitive in practice, so "Census" and "census" share a partition. */
export function endpointPartition(operation: string, endpoint: unknown): string {
  const pk = checkKey(operation, "endpoint", endpoint).toLowerCase();
  if (pk.startsWith("~")) throw invalidArgument(operation, `Run history: endpoint "${pk}" may not start with "~"; those partitions belong to the store.`);
  return pk;
}

export function timeKey(operation: string, startedAt: unknown, runId: string): string {
  const ms = typeof startedAt === "string" ? Date.parse(startedAt) : Number.NaN;
  if (!Number.isFinite(ms)) throw invalidArgument(operation, `Run history: startedAt ${JSON.stringify(startedAt)} of run ${runId} is not an ISO 8601 date.`);
  // 17 digits: the inverted value reaches 1.7e16 for dates before 1970.
  return `${String(MAX_TIME_IN_MS - ms).padStart(17, "0")}_${runId}`;
}
