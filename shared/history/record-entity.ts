import type { RunRecord } from "./run-record";
import { RunHistoryError } from "./history-error";
import { readModelRef } from "../backends/model-ref";
import { withCanonicalMetricNames } from "./canonical-record";

/** One string property holds at most 64 KiB, i.e. 32K UTF-16 characters; stay below. */
const PART_CHARS = 30_000;
/**
 * An entity holds at most 1 MiB. Azure counts 2 bytes a character; Azurite counts the UTF-8 bytes
 * of the request body, where the JSON's quotes are escaped again. Budget for the larger of the two
 * and leave room for the keys and the flat properties.
 */
export const MAX_RECORD_BYTES = 900_000;
const recordBytes = (r: RunRecord): number => {
  const json = asciiJson(r);
  return Math.max(2 * json.length, Buffer.byteLength(JSON.stringify(json)));
};

/**
 * JSON with every non-ASCII character \u-escaped (JSON.parse restores them). Azurite decodes each
 * chunk of a request body separately, turning a multi-byte character that straddles two chunks
 * into U+FFFD (Azure/Azurite#2670); an ASCII body cannot be split that way. It also means a part
 * boundary can never fall inside a surrogate pair.
 */
export const asciiJson = (r: RunRecord): string =>
  JSON.stringify(r).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** The flat, queryable columns next to the JSON, which is the source of truth. */
export type RecordProperties = Record<string, string | number | boolean>;

/**
 * Entities cannot nest, so the record is stored as JSON across `record_0..record_{n-1}`
 * (`recordParts` = n), with a few flat columns for people browsing the table or filtering it.
 */
export function toProperties(record: RunRecord): RecordProperties {
  const json = asciiJson(record);
  const props: RecordProperties = { runId: record.runId, endpoint: record.endpoint, result: record.result, startedAt: record.startedAt };
  if (record.endedAt !== undefined) props.endedAt = record.endedAt;
  if (record.jobId !== undefined) props.jobId = record.jobId;
  let n = 0;
  for (let at = 0; at < json.length; at += PART_CHARS, n++) props[`record_${n}`] = json.slice(at, at + PART_CHARS);
  props.recordParts = n;
  return props;
}

export function fromProperties(entity: Record<string, unknown>): RunRecord {
  const parts = entity.recordParts;
  let json = "";
  try {
    if (typeof parts !== "number" || parts < 1) throw new Error("no parts");
    for (let i = 0; i < parts; i++) {
      const part = entity[`record_${i}`];
      if (typeof part !== "string") throw new Error(`part ${i} missing`);
      json += part;
    }
    return withCanonicalMetricNames(withTaggedModels(JSON.parse(json) as RunRecord));
  } catch {
    throw new RunHistoryError(`Run history: the stored record ${String(entity.rowKey)} is unreadable (${String(parts)} parts, ${json.length} characters).`, { operation: "read", code: "CorruptRecord", retryable: false });
  }
}

/**
 * A record too large for one entity keeps its first gate reasons and a marker saying how many
 * were dropped; then a very long `reason` is cut. The audit entry is kept, shortened, rather than lost.
 */
export function fitRecord(record: RunRecord, maxBytes = MAX_RECORD_BYTES): { record: RunRecord; truncated: boolean } {
  if (recordBytes(record) <= maxBytes) return { record, truncated: false };
  let fitted = record;
  const reasons = record.decision?.reasons ?? [];
  if (record.decision && reasons.length > 0) {
    const decision = record.decision;
    const keep = (k: number): RunRecord => ({
      ...record,
      decision: { ...decision, reasons: [...reasons.slice(0, k), `[${reasons.length - k} of ${reasons.length} reasons not stored: the record exceeded Table storage's entity size limit]`] },
    });
    let lo = 0;
    let hi = reasons.length - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (recordBytes(keep(mid)) <= maxBytes) lo = mid;
      else hi = mid - 1;
    }
    fitted = keep(lo);
  }
  if (recordBytes(fitted) > maxBytes && fitted.reason !== undefined && fitted.reason.length > 2_000) {
    fitted = { ...fitted, reason: `${fitted.reason.slice(0, 2_000)} [reason cut from ${fitted.reason.length} characters]` };
  }
  if (recordBytes(fitted) > maxBytes) {
    throw new RunHistoryError(`Run history: run ${record.runId} needs ${recordBytes(fitted)} bytes even shortened; at most ${maxBytes} fit in one entity.`, { operation: "upsert", code: "RecordTooLarge", retryable: false });
  }
  return { record: fitted, truncated: true };
}

/** Records written before models were tagged by backend hold classic locations: tag them on the way out. */
function withTaggedModels(r: RunRecord): RunRecord {
  const { modelBefore, modelAfter, archivedModel, ...rest } = r;
  const [before, after, archived] = [modelBefore, modelAfter, archivedModel].map((m) => (m === undefined ? undefined : readModelRef(m)));
  return { ...rest, ...(before ? { modelBefore: before } : {}), ...(after ? { modelAfter: after } : {}), ...(archived ? { archivedModel: archived } : {}) };
}
