/** The columns of Evaluate Model's binary-classification output, in Studio's order. */
export const EVALUATION_COLUMNS = [
  "Accuracy",
  "Precision",
  "Recall",
  "F-Score",
  "AUC",
  "Average Log Loss",
  "Training Log Loss",
] as const;

export type EvaluationMetrics = Record<(typeof EVALUATION_COLUMNS)[number], number>;

const PROBABILITY_CLIP = 1e-15;

function logLoss(p: number, y: number): number {
  const q = Math.min(1 - PROBABILITY_CLIP, Math.max(PROBABILITY_CLIP, p));
  return -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
}

/**
 * Area under the ROC curve from ranks (Mann–Whitney U), with tied scores sharing their mean rank,
 * so it is exact rather than a trapezoid over a sampled curve.
 */
export function areaUnderRoc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSumPositives = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const meanRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]!] === 1) {
        positives++;
        rankSumPositives += meanRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Evaluate Model at threshold 0.5. "Training Log Loss" is Studio's "advantage over a random
 * prediction": 1 − logloss(model) / logloss(always predicting the training positive rate).
 */
export function evaluate(probabilities: ArrayLike<number>, labels: ArrayLike<number>, trainingPositiveRate: number): EvaluationMetrics {
  const n = probabilities.length;
  let tp = 0, fp = 0, tn = 0, fn = 0, ll = 0, priorLl = 0;
  for (let i = 0; i < n; i++) {
    const p = probabilities[i]!;
    const y = labels[i]!;
    const predicted = p >= 0.5 ? 1 : 0;
    if (predicted === 1 && y === 1) tp++;
    else if (predicted === 1) fp++;
    else if (y === 1) fn++;
    else tn++;
    ll += logLoss(p, y);
    priorLl += logLoss(trainingPositiveRate, y);
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  return {
    Accuracy: (tp + tn) / n,
    Precision: precision,
    Recall: recall,
    "F-Score": precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    AUC: areaUnderRoc(probabilities, labels),
    "Average Log Loss": ll / n,
    "Training Log Loss": 1 - ll / priorLl,
  };
}

/** One header row, then one row per evaluated model (row 2 is the "scored dataset to compare"). */
export function evaluationCsv(rows: readonly EvaluationMetrics[]): string {
  const lines = [EVALUATION_COLUMNS.join(",")];
  for (const r of rows) lines.push(EVALUATION_COLUMNS.map((c) => String(r[c])).join(","));
  return lines.join("\r\n") + "\r\n";
}
