import { parseCsv, isMissing, type Table } from "./table";
import { fitFeatures, makeEncoder, dimensionsOf } from "./features";
import { trainLogistic } from "./logistic";
import { evaluate, evaluationCsv, type EvaluationMetrics } from "./metrics";
import { ILEARNER_FORMAT, ILEARNER_VERSION, makeScorer, type Scorer, type TrainedModel } from "./ilearner";
import { seededRandom, shuffledIndices } from "./rng";
import { TrainingError } from "./errors";

/** The training experiment's global parameters (names are case-sensitive, as in Studio). */
export interface ExperimentParameters {
  /** Label column; default: `class`, else `income`. */
  readonly labelColumn?: string;
  readonly seed: number;
  /** Fraction of rows in the training split. */
  readonly splitFraction: number;
}

export interface ExperimentResult {
  readonly model: TrainedModel;
  readonly metrics: EvaluationMetrics;
  readonly championMetrics?: EvaluationMetrics;
  readonly evaluationCsv: string;
  readonly rows: { readonly total: number; readonly train: number; readonly test: number };
  /** The probe rows scored by the new model (web-service output3), present when a probe was given. */
  readonly scoredProbeCsv?: string;
  /** The same probe rows scored by the champion, when one was given: what a rollback to it must serve. */
  readonly championProbeCsv?: string;
}

/** The columns RRS `execute` appends to its input; the probe output appends the same. */
export const SCORED_COLUMNS = ["Scored Labels", "Scored Probabilities"] as const;

const TRAINING = { epochs: 12, batchSize: 128, learningRate: 0.05, l2: 1e-5 } as const;

/**
 * Census Model's training experiment: Clean Missing Data → Split Data → Train Model
 * (two-class logistic regression) → Score Model → Evaluate Model.
 */
export async function runExperiment(
  csv: string,
  p: ExperimentParameters,
  isCancelled?: () => boolean,
  champion?: TrainedModel,
  /** Probe rows (web-service input2) to score with the new model; read before training so a malformed file fails fast. */
  probeCsv?: string,
): Promise<ExperimentResult> {
  const probe = probeCsv === undefined ? undefined : parseCsv(probeCsv, "input2");
  const table = parseCsv(csv);
  const labelColumn = p.labelColumn ?? ["class", "income"].find((c) => table.columns.includes(c));
  const labelIndex = labelColumn === undefined ? -1 : table.columns.indexOf(labelColumn);
  if (labelColumn === undefined || labelIndex < 0) {
    throw new TrainingError(
      `input1 has no label column ${labelColumn === undefined ? '"class" or "income"' : `"${labelColumn}"`}; its columns are: ${table.columns.join(", ")}.`,
    );
  }
  const usable = table.rows.filter((r) => !isMissing(r[labelIndex]));
  if (usable.length === 0) throw new TrainingError(`input1 has no rows with a value in the label column "${labelColumn}".`);
  const labelNames = [...new Set(usable.map((r) => r[labelIndex]!))].sort();
  if (labelNames.length !== 2) {
    throw new TrainingError(`The label column "${labelColumn}" must have exactly 2 distinct values for binary classification; it has ${labelNames.length}.`);
  }
  const [negative, positive] = labelNames as [string, string];
  const data = { columns: table.columns, rows: usable };

  const order = shuffledIndices(usable.length, seededRandom(p.seed));
  const trainCount = Math.round(usable.length * p.splitFraction);
  const trainIdx = order.subarray(0, trainCount);
  const testIdx = order.subarray(trainCount);
  if (trainIdx.length < 2 || testIdx.length < 1) {
    throw new TrainingError(`input1 has ${usable.length} labelled rows: too few to split into training and test sets.`);
  }

  const features = fitFeatures(data, labelIndex, trainIdx);
  const encode = makeEncoder(features);
  const column = new Map(table.columns.map((c, i) => [c, i]));
  const rowOf = (r: readonly string[]) => encode((name) => r[column.get(name)!]);
  const labelOf = (r: readonly string[]) => (r[labelIndex] === positive ? 1 : 0);

  const trainRows = Array.from(trainIdx, (i) => rowOf(usable[i]!));
  const trainLabels = Uint8Array.from(trainIdx, (i) => labelOf(usable[i]!));
  const fit = await trainLogistic(trainRows, trainLabels, { ...TRAINING, dimensions: dimensionsOf(features), seed: p.seed, isCancelled });
  const positiveRate = trainLabels.reduce((a, b) => a + b, 0) / trainLabels.length;

  const model: TrainedModel = {
    format: ILEARNER_FORMAT,
    formatVersion: ILEARNER_VERSION,
    learner: "TwoClassLogisticRegression",
    labelColumn,
    labels: [negative, positive],
    features,
    weights: fit.weights,
    bias: fit.bias,
    trainingPositiveRate: positiveRate,
    trainedOn: { rows: trainIdx.length, seed: p.seed, splitFraction: p.splitFraction },
  };
  // Score the held-out rows through the same path RRS uses, so evaluation tests what is served.
  const scorer = makeScorer(model);
  const testRows = Array.from(testIdx, (i) => usable[i]!);
  const probabilities = testRows.map((r) => scorer.probability((name) => r[column.get(name)!]));
  const metrics = evaluate(probabilities, testRows.map(labelOf), positiveRate);
  // Evaluate Model's second input: the model serving today, scored on the same held-out rows.
  const compared = champion ? evaluateChampion(champion, testRows, column, labelOf, positiveRate) : undefined;
  // Score Model on the probe (input2 → output3), through the same scorer RRS builds from the .ilearner.
  const scoredProbe = probe ? scoreProbe(scorer, probe) : undefined;
  const championProbe = probe && champion ? scoreProbe(makeScorer(champion), probe) : undefined;
  return {
    model,
    metrics,
    ...(compared ? { championMetrics: compared } : {}),
    evaluationCsv: evaluationCsv(compared ? [metrics, compared] : [metrics]),
    rows: { total: usable.length, train: trainIdx.length, test: testIdx.length },
    ...(scoredProbe !== undefined ? { scoredProbeCsv: scoredProbe } : {}),
    ...(championProbe !== undefined ? { championProbeCsv: championProbe } : {}),
  };
}

/**
 * The probe rows scored as RRS `execute` returns them: every probe column as given (a label
 * column, if present, passes through), then `Scored Labels` and `Scored Probabilities` with the
 * probability as `String(p)`, so a canary can compare RRS's answer with this file exactly.
 */
export function scoreProbe(scorer: Scorer, probe: Table, what = "input2"): string {
  const column = new Map(probe.columns.map((c, i) => [c, i]));
  const missing = scorer.model.features.map((f) => f.name).filter((n) => !column.has(n));
  if (missing.length > 0) {
    throw new TrainingError(`${what} (probe rows) lacks the column(s) ${missing.join(", ")} that the trained model needs.`);
  }
  const [negative, positive] = scorer.model.labels;
  const lines: (readonly string[])[] = [[...probe.columns, ...SCORED_COLUMNS]];
  probe.rows.forEach((row, r) => {
    let p: number;
    try {
      p = scorer.probability((name) => row[column.get(name)!]);
    } catch (e) {
      if (e instanceof TrainingError) throw new TrainingError(`${what} (probe rows) row ${r + 1}: ${e.message}`);
      throw e;
    }
    lines.push([...row, p >= 0.5 ? positive : negative, String(p)]);
  });
  return lines.map((cells) => cells.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

/** RFC 4180 quoting, only where a cell needs it (the census data never does). */
function csvCell(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

function evaluateChampion(
  champion: TrainedModel,
  rows: readonly (readonly string[])[],
  column: ReadonlyMap<string, number>,
  labelOf: (r: readonly string[]) => number,
  positiveRate: number,
): EvaluationMetrics {
  const missing = champion.features.map((f) => f.name).filter((n) => !column.has(n));
  if (missing.length > 0) throw new TrainingError(`The Champion Model needs column(s) ${missing.join(", ")} that input1 does not have.`);
  const scorer = makeScorer(champion);
  const probabilities = rows.map((r) => scorer.probability((name) => r[column.get(name)!]));
  return evaluate(probabilities, rows.map(labelOf), positiveRate);
}
