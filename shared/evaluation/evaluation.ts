/** Evaluate Model's binary-classification columns, in the order Studio writes them. */
export const METRIC_NAMES = ["Accuracy", "Precision", "Recall", "F-Score", "AUC", "Average Log Loss", "Training Log Loss"] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
export type Metrics = Readonly<Record<MetricName, number>>;

/**
 * The values each metric can take. Studio's "Training Log Loss" is the log loss's advantage over
 * a random prediction (1 − loss/prior loss): at most 1, negative when worse than random.
 */
export interface MetricRange {
  readonly min: number;
  readonly max: number;
  readonly text: string;
  /** Which way is better: the gate refuses rules that cannot tell models apart, either way. */
  readonly higherIsBetter: boolean;
}
const UNIT: MetricRange = { min: 0, max: 1, text: "between 0 and 1", higherIsBetter: true };
export const METRIC_RANGE: Readonly<Record<MetricName, MetricRange>> = {
  Accuracy: UNIT, Precision: UNIT, Recall: UNIT, "F-Score": UNIT, AUC: UNIT,
  "Average Log Loss": { min: 0, max: Number.POSITIVE_INFINITY, text: "0 or more", higherIsBetter: false },
  "Training Log Loss": { min: Number.NEGATIVE_INFINITY, max: 1, text: "at most 1", higherIsBetter: true },
};

export class EvaluationError extends Error {
  override readonly name = "EvaluationError";
}

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
      // A value outside its metric's range means the output is not what we think it is.
      const range = METRIC_RANGE[m];
      if (v < range.min || v > range.max) throw new EvaluationError(`Evaluation row ${r + 1}: ${m} is ${v}, not ${range.text}.`);
      out[m] = v;
    }
    return out;
  });
  return parsed.length === 2 ? { model: parsed[0]!, compared: parsed[1]! } : { model: parsed[0]! };
}
