import { parse } from "csv-parse/sync";

export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export const SCORED_COLUMNS = ["Scored Labels", "Scored Probabilities"] as const;

/** Scores may differ by float formatting between machines, never by more than this. */
export const CANARY_TOLERANCE = 1e-6;

export interface CanaryResult {
  readonly matched: boolean;
  readonly rows: number;
  readonly maxDifference: number;
  /** Plain-language account, for the run's reason and the operator. */
  readonly summary: string;
}

/** Reads the training job's scored probe (output3): probe columns plus the two scored columns. */
export function parseScoredProbe(csv: string): { features: Table; probabilities: number[] } {
  const records: string[][] = parse(csv, { skip_empty_lines: true, bom: true });
  const [header, ...rows] = records;
  const p = header?.indexOf("Scored Probabilities") ?? -1;
  if (!header || p < 0 || rows.length === 0) throw new Error("The scored probe has no rows or no Scored Probabilities column.");
  const keep = header.map((c, i) => ((SCORED_COLUMNS as readonly string[]).includes(c) ? -1 : i)).filter((i) => i >= 0);
  return {
    features: { columns: keep.map((i) => header[i]!), rows: rows.map((r) => keep.map((i) => r[i] ?? "")) },
    probabilities: rows.map((r) => Number(r[p])),
  };
}

/** Compares what the endpoint answers with what the new model answered at training time. */
export function compareCanary(expected: readonly number[], served: Table): CanaryResult {
  const p = served.columns.indexOf("Scored Probabilities");
  if (p < 0) return { matched: false, rows: 0, maxDifference: Number.POSITIVE_INFINITY, summary: "the endpoint's answer has no Scored Probabilities column" };
  return compareProbabilities(expected, served.rows.map((r) => Number(r[p])));
}

/** The probe's probabilities as served against those at training time, row by row, within CANARY_TOLERANCE. */
export function compareProbabilities(expected: readonly number[], served: readonly number[]): CanaryResult {
  if (served.length !== expected.length) {
    return { matched: false, rows: served.length, maxDifference: Number.POSITIVE_INFINITY, summary: `the endpoint scored ${served.length} of ${expected.length} probe rows` };
  }
  let maxDifference = 0;
  let off = 0;
  served.forEach((v, i) => {
    const d = Math.abs(v - expected[i]!);
    if (!(d <= CANARY_TOLERANCE)) off++;
    maxDifference = Math.max(maxDifference, Number.isNaN(d) ? Number.POSITIVE_INFINITY : d);
  });
  const matched = off === 0;
  const summary = matched
    ? `all ${expected.length} probe rows scored as at training time (largest difference ${maxDifference.toExponential(1)})`
    : `${off} of ${expected.length} probe rows scored differently from training time (largest difference ${maxDifference.toFixed(4)}): the endpoint is not serving the new model`;
  return { matched, rows: expected.length, maxDifference, summary };
}
