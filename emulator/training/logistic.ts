import type { EncodedRow } from "./features";
import { seededRandom, shuffledIndices } from "./rng";
import { TrainingCancelled } from "./errors";

export interface LogisticOptions {
  readonly dimensions: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly l2: number;
  readonly seed: number;
  /** Checked between epochs, so a cancelled job stops promptly. */
  readonly isCancelled?: () => boolean;
}

export interface LogisticModel {
  readonly weights: number[];
  readonly bias: number;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export function predict(model: { weights: ArrayLike<number>; bias: number }, row: EncodedRow): number {
  let z = model.bias;
  for (let k = 0; k < row.indices.length; k++) z += model.weights[row.indices[k]!]! * row.values[k]!;
  return sigmoid(z);
}

/**
 * L2-regularised logistic regression by mini-batch Adam. Rows are sparse (one non-zero per
 * feature); they are packed once into flat arrays (CSR) so the epochs walk contiguous memory
 * instead of thousands of small typed arrays. The loop yields to the event loop between epochs so
 * the service keeps answering while a job trains.
 */
export async function trainLogistic(rows: readonly EncodedRow[], labels: Uint8Array, o: LogisticOptions): Promise<LogisticModel> {
  const d = o.dimensions;
  const { start: rowStart, indices, values } = packRows(rows);
  const w = new Float64Array(d + 1); // last slot is the bias
  const m = new Float64Array(d + 1);
  const v = new Float64Array(d + 1);
  const g = new Float64Array(d + 1);
  const random = seededRandom(o.seed);
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  let step = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    if (o.isCancelled?.()) throw new TrainingCancelled("cancelled");
    const order = shuffledIndices(rows.length, random);
    const lr = o.learningRate / Math.sqrt(1 + epoch); // decay so the last epochs settle
    for (let start = 0; start < order.length; start += o.batchSize) {
      const end = Math.min(order.length, start + o.batchSize);
      g.fill(0);
      for (let i = start; i < end; i++) {
        const r = order[i]!;
        const from = rowStart[r]!;
        const to = rowStart[r + 1]!;
        let z = w[d]!;
        for (let k = from; k < to; k++) z += w[indices[k]!]! * values[k]!;
        const err = sigmoid(z) - labels[r]!;
        for (let k = from; k < to; k++) g[indices[k]!]! += err * values[k]!;
        g[d]! += err;
      }
      const n = end - start;
      step++;
      const c1 = 1 - b1 ** step; // bias corrections, once per step rather than per weight
      const c2 = 1 - b2 ** step;
      for (let j = 0; j <= d; j++) {
        const grad = g[j]! / n + (j < d ? o.l2 * w[j]! : 0);
        m[j] = b1 * m[j]! + (1 - b1) * grad;
        v[j] = b2 * v[j]! + (1 - b2) * grad * grad;
        const mh = m[j]! / c1;
        const vh = v[j]! / c2;
        w[j]! -= (lr * mh) / (Math.sqrt(vh) + eps);
      }
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { weights: Array.from(w.subarray(0, d)), bias: w[d]! };
}

/** Row r's non-zeros are `indices`/`values` from `start[r]` to `start[r + 1]`. */
function packRows(rows: readonly EncodedRow[]): { start: Uint32Array; indices: Int32Array; values: Float64Array } {
  const start = new Uint32Array(rows.length + 1);
  for (let r = 0; r < rows.length; r++) start[r + 1] = start[r]! + rows[r]!.indices.length;
  const indices = new Int32Array(start[rows.length]!);
  const values = new Float64Array(start[rows.length]!);
  for (let r = 0; r < rows.length; r++) {
    indices.set(rows[r]!.indices, start[r]);
    values.set(rows[r]!.values, start[r]);
  }
  return { start, indices, values };
}
