import { isMissing, toNumber, type Table } from "./table";
import { TrainingError } from "./errors";

/** Numerics are cleaned (mean) and standardised; categoricals are cleaned (mode) and one-hot. */
export interface NumericFeature {
  readonly name: string;
  readonly type: "numeric";
  readonly fill: number;
  readonly mean: number;
  readonly std: number;
}
export interface CategoricalFeature {
  readonly name: string;
  readonly type: "categorical";
  readonly fill: string;
  readonly categories: readonly string[];
}
export type Feature = NumericFeature | CategoricalFeature;

/** A row as a sparse vector: at most one non-zero per feature. */
export interface EncodedRow {
  readonly indices: Int32Array;
  readonly values: Float64Array;
}

/** Fits cleaning and encoding on the training rows only, so the test split stays unseen. */
export function fitFeatures(table: Table, labelIndex: number, trainRows: ArrayLike<number>): Feature[] {
  const features: Feature[] = [];
  table.columns.forEach((name, col) => {
    if (col === labelIndex) return;
    const present: string[] = [];
    for (let i = 0; i < trainRows.length; i++) {
      const v = table.rows[trainRows[i]!]![col];
      if (!isMissing(v)) present.push(v!);
    }
    const numbers = present.length > 0 ? numbersOf(present) : undefined;
    if (numbers) {
      features.push(numericFeature(name, numbers));
    } else {
      features.push(categoricalFeature(name, present));
    }
  });
  return features;
}

/** Every value as a number, or undefined as soon as one is not (a categorical column stops at its first value). */
function numbersOf(values: readonly string[]): number[] | undefined {
  const numbers = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const n = toNumber(values[i]!);
    if (n === undefined) return undefined;
    numbers[i] = n;
  }
  return numbers;
}

function numericFeature(name: string, xs: number[]): NumericFeature {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  // A constant column carries no signal; std 1 keeps it at zero instead of dividing by zero.
  return { name, type: "numeric", fill: mean, mean, std: Math.sqrt(variance) || 1 };
}

function categoricalFeature(name: string, values: string[]): CategoricalFeature {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const categories = [...counts.keys()].sort();
  let fill = categories[0] ?? "";
  for (const c of categories) if ((counts.get(c) ?? 0) > (counts.get(fill) ?? 0)) fill = c;
  return { name, type: "categorical", fill, categories };
}

export function dimensionsOf(features: readonly Feature[]): number {
  return features.reduce((n, f) => n + (f.type === "numeric" ? 1 : f.categories.length), 0);
}

/** Builds an encoder; `valueOf(name)` returns the raw cell for a feature column. */
export function makeEncoder(features: readonly Feature[]): (valueOf: (name: string) => string | undefined) => EncodedRow {
  const offsets: number[] = [];
  const lookups: (Map<string, number> | undefined)[] = [];
  let offset = 0;
  for (const f of features) {
    offsets.push(offset);
    if (f.type === "numeric") {
      lookups.push(undefined);
      offset += 1;
    } else {
      lookups.push(new Map(f.categories.map((c, i) => [c, i])));
      offset += f.categories.length;
    }
  }
  const width = features.length;
  return (valueOf) => {
    // At most one non-zero per feature: fill fixed-size arrays and trim to what was used.
    const indices = new Int32Array(width);
    const values = new Float64Array(width);
    let used = 0;
    for (let k = 0; k < width; k++) {
      const f = features[k]!;
      const raw = valueOf(f.name);
      if (f.type === "numeric") {
        let x = f.fill;
        if (!isMissing(raw)) {
          const n = toNumber(raw!);
          if (n === undefined) throw new TrainingError(`Column "${f.name}" must be numeric, got "${raw}".`);
          x = n;
        }
        indices[used] = offsets[k]!;
        values[used++] = (x - f.mean) / f.std;
      } else {
        // A category never seen in training encodes as all zeros: the model has no weight for it.
        const c = lookups[k]!.get(isMissing(raw) ? f.fill : raw!);
        if (c !== undefined) {
          indices[used] = offsets[k]! + c;
          values[used++] = 1;
        }
      }
    }
    return used === width ? { indices, values } : { indices: indices.slice(0, used), values: values.slice(0, used) };
  };
}
