import { WriteStream } from "node:tty";
import { styleText } from "node:util";

/** The styles the local programs use; Node's own names (util.styleText). */
export type Style = "bold" | "dim" | "green" | "red" | "yellow" | "cyan";

/** A piece of a line: plain text, or text in a style. */
export type Segment = string | readonly [Style, string];

/** Where the output goes: a stream and what it says about itself. */
export interface Sink {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

/**
 * Colour as Node decides it for its own output (tty's getColorDepth): FORCE_COLOR turns it on
 * even in a pipe ("0" or "false": off) and wins over NO_COLOR; otherwise a terminal gets colour
 * unless NO_COLOR is set or TERM is "dumb", and a pipe or a file gets plain text.
 */
export function colourWanted(sink: Pick<Sink, "isTTY">, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.FORCE_COLOR === undefined && sink.isTTY !== true) return false;
  return colourDepth(env) > 1;
}

/**
 * Node's own reading of the environment (it uses nothing of the stream it is called on), with
 * no-color.org's rule made explicit: NO_COLOR turns colour off "when present and not an empty
 * string". Node 24 reads it so; Node 22 also took an empty NO_COLOR as off, so the same terminal
 * would differ by Node version.
 */
const colourDepth = (env: Readonly<Record<string, string | undefined>>): number => {
  const { NO_COLOR, ...rest } = env;
  return WriteStream.prototype.getColorDepth(NO_COLOR === "" ? rest : env);
};

/**
 * Text from outside (a run's reason, a job id, a host log line, an error) as a terminal may show
 * it: control characters (escape sequences, carriage returns, bells) and bidirectional overrides
 * are dropped, so nothing it holds can move the cursor, recolour, retitle or reorder the screen.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it removes
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, "");
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const REDRAW_INTERVAL_IN_MS = 100;

/** What the programs print through: whole lines, and (on a terminal) one live line below them. */
export interface Terminal {
  /** Whether styles show (a terminal with colour, or FORCE_COLOR). */
  readonly colour: boolean;
  /** Whether the live line rewrites itself (a terminal); otherwise each change is a line of its own. */
  readonly live: boolean;
  line(...segments: Segment[]): void;
  /**
   * The state of something in progress. On a terminal: one line, rewritten in place with a
   * spinner and the seconds it has been in this `step`; a new step leaves the last one's text
   * above it. Elsewhere: a line for each change of `text` (what tests and scripts read).
   */
  progress(step: string, text: string): void;
  /** Ends the live line (it stays as a plain line), stops redrawing. */
  done(): void;
  style(style: Style, text: string): string;
}

export interface TerminalOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Before each progress line, e.g. the elapsed time. */
  readonly prefix?: () => string;
  readonly now?: () => number;
}

export function createTerminal(sink: Sink, o: TerminalOptions): Terminal {
  const colour = colourWanted(sink, o.env);
  const live = sink.isTTY === true && o.env.TERM !== "dumb";
  const now = o.now ?? Date.now;
  const style = (s: Style, text: string) => (colour ? styleText(s, printable(text), { validateStream: false }) : printable(text));
  const render = (segments: readonly Segment[]) => segments.map((s) => (typeof s === "string" ? printable(s) : style(s[0], s[1]))).join("");
  const prefix = () => (o.prefix ? `${style("dim", o.prefix())} ` : "");

  let current: { step: string; text: string; since: number; shown: string } | undefined;
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  let lastPlain = "";
  const clear = () => {
    if (current?.shown) sink.write("\r\u001b[2K");
  };
  const draw = () => {
    if (!current) return;
    const seconds = Math.floor((now() - current.since) / 1000);
    const text = `${SPINNER[frame++ % SPINNER.length]} ${printable(current.text)}${seconds > 0 ? ` · ${seconds} s` : ""}`;
    // Wider than the terminal, it would wrap, and \r would rewrite only its last row.
    const width = Math.max(20, (sink.columns || 80) - 1); // 0: a terminal that does not say
    const fitted = [...text].length > width ? `${[...text].slice(0, width - 1).join("")}…` : text;
    clear();
    sink.write(colour ? styleText("cyan", fitted, { validateStream: false }) : fitted);
    current.shown = fitted;
  };
  const settle = () => {
    if (!current) return;
    clear();
    sink.write(`${prefix()}${printable(current.text)}\n`);
    current = undefined;
  };
  return {
    colour,
    live,
    style,
    line: (...segments) => {
      clear();
      sink.write(`${render(segments)}\n`);
      if (current) draw();
    },
    progress: (step, text) => {
      if (!live) {
        if (text !== lastPlain) sink.write(`${prefix()}${printable(text)}\n`);
        lastPlain = text;
        return;
      }
      if (current && current.step !== step) settle();
      if (current) current.text = text;
      else current = { step, text, since: now(), shown: "" };
      timer ??= setInterval(draw, REDRAW_INTERVAL_IN_MS).unref();
      draw();
    },
    done: () => {
      if (timer) clearInterval(timer);
      timer = undefined;
      settle();
      lastPlain = "";
    },
  };
}
