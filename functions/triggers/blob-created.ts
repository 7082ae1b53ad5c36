import { z } from "zod";

/** The new-data trigger's name: Event Grid delivers to /runtime/webhooks/eventgrid?functionName=retrainOnNewData. */
export const NEW_DATA_FUNCTION = "retrainOnNewData";

/** A blob that Event Grid says was created, as the trigger uses it. */
export interface BlobCreated {
  readonly eventId: string;
  readonly eventTime: string;
  readonly container: string;
  readonly blob: string;
  readonly bytes?: number;
}

export type ReadEvent = { readonly blob: BlobCreated } | { readonly ignored: string };

const SUBJECT = /^\/blobServices\/default\/containers\/([a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9]))\/blobs\/(.+)$/;

/** The fields of an Event Grid event (Event Grid schema) this app reads; the rest may be anything. */
const eventSchema = z.object({
  id: z.string().min(1).max(200),
  eventType: z.string().max(200),
  subject: z.string().max(2000),
  eventTime: z.string().max(64),
  data: z.object({
    contentLength: z.number().int().min(0).optional(),
    blobType: z.string().max(40).optional(),
  }).passthrough().optional(),
}).passthrough();

/**
 * Reads a `Microsoft.Storage.BlobCreated` event at the edge: another event type, an empty blob
 * (a folder marker, a placeholder written before the real upload) or a page/append blob is
 * acknowledged and ignored; a malformed one is ignored with what is wrong. Never throws: an
 * event Event Grid would only deliver again, unchanged, must not be failed.
 */
export function readBlobCreated(event: unknown): ReadEvent {
  const r = eventSchema.safeParse(event);
  if (!r.success) return { ignored: `a malformed event (${r.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "event"}: ${i.message}`).join("; ")})` };
  const e = r.data;
  if (e.eventType !== "Microsoft.Storage.BlobCreated") return { ignored: `an event of type ${e.eventType.slice(0, 80)}` };
  const m = SUBJECT.exec(e.subject);
  if (!m || m[2]!.length > 1024 || m[2]!.split("/").some((s) => s === "." || s === "..")) return { ignored: `an event whose subject is not a blob's: ${e.subject.slice(0, 120)}` };
  if (e.data?.blobType !== undefined && e.data.blobType !== "BlockBlob") return { ignored: `a ${e.data.blobType} (training data is a block blob)` };
  if (e.data?.contentLength === 0) return { ignored: `the empty blob ${m[1]}/${m[2]!.slice(0, 200)}` };
  return { blob: { eventId: e.id, eventTime: e.eventTime, container: m[1]!, blob: m[2]!, ...(e.data?.contentLength !== undefined ? { bytes: e.data.contentLength } : {}) } };
}
