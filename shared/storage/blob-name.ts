/**
 * Text from outside that becomes (part of) a blob name: checked as text before anything is done
 * with it, so no later step (signing, `encodeURIComponent`, a log line) meets a string it cannot
 * encode, and no name looks like another.
 */

/** A lone UTF-16 surrogate: JSON can carry one (`"\ud800"`); it is no character, and `encodeURIComponent` throws on it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether the text is well-formed Unicode (String.prototype.isWellFormed, which ES2023's types lack). */
export const isWellFormed = (text: string): boolean => !LONE_SURROGATE.test(text);

/**
 * Bidirectional and invisible format controls: LRM/RLM (U+200E/F), the embeddings and overrides
 * (U+202A–E) and the isolates (U+2066–9) make a name display as another ("Trojan Source");
 * zero-width characters (U+200B–D, U+2060, U+FEFF) and the other format characters (Cf) hide in one.
 */
const FORMAT_CONTROLS = /[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\p{Cf}]/u;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Why a relative blob path given by a caller (`field` names it in the answer) is refused, or
 * undefined when it is fine. Takes the name after NFC normalisation: a name is checked as it will
 * be stored.
 */
export function blobPathProblem(field: string, name: string, maxChars: number): string | undefined {
  const f = JSON.stringify(field);
  if (!isWellFormed(name)) return `${f} is not well-formed Unicode (it holds a lone surrogate)`;
  if (name.length === 0 || name.length > maxChars) return `${f} must be 1 to ${maxChars} characters`;
  if (/\\/.test(name) || CONTROL.test(name)) return `${f} may not contain a backslash or control characters`;
  if (FORMAT_CONTROLS.test(name)) return `${f} may not contain bidirectional or invisible format characters (U+200B–U+200F, U+202A–U+202E, U+2060–U+2069, U+FEFF)`;
  const segments = name.split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) return `${f} must be a relative path without empty, "." or ".." segments`;
  if (segments.some((s) => s.trim() === "")) return `${f} may not have a segment of whitespace only`;
  // Azure Storage drops a trailing dot (and Windows tools a trailing space): "a." would be stored as "a".
  if (segments.some((s) => /[.\s]$/u.test(s))) return `${f} may not have a segment that ends in a dot or a space`;
  return undefined;
}
