import { parse } from "csv-parse/sync";
import { TrainingError } from "./errors";

/** A CSV read as strings: the experiment decides column types itself, as Studio's modules did. */
export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export function parseCsv(text: string, what = "input1"): Table {
  let records: string[][];
  try {
    records = parse(text, { trim: true, skip_empty_lines: true, relax_column_count: false, bom: true });
  } catch (e) {
    throw new TrainingError(`${what} is not a valid CSV file: ${(e as Error).message}`);
  }
  const [header, ...rows] = records;
  if (!header || header.length === 0) throw new TrainingError(`${what} is empty: it has no header row.`);
  const seen = new Set<string>();
  for (const name of header) {
    if (name === "") throw new TrainingError(`${what} has an empty column name in its header.`);
    if (seen.has(name)) throw new TrainingError(`${what} has the column "${name}" twice.`);
    seen.add(name);
  }
  return { columns: header, rows };
}

/** Studio's Clean Missing Data treats empty cells and the census data's "?" as missing. */
export function isMissing(value: string | undefined): boolean {
  return value === undefined || value === "" || value === "?";
}

/** A finite number, or undefined: "1e3" and " 42 " count, "" and "12abc" do not. */
export function toNumber(value: string): number | undefined {
  if (value.trim() === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
