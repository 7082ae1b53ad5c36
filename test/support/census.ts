import { readFileSync } from "node:fs";
import path from "node:path";

/** The real Adult training data, shipped beside the project (CI has it too). */
export const ADULT_CSV_PATH = path.resolve(__dirname, "../../../shared/data/adult/adult-train.csv");

export function adultCsv(): string {
  return readFileSync(ADULT_CSV_PATH, "utf8");
}

/** The first `rows` data rows of the Adult set, with its header. */
export function adultSample(rows: number): string {
  const lines = adultCsv().split("\n");
  return lines.slice(0, rows + 1).join("\n") + "\n";
}

/** Header and rows of a CSV as string cells (the census file has no quoted fields). */
export function csvRows(text: string): { columns: string[]; rows: string[][] } {
  const [header, ...rest] = text.trim().split(/\r?\n/);
  return { columns: header!.split(","), rows: rest.map((l) => l.split(",")) };
}
