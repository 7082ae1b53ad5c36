// The links and headings of a Markdown file, as GitHub renders them: enough to check that a
// relative link reaches a file and an anchor reaches a heading. Fenced code is not Markdown, so
// a `# comment` in a shell block is no heading and a URL in one is no link.

export interface MarkdownLink {
  readonly line: number;
  readonly target: string;
}

/** Lines outside fenced code blocks, with their 1-based numbers. */
function proseLines(markdown: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fence: string | undefined;
  markdown.split("\n").forEach((text, i) => {
    const f = /^\s*(`{3,}|~{3,})/.exec(text)?.[1];
    if (f && (fence === undefined || f.startsWith(fence))) fence = fence === undefined ? f : undefined;
    else if (fence === undefined) out.push({ line: i + 1, text });
  });
  return out;
}

/** Inline links and images, `[text](target)` and `<https://…>` autolinks, outside inline code. */
export function linksOf(markdown: string): MarkdownLink[] {
  return proseLines(markdown).flatMap(({ line, text }) => {
    const prose = text.replace(/(`+)[^`]*?\1/g, "");
    const inline = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
    const auto = [...prose.matchAll(/<(https?:\/\/[^>\s]+)>/g)].map((m) => m[1]!);
    return [...inline, ...auto].map((target) => ({ line, target }));
  });
}

/**
 * GitHub's anchor for each heading: the text without Markdown, lower-cased, punctuation other than
 * `-` and `_` dropped, spaces as `-`; a repeated anchor gets `-1`, `-2`, … as GitHub numbers them.
 */
export function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text)?.[1];
    if (heading === undefined) continue;
    const plain = heading.replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[`*]/g, "").replace(/<[^>]+>/g, "");
    const base = plain.toLowerCase().replace(/[^\p{L}\p{N}\p{M}\p{Pc}\- ]/gu, "").replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}
