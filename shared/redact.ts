/**
 * Removes secrets from text before it is logged or emitted: storage account keys, SAS
 * signatures and bearer tokens. Applied at every log and telemetry sink, not at call sites.
 */
const PATTERNS: readonly [RegExp, string][] = [
  [/(AccountKey=)[^;"'\s]+/gi, "$1[REDACTED]"],
  [/(SharedAccessSignature=)[^;"'\s]+/gi, "$1[REDACTED]"],
  // sig= anywhere (also URL-encoded as sig%3D), up to the next parameter or quote
  [/((?<![A-Za-z])sig(?:=|%3D))[^&"'\s]+?(?=%26|&|["'\s]|$)/gi, "$1[REDACTED]"],
  [/(Bearer\s+)[^\s"',]+/gi, "$1[REDACTED]"],
];

export function redact(text: string): string {
  return PATTERNS.reduce((t, [re, replacement]) => t.replace(re, replacement), text);
}

/** Redacts exact secret values too (API keys have no recognisable shape). */
export function redactValues(text: string, secrets: readonly string[]): string {
  let out = redact(text);
  for (const s of secrets) if (s.length >= 8) out = out.split(s).join("[REDACTED]");
  return out;
}
