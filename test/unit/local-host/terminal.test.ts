import { describe, expect, it } from "vitest";
import { colourWanted, createTerminal, printable } from "../../../local-host/terminal";

/** A stream that keeps what is written, as a terminal (isTTY) or a pipe. */
function sink(isTTY: boolean, columns = 80) {
  const writes: string[] = [];
  return { isTTY, columns, writes, text: () => writes.join(""), write: (t: string) => writes.push(t) };
}
// eslint-disable-next-line no-control-regex -- escape sequences are what it looks for
const ESCAPE = /[\u001b\u009b]/;

describe("colourWanted", () => {
  it.each([
    [true, { TERM: "xterm-256color" }, true],
    [false, { TERM: "xterm-256color" }, false],
    [true, { TERM: "xterm-256color", NO_COLOR: "1" }, false],
    // no-color.org: only a NO_COLOR that is present and not empty turns colour off (on every Node version)
    [true, { TERM: "xterm-256color", NO_COLOR: "" }, true],
    [false, { TERM: "xterm-256color", FORCE_COLOR: "1" }, true],
    [false, { FORCE_COLOR: "1" }, true],
    [true, { TERM: "xterm-256color", FORCE_COLOR: "0" }, false],
    [false, { FORCE_COLOR: "false" }, false],
    [true, { TERM: "dumb" }, false],
  ])("terminal %s, environment %j: %s", (isTTY, env, wanted) => {
    expect(colourWanted({ isTTY }, env)).toBe(wanted);
  });
});

describe("printable", () => {
  it("drops escape sequences' controls, carriage returns, bells, C1 controls and bidi overrides; keeps newlines, tabs and text", () => {
    expect(printable("\u001b]0;pwned\u0007reason\r\u009b31m \u202eevil\u2069\tend\n")).toBe("]0;pwnedreason31m evil\tend\n");
    expect(printable("AUC 0.91 ✓ — ok")).toBe("AUC 0.91 ✓ — ok");
  });
});

describe("createTerminal", () => {
  it("piped: plain lines, one for each change of progress, no escape sequences, text from outside stripped", () => {
    const s = sink(false);
    const t = createTerminal(s, { env: { TERM: "xterm-256color" }, prefix: () => "[  1.0s]" });
    t.line(["bold", "Summary"]);
    t.progress("training", "training: job Running (poll 1)");
    t.progress("training", "training: job Running (poll 1)");
    t.progress("training", "training: job Running (poll 2)");
    t.progress("done", "done: rejected — \u001b[2Jgate failed");
    t.done();
    expect(s.text()).toBe("Summary\n[  1.0s] training: job Running (poll 1)\n[  1.0s] training: job Running (poll 2)\n[  1.0s] done: rejected — [2Jgate failed\n");
    expect(s.text()).not.toMatch(ESCAPE);
    expect(t.colour).toBe(false);
  });

  it("NO_COLOR on a terminal: the live line still rewrites itself, in no colour", () => {
    const s = sink(true);
    const t = createTerminal(s, { env: { NO_COLOR: "1" } });
    t.line(["green", "✓"], " passed");
    t.progress("training", "training: job Running (poll 1)");
    t.done();
    expect(s.text()).not.toMatch(new RegExp(`${"\u001b"}\\[\\d+m`));
    expect(s.text()).toContain("✓ passed\n");
    expect(s.text()).toContain("\r\u001b[2K");
  });

  it("piped with FORCE_COLOR=1: colours, but one line per change (no rewriting)", () => {
    const s = sink(false);
    const t = createTerminal(s, { env: { FORCE_COLOR: "1" } });
    t.line(["red", "✗"], " failed");
    t.progress("a", "one");
    t.progress("a", "two");
    expect(s.text()).toContain("\u001b[31m✗\u001b[39m failed\n");
    expect(s.text()).not.toContain("\r");
    expect(s.text()).toMatch(/one\n.*two\n/s);
  });

  it("terminal: the live line is rewritten in place with a spinner and the seconds in its step; a new step leaves the last one above", () => {
    const s = sink(true);
    let clock = 0;
    const t = createTerminal(s, { env: { TERM: "xterm-256color" }, prefix: () => "[t]", now: () => clock });
    t.progress("training", "training: job Running (poll 1)");
    clock = 12_000;
    t.progress("training", "training: job Running (poll 3)");
    expect(s.writes.at(-1)).toContain("⠙ training: job Running (poll 3) · 12 s");
    expect(s.writes.at(-2)).toBe("\r\u001b[2K"); // the previous state erased, not scrolled
    t.line("a line from elsewhere");
    expect(s.text()).toContain("\r\u001b[2Ka line from elsewhere\n");
    t.progress("evaluating", "job finished; reading its evaluation…");
    expect(s.text()).toMatch(/\[t\].* training: job Running \(poll 3\)\n/);
    t.done();
    expect(s.text().endsWith("job finished; reading its evaluation…\n")).toBe(true);
  });

  it("a live line wider than the terminal is cut to fit (a wrapped line could not be rewritten)", () => {
    const s = sink(true, 30);
    const t = createTerminal(s, { env: { NO_COLOR: "1" } });
    t.progress("x", "y".repeat(100));
    t.done();
    const drawn = s.writes.find((w) => w.startsWith("⠋"))!;
    expect([...drawn].length).toBe(29);
    expect(drawn.endsWith("…")).toBe(true);
    // A terminal that gives no width (0) is taken as 80 columns wide.
    const unsized = sink(true, 0);
    const u = createTerminal(unsized, { env: { NO_COLOR: "1" } });
    u.progress("x", "y".repeat(100));
    u.done();
    expect([...unsized.writes.find((w) => w.startsWith("⠋"))!].length).toBe(79);
  });
});
