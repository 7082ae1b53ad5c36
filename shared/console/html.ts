/**
 * HTML built only from escaped text: every interpolated value is escaped unless it is already
 * `SafeHtml` (made by this template), so a column or file name a customer chose is shown, never
 * obeyed. There is no "raw" door for data: markup comes from literals in our own code.
 */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };

/** Text for an HTML element or a quoted attribute: the five specials and the backtick escaped, controls dropped. */
export function escapeHtml(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "").replace(/[&<>"'`]/g, (c) => ENTITIES[c]!);
}

type Part = SafeHtml | string | number | boolean | undefined | null | readonly Part[];

function render(part: Part): string {
  if (part === undefined || part === null || part === false) return "";
  if (part instanceof SafeHtml) return part.text;
  if (Array.isArray(part)) return (part as readonly Part[]).map(render).join("");
  if (typeof part === "number") return Number.isFinite(part) ? String(part) : "–";
  return escapeHtml(String(part));
}

/** `html\`<td>${name}</td>\``: the literal parts are markup, every value is escaped text. */
export function html(strings: TemplateStringsArray, ...values: readonly Part[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((v, i) => (out += render(v) + strings[i + 1]!));
  return new SafeHtml(out);
}

/** Markup made by our own code from parts already safe (an SVG path's numbers, say). */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
