import { describe, expect, it } from "vitest";
import { adaptiveText, fitEscaped, LOG_LINE_CHARS, logSafe, metricText, NAME_CHARS, plainText, slackText, teamsText } from "../../../../shared/text/safe-text";

describe("plainText", () => {
  it("turns line breaks and tabs into spaces, so no text can start a line of its own", () => {
    expect(plainText("x\nFAKE LINE")).toBe("x FAKE LINE");
    expect(plainText("a\r\nb\tc\u2028d\u2029e\u0085f\vg\fh")).toBe("a  b c d e f g h");
  });

  it("removes the other controls, the bidi and other invisible format characters, and lone surrogates", () => {
    expect(plainText("a\u202Eb")).toBe("ab");
    const invisible = ["\u0000", "\u0007", "\u001B", "\u007F", "\u0080", "\u009B", "\u00AD", "\u061C", "\u200B", "\u200D", "\u200E", "\u200F", "\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069", "\uFEFF", "\uDFFF", "\uD800"];
    expect(plainText(`a${invisible.join("")}b`)).toBe("ab"); // the surrogates in the wrong order: two lone ones
    // printable text from anywhere stays as it is
    expect(plainText("Zürich ≤ 50K · 東京 · عربى · 😀 <=50K")).toBe("Zürich ≤ 50K · 東京 · عربى · 😀 <=50K");
  });

  it("keeps at most maxChars characters, the last of them an ellipsis when it cut", () => {
    expect(plainText("abcdef", 6)).toBe("abcdef");
    expect(plainText("abcdefg", 6)).toBe("abcde…");
    expect(Array.from(plainText("😀".repeat(10), 4))).toEqual(["😀", "😀", "😀", "…"]);
    expect(plainText("A".repeat(10_000), 1_000)).toHaveLength(1_000);
  });

  it("looks at a bounded head of a huge input: ten million characters take no time", () => {
    const huge = `${"\u202E".repeat(5_000_000)}${"x".repeat(5_000_000)}`;
    const t0 = performance.now();
    const out = plainText(huge, 100);
    expect(performance.now() - t0).toBeLessThan(250); // well under a millisecond alone; the bound allows a loaded machine
    expect(out).toBe("…");
    expect(plainText(`${"\n".repeat(300)}y`, 100)).toBe(`${" ".repeat(99)}…`);
  });

  it("logSafe: any value as one bounded line", () => {
    expect(logSafe("blob\n2026-12-07 INFO forged")).toBe("blob 2026-12-07 INFO forged");
    expect(logSafe("x".repeat(1_000))).toHaveLength(NAME_CHARS);
    expect(logSafe(42)).toBe("42");
    expect(logSafe(`Ignored blob data/${"x\n".repeat(5_000)}.`, LOG_LINE_CHARS)).toHaveLength(LOG_LINE_CHARS);
  });
});

describe("slackText", () => {
  it("encodes &, < and > only, so mentions and links stay text", () => {
    expect(slackText("<!channel> <https://evil.example/a|Approve>")).toBe("&lt;!channel&gt; &lt;https://evil.example/a|Approve&gt;");
    expect(slackText("<=50K & >50K")).toBe("&lt;=50K &amp; &gt;50K");
    expect(slackText("&lt;")).toBe("&amp;lt;");
    expect(slackText("[Approve](https://evil.example) census-v2 *x*")).toBe("[Approve](https://evil.example) census-v2 *x*");
  });
});

describe("teamsText", () => {
  it("leaves no Markdown link, image, HTML tag or autolink", () => {
    expect(teamsText("[Approve](https://evil.example)")).toBe("\\[Approve\\](https://evil.example)");
    expect(teamsText("![x](https://evil.example/pixel.gif)")).toBe("!\\[x\\](https://evil.example/pixel.gif)");
    expect(teamsText('<a href="https://evil.example">x</a>')).toBe('&lt;a href="https://evil.example"&gt;x&lt;/a&gt;');
    expect(teamsText("<https://evil.example>")).toBe("&lt;https://evil.example&gt;");
    expect(teamsText("<at>Adele</at>")).toBe("&lt;at&gt;Adele&lt;/at&gt;");
    expect(teamsText("<=50K")).toBe("&lt;=50K");
  });

  it("escapes emphasis, code, the backslash itself, and what starts a block only at the start", () => {
    expect(teamsText("**b** _i_ ~~s~~ `c` \\[")).toBe("\\*\\*b\\*\\* \\_i\\_ \\~\\~s\\~\\~ \\`c\\` \\\\\\[");
    expect(teamsText("# h")).toBe("\\# h");
    expect(teamsText("- item")).toBe("\\- item");
    expect(teamsText("+ item")).toBe("\\+ item");
    expect(teamsText("12. item")).toBe("12\\. item");
    expect(teamsText("---")).toBe("\\---");
    expect(teamsText("> quote")).toBe("&gt; quote");
    expect(teamsText("&amp;")).toBe("&amp;amp;");
  });

  it("leaves ordinary names as they read", () => {
    for (const name of ["census-v2", "retrain-20261203T101010Z-abc123", "models/model.ilearner", "AUC", "hours-per-week", "1.5 (sha256 ab12…)"]) expect(teamsText(name)).toBe(name);
  });
});

describe("adaptiveText", () => {
  /** What a CommonMark renderer shows for text that holds only backslash escapes: each escaped punctuation as itself. */
  const shown = (s: string) => s.replace(/\\([!-/:-@[-`{-~])/g, "$1");
  /** Markup characters a renderer could obey: any of these not behind a backslash. */
  const live = (s: string) => s.replace(/\\[!-/:-@[-`{-~]/g, "").match(/[[\]()<>&*_~`\\]/g) ?? [];

  it("a hostile column name is shown as written: no bold, no link, no mention", () => {
    const hostile = "**x** [Approve](https://evil.example) <at>Adele</at>";
    const out = adaptiveText(hostile);
    expect(out).toBe("\\*\\*x\\*\\* \\[Approve\\]\\(https://evil.example\\) \\<at\\>Adele\\</at\\>");
    expect(live(out)).toEqual([]);
    expect(shown(out)).toBe(hostile);
    // not even a parser that ignores escapes finds a link: "](" never stands together
    expect(out).not.toContain("](");
  });

  it("no autolink, image, HTML, entity or code; what starts a block only at the start", () => {
    for (const text of ["<https://evil.example>", "![x](https://evil.example/pixel.gif)", '<a href="https://evil.example">x</a>', "&lt;at&gt;", "`code`", "~~s~~ _i_", "\\[x]"]) {
      const out = adaptiveText(text);
      expect(live(out), out).toEqual([]);
      expect(shown(out)).toBe(text);
    }
    expect(adaptiveText("# h")).toBe("\\# h");
    expect(adaptiveText("- item")).toBe("\\- item");
    expect(adaptiveText("12. item")).toBe("12\\. item");
    expect(adaptiveText("12) item")).toBe("12\\) item");
    expect(adaptiveText("a - b # c")).toBe("a - b # c");
  });

  it("a label value reads as it is; no entity, which the cards' shared renderer would show as written", () => {
    expect(adaptiveText("<=50K & >50K")).toBe("\\<=50K \\& \\>50K");
    expect(shown(adaptiveText("<=50K & >50K"))).toBe("<=50K & >50K");
  });

  it("one line, printable, bounded, and ordinary names unchanged", () => {
    expect(adaptiveText("x\nFAKE LINE a\u202Eb")).toBe("x FAKE LINE ab");
    expect(Array.from(adaptiveText("A".repeat(5_000), NAME_CHARS))).toHaveLength(NAME_CHARS);
    for (const name of ["census-v2", "retrain-20261203T101010Z-abc123", "models/model.ilearner", "AUC", "hours-per-week"]) expect(adaptiveText(name)).toBe(name);
  });
});

describe("fitEscaped", () => {
  it("cuts before escaping until the escaped text fits, never inside an escape", () => {
    const out = fitEscaped(slackText, "<".repeat(10_000), 1_000, 3_000);
    expect(out.length).toBeLessThanOrEqual(3_000);
    expect(out).toMatch(/^(&lt;)+…$/);
    expect(fitEscaped(slackText, "a<b", 1_000, 3_000)).toBe("a&lt;b");
    const cut = fitEscaped(adaptiveText, "[".repeat(100), 100, 21);
    expect(cut.length).toBeLessThanOrEqual(21);
    expect(cut).toMatch(/^(\\\[){8,10}…$/);
  });
});

describe("metricText", () => {
  it("four decimals for a number, a word for anything else", () => {
    expect(metricText(0.9123456)).toBe("0.9123");
    expect(metricText(Number.NaN)).toBe("not a number");
    expect(metricText(Number.POSITIVE_INFINITY)).toBe("infinite");
    expect(metricText(Number.NEGATIVE_INFINITY)).toBe("minus infinite");
    expect(metricText(null)).toBe("missing");
    expect(metricText("0.9")).toBe("missing");
  });
});
