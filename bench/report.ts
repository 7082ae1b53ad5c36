// The one output format of every benchmark: a ratio table on stdout and a JSON file in
// bench/results/, so figures can be compared across versions. Absolute times on a shared
// machine are noise; each row sets the project's figure next to a baseline or ideal measured in
// the same run.
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export interface BenchRow {
  /** What was measured, e.g. "1 GiB, file source". */
  readonly case: string;
  readonly unit: string;
  /** The project's figure. */
  readonly project: number;
  /** The baseline or ideal, measured (or computed from measurements) in the same run. */
  readonly baseline: number;
  /** What the baseline is, e.g. "one Put Blob (node:http)". */
  readonly baselineIs: string;
  /** project ÷ baseline (or the ratio the target is stated in). */
  readonly ratio: number;
  /** The target, in words, e.g. "≥ 1.15×"; absent when the row only reports. */
  readonly target?: string;
  readonly met?: boolean;
}

export interface BenchReport {
  readonly name: string;
  readonly rows: readonly BenchRow[];
  readonly notes?: readonly string[];
  /** Anything else worth tracking (raw samples, settings). */
  readonly details?: unknown;
}

const fixed = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : String(n));

export function formatRows(rows: readonly BenchRow[]): string {
  const head = ["case", "project", "baseline", "ratio", "target", ""];
  const body = rows.map((r) => [
    r.case, `${fixed(r.project)} ${r.unit}`, `${fixed(r.baseline)} ${r.unit} (${r.baselineIs})`, `${fixed(r.ratio)}×`, r.target ?? "–",
    r.met === undefined ? "" : r.met ? "met" : "MISSED",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

/** Prints the table and writes `bench/results/{name}.json` (from the repo root). */
export async function report(r: BenchReport): Promise<void> {
  console.log(`\n${r.name} (node ${process.version}, ${os.cpus().length} CPUs)`);
  console.log(formatRows(r.rows));
  for (const n of r.notes ?? []) console.log(`Note: ${n}`);
  const dir = path.resolve(__dirname, "..", "..", "bench", "results"); // dist/bench/ -> repo root
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${r.name}.json`);
  await writeFile(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, ...r }, null, 2) + "\n");
  console.log(`Wrote ${path.relative(process.cwd(), file)}`);
}
