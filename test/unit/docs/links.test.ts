// The README is a quickstart that sends readers into docs/: every relative link there and in
// docs/*.md must reach a file of the repository, and every #anchor a heading of that file, so a
// moved section or a renamed heading fails here instead of in a reader's browser.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { anchorsOf, linksOf } from "./markdown-links";

const ROOT = path.resolve(__dirname, "../../..");
const README_MAX_LINES = 150;
const files = ["README.md", ...readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

/** Each relative link's problem, if it has one: a missing file, or an anchor no heading makes. */
function brokenLinks(file: string, text = read(file)): string[] {
  return linksOf(text).flatMap(({ line, target }) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return []; // https:, mailto: — not the repository's
    const [pathPart = "", anchor] = target.split("#", 2) as [string, string | undefined];
    const resolved = pathPart === "" ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURI(pathPart)));
    const where = `${file}:${line} → ${target}`;
    if (resolved.startsWith("..")) return [`${where}: leaves the repository`];
    if (!existsSync(path.join(ROOT, resolved))) return [`${where}: no file ${resolved}`];
    if (anchor === undefined) return [];
    if (!resolved.endsWith(".md") || statSync(path.join(ROOT, resolved)).isDirectory()) return [`${where}: an anchor into a file that is not Markdown`];
    return anchorsOf(read(resolved)).has(anchor) ? [] : [`${where}: no heading makes #${anchor} in ${resolved}`];
  });
}

describe("documentation links", () => {
  it.each(files)("every relative link in %s reaches a file, and every anchor a heading", (file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it("names a missing file and a missing anchor, and leaves web links and code alone", () => {
    const text = "[a](nowhere.md) [b](../README.md#no-such-heading) [c](pipeline.md#triggers) <https://example.com> `[d](gone.md)`";
    expect(brokenLinks("docs/x.md", text)).toEqual([
      "docs/x.md:1 → nowhere.md: no file docs/nowhere.md",
      "docs/x.md:1 → ../README.md#no-such-heading: no heading makes #no-such-heading in README.md",
    ]);
  });

  it(`keeps the README a quickstart: at most ${README_MAX_LINES} lines`, () => {
    expect(read("README.md").split("\n").length - (read("README.md").endsWith("\n") ? 1 : 0)).toBeLessThanOrEqual(README_MAX_LINES);
  });

  it("keeps the README's test command the one CI runs", () => {
    expect(read("README.md")).toMatch(/^npm test\b/m);
    expect(read(".ci/run")).toMatch(/^npm test$/m);
  });
});

describe("anchors as GitHub makes them", () => {
  it("drop punctuation and code marks, join words with dashes, number repeats, and skip fenced code", () => {
    const anchors = anchorsOf("# Data checks, before any job\n## `npm run serve`\n## Azure ML (v2)\n## Flags\n### Flags\n```sh\n# not a heading\n```\n");
    expect([...anchors]).toEqual(["data-checks-before-any-job", "npm-run-serve", "azure-ml-v2", "flags", "flags-1"]);
  });
});
