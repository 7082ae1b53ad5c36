import { CLASSIC_METRICS, EVALUATION_COLUMNS } from "./metrics";
import type { Metrics } from "../../evaluation/metrics";
import { rangeOf } from "../../evaluation/vocabulary";

export class EvaluationError extends Error {
  override readonly name = "EvaluationError";
}

/**
 * Parses the Evaluate Model CSV strictly: every column present, every value a finite number in
 * its range. Anything else throws — the caller must fail closed and promote nothing.
 * Row 1 is the new model; row 2, when present, the "scored dataset to compare". The metrics come
 * back under their canonical names (`AUC` → `auc`); messages about the file name its columns.
 */
export function parseEvaluation(csv: string): { model: Metrics; compared?: Metrics } {
  const lines = csv.replace(/^\uFEFF/, "").split(/\r?\n/).filter((l) => l.trim() !== "");
  const [header, ...rows] = lines;
  if (!header) throw new EvaluationError("The evaluation output is empty.");
  const columns = header.split(",").map((c) => c.trim().replace(/^"|"$/g, ""));
  const missing = EVALUATION_COLUMNS.filter((m) => !columns.includes(m));
  if (missing.length > 0) throw new EvaluationError(`The evaluation output lacks the column(s): ${missing.join(", ")}.`);
  if (rows.length === 0) throw new EvaluationError("The evaluation output has a header but no rows.");
  if (rows.length > 2) throw new EvaluationError(`The evaluation output has ${rows.length} rows; expected 1 (or 2 with a compared model).`);
  const parsed = rows.map((line, r) => {
    const cells = line.split(",").map((c) => c.trim().replace(/^"|"$/g, ""));
    if (cells.length !== columns.length) throw new EvaluationError(`Evaluation row ${r + 1} has ${cells.length} values for ${columns.length} columns.`);
    const out: Record<string, number> = {};
    for (const [m, name] of Object.entries(CLASSIC_METRICS.reports)) {
      const raw = cells[columns.indexOf(m)]!;
      const v = raw === "" ? Number.NaN : Number(raw);
      if (!Number.isFinite(v)) throw new EvaluationError(`Evaluation row ${r + 1}: ${m} is "${raw}", not a finite number.`);
      // A value outside its metric's range means the output is not what we think it is.
      const range = rangeOf(name);
      if (v < range.min || v > range.max) throw new EvaluationError(`Evaluation row ${r + 1}: ${m} is ${v}, not ${range.text}.`);
      out[name] = v;
    }
    return out;
  });
  return parsed.length === 2 ? { model: parsed[0]!, compared: parsed[1]! } : { model: parsed[0]! };
}
