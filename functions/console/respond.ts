import { gzipSync } from "node:zlib";
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { SafeHtml } from "../../shared/console/html";

/**
 * Every console response: nothing runs but our own script, nothing loads from elsewhere, no
 * page can frame it, and no URL (a chat link's token) leaks to another site in a Referer.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "X-Content-Type-Options": "nosniff",
  // same-origin, not no-referrer: under no-referrer Chromium sends `Origin: null` on our own form posts.
  "Referrer-Policy": "same-origin",
  "X-Frame-Options": "DENY",
  "Cache-Control": "no-store",
};

/** Below this, compressing costs more than it saves. */
const MIN_COMPRESS_BYTES = 1_024;

/** A body, gzipped when the browser takes it (the Functions host does not compress for us). */
export function respond(request: HttpRequest, status: number, body: string, contentType: string, headers: Record<string, string> = {}): HttpResponseInit {
  const bytes = Buffer.from(body, "utf8");
  const gzip = bytes.length >= MIN_COMPRESS_BYTES && /\bgzip\b/i.test(request.headers.get("accept-encoding") ?? "");
  return {
    status,
    headers: { ...SECURITY_HEADERS, "Content-Type": contentType, Vary: "Accept-Encoding, Cookie", ...(gzip ? { "Content-Encoding": "gzip" } : {}), ...headers },
    body: gzip ? gzipSync(bytes) : bytes,
  };
}

export const htmlResponse = (request: HttpRequest, status: number, page: SafeHtml, headers: Record<string, string> = {}) =>
  respond(request, status, page.text, "text/html; charset=utf-8", headers);

export const redirect = (location: string, headers: Record<string, string> = {}): HttpResponseInit => ({ status: 303, headers: { ...SECURITY_HEADERS, Location: location, ...headers } });

/** Form bodies the console accepts: a few fields, never more than this. */
export const MAX_FORM_BYTES = 8 * 1024;

/**
 * A form body read no further than `max` bytes, whatever Content-Length claims: undefined when
 * it is larger. Read only after the caller is authenticated.
 */
export async function readForm(request: HttpRequest, max = MAX_FORM_BYTES): Promise<URLSearchParams | undefined> {
  if (Number(request.headers.get("content-length") ?? 0) > max) return undefined;
  const stream = request.body;
  if (!stream) return new URLSearchParams();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = (stream as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

/** The console's own paths, for links and redirects: everything lives under the Functions route prefix. */
export const CONSOLE_PATH = "/api/console";

/** A `next=` target is one of the console's own pages, never another site (an open redirect); a chat link's token fits. */
export function safeNext(next: string | null | undefined): string {
  if (!next || next.length > 4_096 || !next.startsWith(`${CONSOLE_PATH}`) || next.startsWith("//") || /[\\\s]/.test(next)) return CONSOLE_PATH;
  const rest = next.slice(CONSOLE_PATH.length);
  return rest === "" || rest.startsWith("/") || rest.startsWith("?") ? next : CONSOLE_PATH;
}
