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
    const numbers = present.map(toNumber);
    if (present.length > 0 && numbers.every((n) => n !== undefined)) {
      features.push(numericFeature(name, numbers));
    } else {
      features.push(categoricalFeature(name, present));
    }
  });
  return features;
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
  return (valueOf) => {
    const indices: number[] = [];
    const values: number[] = [];
    features.forEach((f, k) => {
      const raw = valueOf(f.name);
      if (f.type === "numeric") {
        let x = f.fill;
        if (!isMissing(raw)) {
          const n = toNumber(raw!);
          if (n === undefined) throw new TrainingError(`Column "${f.name}" must be numeric, got "${raw}".`);
          x = n;
        }
        indices.push(offsets[k]!);
        values.push((x - f.mean) / f.std);
      } else {
        // A category never seen in training encodes as all zeros: the model has no weight for it.
        const c = lookups[k]!.get(isMissing(raw) ? f.fill : raw!);
        if (c !== undefined) {
          indices.push(offsets[k]! + c);
          values.push(1);
        }
      }
    });
    return { indices: Int32Array.from(indices), values: Float64Array.from(values) };
  };
}
