import { dimensionsOf, makeEncoder, type Feature } from "./features";
import { predict } from "./logistic";

/**
 * The `.ilearner` file: Studio's was an opaque binary; ours is versioned, self-describing JSON
 * that carries everything scoring needs (cleaning fills, encodings, weights, label names).
 */
export const ILEARNER_FORMAT = "retrainer.ilearner";
export const ILEARNER_VERSION = 1;

export interface TrainedModel {
  readonly format: typeof ILEARNER_FORMAT;
  readonly formatVersion: typeof ILEARNER_VERSION;
  readonly learner: "TwoClassLogisticRegression";
  readonly labelColumn: string;
  /** [negative, positive]: Studio's positive class is the second label in alphabetical order. */
  readonly labels: readonly [string, string];
  readonly features: readonly Feature[];
  readonly weights: readonly number[];
  readonly bias: number;
  readonly trainingPositiveRate: number;
  readonly trainedOn: { readonly rows: number; readonly seed: number; readonly splitFraction: number };
}

export class InvalidModelError extends Error {
  override readonly name = "InvalidModelError";
}

export function serializeModel(model: TrainedModel): string {
  return JSON.stringify(model);
}

const isFiniteNumber = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

/** Parses and checks a `.ilearner`; anything truncated, foreign or inconsistent is refused. */
export function parseModel(text: string): TrainedModel {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    throw new InvalidModelError("The file is not a trained model (.ilearner): it cannot be parsed.");
  }
  const model = m as Partial<TrainedModel>;
  if (typeof m !== "object" || m === null || model.format !== ILEARNER_FORMAT) {
    throw new InvalidModelError("The file is not a trained model (.ilearner): unknown format.");
  }
  if (model.formatVersion !== ILEARNER_VERSION) {
    throw new InvalidModelError(`Unsupported .ilearner version ${String(model.formatVersion)}; this service reads version ${ILEARNER_VERSION}.`);
  }
  if (model.learner !== "TwoClassLogisticRegression") throw new InvalidModelError(`Unsupported learner ${String(model.learner)}.`);
  if (!Array.isArray(model.features) || !Array.isArray(model.weights) || !Array.isArray(model.labels) || model.labels.length !== 2) {
    throw new InvalidModelError("The trained model is incomplete: features, weights or labels are missing.");
  }
  if (dimensionsOf(model.features) !== model.weights.length) {
    throw new InvalidModelError("The trained model is inconsistent: its weights do not match its features.");
  }
  if (!model.weights.every(isFiniteNumber) || !isFiniteNumber(model.bias)) {
    throw new InvalidModelError("The trained model has non-finite weights.");
  }
  return model as TrainedModel;
}

export interface Scorer {
  readonly model: TrainedModel;
  /** Probability of the positive label; throws TrainingError for a malformed value. */
  probability(valueOf: (column: string) => string | undefined): number;
}

export function makeScorer(model: TrainedModel): Scorer {
  const encode = makeEncoder(model.features);
  return { model, probability: (valueOf) => predict(model, encode(valueOf)) };
}
