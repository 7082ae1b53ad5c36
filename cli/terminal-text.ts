/**
 * Everything the app sends is printed as hostile: a run's reason, a comment, a caller's name or
 * a model path could carry ANSI escapes (`\u001b]0;title\u0007` retitles the terminal, `\u001b[2J`
 * clears it) or bidi overrides that make a text read as another. These become visible `\u001b`
 * escapes, so nothing reaches the terminal as a control and a reader sees something odd is there.
 */

/** Controls (C0, DEL, C1), invisible format characters (bidi, zero-width, BOM) and lone surrogates. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}]/gu;
const BREAKS = /\r\n|[\n\r\t\v\f\u0085\u2028\u2029]/gu;

const escaped = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** One printable line: breaks and tabs become spaces, other unprintables visible escapes. */
export function terminalSafe(text: unknown): string {
  return String(text).replace(BREAKS, " ").replace(UNPRINTABLE, escaped);
}

/**
 * JSON for a terminal or a pipe: the same value (JSON.parse gives it back unchanged), with the
 * unprintables JSON.stringify leaves raw (DEL, C1 such as U+009B CSI, bidi overrides) escaped too.
 */
export function safeJson(value: unknown): string {
  // JSON.stringify already escapes C0 inside strings; the raw ones left are its own line breaks.
  return JSON.stringify(value, null, 2).replace(/[\u007f-\u009f\p{Cf}\p{Cs}]/gu, escaped);
}

/** A URL as it may be printed: no user info, no query (a `code=` key or a SAS would be in it). */
export function printableUrl(url: string): string {
  try {
    const u = new URL(url);
    return terminalSafe(`${u.protocol}//${u.host}${u.pathname === "/" ? "" : u.pathname}`);
  } catch {
    return "(not a URL)";
  }
}
