import { styleText } from "node:util";
import type { Io } from "./io";
import { safeJson, terminalSafe } from "./terminal-text";

export type OutputMode = "table" | "json";

/** A column: header, how to read a cell, widest it may get (longer cells end in …). */
export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string | undefined;
  readonly maxWidth?: number;
  readonly align?: "right";
  readonly style?: (cell: string, row: T) => Style | undefined;
}

type Style = Parameters<typeof styleText>[0];

const RESULT_STYLE: Readonly<Record<string, Style>> = {
  promoted: "green", "rolled-back": "yellow", "dry-run": "cyan", skipped: "gray", rejected: "red", failed: "red", "data-rejected": "red", terminated: "red",
  running: "blue", "awaiting-approval": "magenta", Completed: "green", Failed: "red", Terminated: "red", Running: "blue", Pending: "blue",
};

/** Whether to colour: a terminal, unless NO_COLOR or --no-color; FORCE_COLOR (not 0) forces it. */
export function useColor(io: Io, flag: boolean): boolean {
  if (!flag || (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== "")) return false;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== "0") return true;
  return io.stdout.isTTY === true && io.env.TERM !== "dumb";
}

/** Cut to `width` characters (code points), the last one an ellipsis. */
export function truncate(text: string, width: number): string {
  const chars = Array.from(text);
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join("")}…`;
}

const width = (text: string) => Array.from(text).length;

/** Aligned columns; every cell made terminal-safe first, then cut, then (optionally) coloured. */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[], color: boolean): string {
  const cells = rows.map((r) => columns.map((c) => truncate(terminalSafe(c.value(r) ?? "–"), c.maxWidth ?? 60)));
  const widths = columns.map((c, i) => Math.max(width(c.header), ...cells.map((row) => width(row[i]!))));
  const pad = (text: string, i: number) => (columns[i]!.align === "right" ? text.padStart(widths[i]! + text.length - width(text)) : text.padEnd(widths[i]! + text.length - width(text)));
  const header = columns.map((c, i) => pad(c.header.toUpperCase(), i)).join("  ").trimEnd();
  const lines = cells.map((row, r) =>
    row.map((cell, i) => {
      const padded = pad(cell, i);
      const style = color ? columns[i]!.style?.(cell, rows[r]!) : undefined;
      return style ? padded.replace(cell, () => styleText(style, cell)) : padded;
    }).join("  ").trimEnd());
  return [color ? styleText("bold", header) : header, ...lines].join("\n") + "\n";
}

/** The colour for a run's result or runtime status. */
export const resultStyle = (cell: string): Style | undefined => RESULT_STYLE[cell.split(" ")[0] ?? ""];

const pad2 = (n: number) => String(n).padStart(2, "0");

/** "3 min ago", "in 2 h", "5 d ago". */
export function relative(iso: string, nowInMs: number): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return "";
  const diff = ms - nowInMs;
  const s = Math.abs(diff) / 1000;
  const text = s < 45 ? "just now" : s < 90 * 60 ? `${Math.round(s / 60)} min` : s < 36 * 3600 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86_400)} d`;
  return text === "just now" ? text : diff < 0 ? `${text} ago` : `in ${text}`;
}

/** Local time and how long ago: "2026-12-08 01:01 (3 min ago)". */
export function when(iso: string | undefined, nowInMs: number): string | undefined {
  if (!iso) return undefined;
  const d = new Date(iso);
  if (!Number.isFinite(d.getTime())) return terminalSafe(iso);
  const local = `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  return `${local} (${relative(iso, nowInMs)})`;
}

/** Local clock time for a follow line: "01:02:03". */
export function clock(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** Where a command's answer goes: a table or key/value lines on a terminal, the API's JSON when piped. */
export class Output {
  constructor(readonly io: Io, readonly mode: OutputMode, readonly color: boolean) {}

  json(value: unknown): void {
    this.io.stdout.write(`${safeJson(value)}\n`);
  }

  table<T>(rows: readonly T[], columns: readonly Column<T>[], empty: string): void {
    this.io.stdout.write(rows.length === 0 ? `${empty}\n` : renderTable(rows, columns, this.color));
  }

  /** "Key:  value" lines, aligned; values made terminal-safe. */
  fields(pairs: readonly (readonly [string, string | undefined])[]): void {
    const shown = pairs.filter((p): p is readonly [string, string] => p[1] !== undefined && p[1] !== "");
    const w = Math.max(...shown.map(([k]) => k.length));
    this.io.stdout.write(shown.map(([k, v]) => `${`${k}:`.padEnd(w + 2)}${terminalSafe(v)}`).join("\n") + "\n");
  }

  /** A line of prose on stdout (terminal-safe). */
  line(text: string): void {
    this.io.stdout.write(`${terminalSafe(text)}\n`);
  }

  /** A note on stderr, so JSON on stdout stays parseable. */
  note(text: string): void {
    this.io.stderr.write(`${terminalSafe(text)}\n`);
  }

  styled(style: Style | undefined, text: string): string {
    return this.color && style ? styleText(style, text) : text;
  }
}
