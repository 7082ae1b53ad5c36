import { z } from "zod";
import { topicIsAccount } from "../../shared/storage/storage-account";
import { isWellFormed } from "../../shared/storage/blob-name";

/** The new-data trigger's name: Event Grid delivers to /runtime/webhooks/eventgrid?functionName=retrainOnNewData. */
export const NEW_DATA_FUNCTION = "retrainOnNewData";

/**
 * How far ahead of this host's clock an event may be dated: clocks of Azure Storage and the host
 * differ by seconds, never by minutes. A later date is refused: the waiting data keeps the blob
 * created last by `eventTime`, so one event dated 2999 would outrank every real upload.
 */
export const EVENT_TIME_MAX_FUTURE_MINUTES = 5;

/**
 * The Blob REST calls whose BlobCreated this app trains on: data the writer sent itself. Copy Blob,
 * Put Blob From URL and the like bring in bytes from wherever their source URL points — possibly
 * another customer's location in the same account — and whether storage authorised that source is
 * not something the app can see (Azurite does not check it). `FlushWithClose` is ADLS Gen2's commit.
 */
export const ACCEPTED_APIS: readonly string[] = ["PutBlob", "PutBlockList", "FlushWithClose"];

/** A blob that Event Grid says was created, as the trigger uses it. */
export interface BlobCreated {
  readonly eventId: string;
  /** When storage created it, normalised to `YYYY-MM-DDTHH:MM:SS.fffffffffZ` (UTC, 9 digits): ordered as text. */
  readonly eventTime: string;
  readonly container: string;
  readonly blob: string;
  readonly bytes?: number;
}

export type ReadEvent = { readonly blob: BlobCreated } | { readonly ignored: string };

/** What the trigger knows when it reads an event: the account it watches (none: every event is ignored) and the time. */
export interface ReadContext {
  readonly account: string | undefined;
  readonly nowInMs: number;
}

const SUBJECT = /^\/blobServices\/default\/containers\/([a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9]))\/blobs\/(.+)$/;

/** The fields of an Event Grid event (Event Grid schema) this app reads; the rest may be anything. */
const eventSchema = z.object({
  id: z.string().min(1).max(200),
  topic: z.string().max(1000).optional(),
  eventType: z.string().max(200),
  subject: z.string().max(2000),
  eventTime: z.string().max(64),
  data: z.object({
    api: z.string().max(100).optional(),
    contentLength: z.number().int().min(0).optional(),
    blobType: z.string().max(40).optional(),
  }).passthrough().optional(),
}).passthrough();

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i;

/** An RFC 3339 time as UTC text of fixed width (so text order is time order), with its epoch ms; undefined when it is not one. */
export function parseEventTime(text: string): { readonly utc: string; readonly ms: number } | undefined {
  const m = ISO_TIME.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const local = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(local);
  // Date.UTC rolls 2026-02-30 over into March: a date that does not exist is no time.
  if (y < 1970 || back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || back.getUTCHours() !== h || back.getUTCMinutes() !== mi || back.getUTCSeconds() !== s) return undefined;
  const zone = m[8]!.toUpperCase();
  const offsetInMs = zone === "Z" ? 0 : (zone.startsWith("-") ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  if (Math.abs(offsetInMs) > 18 * 3_600_000) return undefined;
  const fraction = (m[7] ?? "").padEnd(9, "0");
  const ms = local - offsetInMs + Number(fraction.slice(0, 3));
  return { utc: `${new Date(local - offsetInMs).toISOString().slice(0, 19)}.${fraction}Z`, ms };
}

/**
 * Reads a `Microsoft.Storage.BlobCreated` event at the edge: an event from another topic than the
 * watched storage account, another event type, an unparseable or future `eventTime`, a blob made
 * by a copy (see ACCEPTED_APIS), an empty blob (a folder marker, a placeholder written before the
 * real upload) or a page/append blob is acknowledged and ignored; a malformed one is ignored with
 * what is wrong. Never throws: an event Event Grid would only deliver again, unchanged, must not
 * be failed.
 */
export function readBlobCreated(event: unknown, c: ReadContext): ReadEvent {
  const r = eventSchema.safeParse(event);
  if (!r.success) return { ignored: `a malformed event (${r.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "event"}: ${i.message}`).join("; ")})` };
  const e = r.data;
  const id = JSON.stringify(e.id.slice(0, 80));
  if (!c.account || !topicIsAccount(e.topic ?? "", c.account)) return { ignored: `event ${id} from topic ${JSON.stringify((e.topic ?? "").slice(0, 200))}: not the storage account this app watches (${c.account ?? "none"})` };
  if (e.eventType !== "Microsoft.Storage.BlobCreated") return { ignored: `an event of type ${e.eventType.slice(0, 80)}` };
  const m = SUBJECT.exec(e.subject);
  if (!m || m[2]!.length > 1024 || m[2]!.split("/").some((s) => s === "." || s === "..") || !isWellFormed(m[2]!)) return { ignored: `an event whose subject is not a blob's: ${JSON.stringify(e.subject.slice(0, 120))}` };
  const time = parseEventTime(e.eventTime);
  if (!time) return { ignored: `event ${id}: its eventTime ${JSON.stringify(e.eventTime)} is not an RFC 3339 time` };
  if (time.ms > c.nowInMs + EVENT_TIME_MAX_FUTURE_MINUTES * 60_000) return { ignored: `event ${id}: its eventTime ${time.utc} is more than ${EVENT_TIME_MAX_FUTURE_MINUTES} min ahead of this host's clock` };
  const api = e.data?.api;
  if (api === undefined || !ACCEPTED_APIS.includes(api)) return { ignored: `blob ${m[1]}/${m[2]!.slice(0, 200)}: made by ${api === undefined ? "an unnamed operation" : JSON.stringify(api.slice(0, 40))}, not an upload (${ACCEPTED_APIS.join(", ")})` };
  if (e.data?.blobType !== undefined && e.data.blobType !== "BlockBlob") return { ignored: `a ${e.data.blobType} (training data is a block blob)` };
  if (e.data?.contentLength === 0) return { ignored: `the empty blob ${m[1]}/${m[2]!.slice(0, 200)}` };
  return { blob: { eventId: e.id, eventTime: time.utc, container: m[1]!, blob: m[2]!, ...(e.data?.contentLength !== undefined ? { bytes: e.data.contentLength } : {}) } };
}
