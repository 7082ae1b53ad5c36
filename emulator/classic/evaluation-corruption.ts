/**
 * Ways an Evaluate Model output (output2) can come out wrong, injected by the `corruptEvaluation`
 * fault so tests can check that the pipeline fails closed instead of promoting on bad numbers.
 */
export const EVALUATION_CORRUPTIONS = ["malformed", "missing-metric", "nan"] as const;
export type EvaluationCorruption = (typeof EVALUATION_CORRUPTIONS)[number];

/** The metric the corruptions aim at: the one every gate uses. */
const METRIC = "AUC";

/**
 * - `malformed`: the output cut short halfway through its first data row, as a partly written
 *   blob would be: the header stays, the row has fewer cells than the header, later rows are gone.
 * - `missing-metric`: the AUC column is absent from the header and every row (otherwise well formed).
 * - `nan`: the new model's AUC (row 1) is `NaN`, as Evaluate Model wrote it for a degenerate test
 *   split; the compared model's row, if any, is untouched.
 */
export function corruptEvaluationCsv(csv: string, kind: EvaluationCorruption): string {
  const [header = "", ...rows] = csv.split(/\r?\n/).filter((l) => l !== "");
  const columns = header.split(",");
  const at = columns.indexOf(METRIC);
  if (at < 0) throw new Error(`The evaluation output has no ${METRIC} column to corrupt.`);
  switch (kind) {
    case "malformed": {
      const first = rows[0] ?? "";
      return `${header}\r\n${first.slice(0, Math.floor(first.length / 2))}`;
    }
    case "missing-metric":
      return [header, ...rows].map((l) => l.split(",").filter((_, i) => i !== at).join(",")).join("\r\n") + "\r\n";
    case "nan":
      return [header, ...rows.map((l, r) => (r === 0 ? l.split(",").map((v, i) => (i === at ? "NaN" : v)).join(",") : l))].join("\r\n") + "\r\n";
  }
}
