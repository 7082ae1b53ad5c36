import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Compares in constant time (over fixed-length digests), so key length and prefix do not leak. */
export function keyMatches(presented: string | undefined, accepted: readonly string[]): boolean {
  if (presented === undefined || presented === "") return false;
  const p = digest(presented);
  let ok = false;
  for (const key of accepted) ok = timingSafeEqual(p, digest(key)) || ok;
  return ok;
}

/** The key of an `Authorization: Bearer {key}` header, as the classic service expected. */
export function bearerKey(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
  return m?.[1]?.trim();
}
