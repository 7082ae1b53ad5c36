/** Evaluate Model's binary-classification columns, in the order Studio writes them. */
export const METRIC_NAMES = ["Accuracy", "Precision", "Recall", "F-Score", "AUC", "Average Log Loss", "Training Log Loss"] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
export type Metrics = Readonly<Record<MetricName, number>>;

export class EvaluationError extends Error {
  override readonly name = "EvaluationError";
}

/** Metrics that are probabilities; a value outside [0, 1] means the output is not what we think. */
const UNIT_INTERVAL: readonly MetricName[] = ["Accuracy", "Precision", "Recall", "F-Score", "AUC"];

/**
 * Parses the Evaluate Model CSV strictly: every column present, every value a finite number in
 * its range. Anything else throws — the caller must fail closed and promote nothing.
 * Row 1 is the new model; row 2, when present, the "scored dataset to compare".
 */
export function parseEvaluation(csv: string): { model: Metrics; compared?: Metrics } {
  const lines = csv.replace(/^\uFEFF/, "").split(/\r?\n/).filter((l) => l.trim() !== "");
  const [header, ...rows] = lines;
  if (!header) throw new EvaluationError("The evaluation output is empty.");
  const columns = header.split(",").map((c) => c.trim().replace(/^"|"$/g, ""));
  const missing = METRIC_NAMES.filter((m) => !columns.includes(m));
  if (missing.length > 0) throw new EvaluationError(`The evaluation output lacks the column(s): ${missing.join(", ")}.`);
  if (rows.length === 0) throw new EvaluationError("The evaluation output has a header but no rows.");
  if (rows.length > 2) throw new EvaluationError(`The evaluation output has ${rows.length} rows; expected 1 (or 2 with a compared model).`);
  const parsed = rows.map((line, r) => {
    const cells = line.split(",").map((c) => c.trim().replace(/^"|"$/g, ""));
    if (cells.length !== columns.length) throw new EvaluationError(`Evaluation row ${r + 1} has ${cells.length} values for ${columns.length} columns.`);
    const out = {} as Record<MetricName, number>;
    for (const m of METRIC_NAMES) {
      const raw = cells[columns.indexOf(m)]!;
      const v = raw === "" ? Number.NaN : Number(raw);
      if (!Number.isFinite(v)) throw new EvaluationError(`Evaluation row ${r + 1}: ${m} is "${raw}", not a finite number.`);
      if (UNIT_INTERVAL.includes(m) && (v < 0 || v > 1)) throw new EvaluationError(`Evaluation row ${r + 1}: ${m} is ${v}, outside [0, 1].`);
      if (m === "Average Log Loss" && v < 0) throw new EvaluationError(`Evaluation row ${r + 1}: Average Log Loss is ${v}, below 0.`);
      out[m] = v;
    }
    return out;
  });
  return parsed.length === 2 ? { model: parsed[0]!, compared: parsed[1]! } : { model: parsed[0]! };
}
