import { createHash, timingSafeEqual } from "node:crypto";
import type { DataLocation } from "./data-location";
import { blobPathProblem, isWellFormed } from "./blob-name";

/** A customer's upload SAS lives this long: long enough for a large upload, short enough that a leaked one soon opens nothing. */
export const UPLOAD_SAS_LIFETIME_MINUTES = 60;

/** Create and write (Put Blob, Put Block, Put Block List) on one blob: no read, list or delete. */
export const UPLOAD_SAS_PERMISSIONS = "cw";

/** The header a customer's upload key travels in. */
export const UPLOAD_KEY_HEADER = "x-retrainer-upload-key";

/**
 * Whether the key presented is the endpoint's: settings hold only its sha256 (a hash of a random
 * key gives nothing away), compared in constant time.
 */
export function uploadKeyOpens(presented: string, sha256Hex: string): boolean {
  const got = createHash("sha256").update(presented, "utf8").digest();
  const want = Buffer.from(sha256Hex, "hex");
  return want.length === got.length && timingSafeEqual(want, got);
}

const MAX_NAME_CHARS = 200;

/**
 * The blob a customer may write, inside their data location, or why the name is refused: a
 * relative path of plain segments (no "", ".", "..", backslash, control or bidi/format character,
 * no segment of whitespace only or ending in a dot or space, well-formed Unicode), so no name can
 * reach outside the location or pass for another. The name is normalised to NFC first: it is
 * checked, signed and stored as one form, whichever the customer's system sent.
 */
export function uploadBlob(l: DataLocation, name: string): { readonly blob: string } | { readonly problem: string } {
  if (!isWellFormed(name)) return { problem: `"name" is not well-formed Unicode (it holds a lone surrogate)` };
  const nfc = name.normalize("NFC");
  const problem = blobPathProblem("name", nfc, MAX_NAME_CHARS);
  return problem ? { problem } : { blob: `${l.prefix}${nfc}` };
}
