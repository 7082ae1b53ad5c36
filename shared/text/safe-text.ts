/**
 * Text that came from outside the product (column names and label values from the data, file and
 * blob names, endpoint and model names, comments, reasons, callers) made safe for where it goes.
 * Every function first makes it plain and bounded (`plainText`), then escapes it for the format:
 * escaping is done where a message is rendered, never stored, so records keep what was seen.
 */

/** A name (endpoint, model, run, metric, column, blob) is cut past this many characters. */
export const NAME_CHARS = 256;
/** A sentence (a run's reason, a comment) is cut past this many characters. */
export const SENTENCE_CHARS = 1_000;

/** Tabs, and characters that break a line where they are: a forged line in a log, a new block in a card. */
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]/gu;
/**
 * The rest of the controls (C0, DEL, C1: \p{Cc}), the invisible format characters (\p{Cf}: the
 * bidi embeddings, overrides and isolates U+202A–E and U+2066–9, the marks U+200E/F and U+061C,
 * zero-width spaces and joiners, soft hyphen, BOM) and lone surrogates (\p{Cs}, left by a cut).
 * A bidi override makes `a\u202Eb` read as another text than the one stored (CVE-2021-42574).
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}]/gu;

/**
 * Printable, one line, at most `maxChars` characters (code points; an ellipsis marks a cut). Line
 * breaks and tabs become spaces, other controls and format characters are removed. For JSON,
 * telemetry properties and any text shown as is.
 */
export function plainText(text: string, maxChars: number = SENTENCE_CHARS): string {
  // Bound the work first: no more than a few code units per kept character are ever looked at.
  const head = text.length > maxChars * 4 + 16 ? text.slice(0, maxChars * 4 + 16) : text;
  const clean = head.replace(BREAKS, " ").replace(INVISIBLE, "");
  const chars = Array.from(clean);
  if (chars.length <= maxChars && head === text) return clean;
  return `${chars.slice(0, Math.max(0, Math.min(chars.length, maxChars - 1))).join("")}…`;
}

/** A whole log line is cut past this many characters. */
export const LOG_LINE_CHARS = 2_000;

/**
 * For a log line or a telemetry property: plain and one line, so it cannot forge another line or
 * read as another text: a name (`logSafe(blob)`), or a whole line made with outside text in it
 * (`context.log(logSafe(line, LOG_LINE_CHARS))`).
 */
export const logSafe = (text: unknown, maxChars: number = NAME_CHARS): string => plainText(String(text), maxChars);

/**
 * Slack mrkdwn: `&`, `<` and `>` are its control characters (`<!channel>`, `<@U…>`, `<url|text>`)
 * and are the only ones to encode, as their HTML entities; Slack decodes those three and no others
 * (https://api.slack.com/reference/surfaces/formatting#escaping). `*`, `_`, `~` and backticks
 * still style the text (Slack has no escape for them), but cannot link, mention or ping: a plain
 * `@channel` is text unless the message asks for `link_names`, which ours never does.
 */
export function slackText(text: string, maxChars: number = SENTENCE_CHARS): string {
  return plainText(text, maxChars).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** One line of Markdown cannot start a heading, list or rule: its first such character is backslash-escaped. */
const escapeBlockStart = (line: string): string =>
  line.replace(/^( {0,3})([#+=-])/, "$1\\$2").replace(/^( {0,3}\d{1,9})([.)])(?= |$)/, "$1\\$2");

/**
 * A Teams connector card (MessageCard) renders Markdown and a subset of HTML in its text fields
 * (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format,
 * "Format cards with Markdown" and "Format cards with HTML" for connector cards). So:
 * - `&`, `<`, `>` become entities: no tag (`<a href>`, `<img>`, `<at>` mentions), no autolink
 *   (`<https://…>`), no blockquote; Markdown decodes entities to the literal character;
 * - the inline Markdown punctuation is backslash-escaped (CommonMark: any ASCII punctuation may
 *   be): `[` `]` (links and images need them), `*` `_` `~` (emphasis, strikethrough), backticks and
 *   the backslash itself;
 * - what starts a block (`#` heading, `-`/`+` list or rule, `1. ` list) is escaped only at the
 *   start: the text has no line breaks left, so nowhere else can start one.
 * Nothing else is escaped, so an ordinary name (`census-v2`, `model.ilearner`) reads as it is
 * even where a client shows the field without rendering it.
 */
export function teamsText(text: string, maxChars: number = SENTENCE_CHARS): string {
  return escapeBlockStart(plainText(text, maxChars).replace(/[\\`*_~[\]]/g, "\\$&"))
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * An Adaptive Card's TextBlock and Fact title and value (Teams Workflows): a CommonMark subset,
 * bold, italic, lists and `[text](url)` links, and no HTML
 * (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format).
 * Entities are no escape here: the cards' shared renderer (iOS, Android) encodes `&` `<` `>`
 * itself, so `&lt;` would show as written. Every character that could start markup is
 * backslash-escaped instead, as CommonMark allows for any ASCII punctuation:
 * - `[` `]` `(` `)`: no link or image; with `](` broken, not even a renderer that ignores the
 *   escapes finds one (the older shared parser looks for `](` with nothing between);
 * - `<` `>` `&`: no autolink (`<https://…>`), no `<at>` mention, no entity read as another character;
 * - `*` `_` `~` and backticks: no emphasis or code; the backslash itself;
 * - a heading, list or rule at the start, as in `teamsText`.
 * A renderer that ignores escapes shows the backslashes; none obeys the text.
 */
export function adaptiveText(text: string, maxChars: number = SENTENCE_CHARS): string {
  return escapeBlockStart(plainText(text, maxChars).replace(/[\\`*_~[\]()<>&]/g, "\\$&"));
}

/**
 * `escape(text, maxChars)` cut further, before escaping, until it is at most `maxOutChars` long
 * (UTF-16 units): for a field with a length limit of its own, where escaping can make the text up
 * to five times longer. The cut is never inside an escape.
 */
export function fitEscaped(escape: (text: string, maxChars: number) => string, text: string, maxChars: number, maxOutChars: number): string {
  for (let n = maxChars; ; ) {
    const out = escape(text, n);
    if (out.length <= maxOutChars || n <= 1) return out;
    n = Math.max(1, Math.min(n - 1, Math.floor((n * maxOutChars) / out.length)));
  }
}

/** A metric as a card shows it: four decimals, or a word for what is not a finite number. */
export function metricText(value: unknown): string {
  if (typeof value !== "number") return "missing";
  if (Number.isNaN(value)) return "not a number";
  if (!Number.isFinite(value)) return value > 0 ? "infinite" : "minus infinite";
  return value.toFixed(4);
}
