import { LOSS_RANGE, UNIT_RANGE, type MetricRange, type Metrics } from "./metrics";

/**
 * Studio's "Training Log Loss" is the log loss's advantage over a random prediction
 * (1 − loss/prior loss): at most 1, negative when worse than random.
 */
const ADVANTAGE_RANGE: MetricRange = { min: Number.NEGATIVE_INFINITY, max: 1, text: "at most 1", higherIsBetter: true };

/**
 * One name per metric, whatever the backend: the snake_case keys of MLflow and scikit-learn,
 * which is what anyone deploying today reads in Azure ML studio. Studio (classic)'s "Training Log
 * Loss" has no MLflow counterpart, so it keeps its own name in the same case. Besides a name in any
 * case, with spaces, `-` and `_` alike (so "Training Log Loss", "AUC", "F1 Score" need no entry),
 * each metric accepts the few aliases listed: the other backend's name and the common short form.
 */
const VOCABULARY = {
  accuracy: { range: UNIT_RANGE, aliases: [] },
  precision: { range: UNIT_RANGE, aliases: [] },
  recall: { range: UNIT_RANGE, aliases: [] },
  f1_score: { range: UNIT_RANGE, aliases: ["F-Score", "F1"] },
  auc: { range: UNIT_RANGE, aliases: ["roc_auc"] },
  log_loss: { range: LOSS_RANGE, aliases: ["Average Log Loss"] },
  training_log_loss: { range: ADVANTAGE_RANGE, aliases: [] },
} as const satisfies Record<string, { range: MetricRange; aliases: readonly string[] }>;

export type MetricName = keyof typeof VOCABULARY;

/** The canonical names, in the order messages list them. */
export const METRIC_NAMES = Object.keys(VOCABULARY) as readonly MetricName[];

/**
 * Names that could mean more than one metric: refused with the candidates rather than guessed.
 * (Studio reports two log losses; "loss" alone does not say which.)
 */
const AMBIGUOUS: Readonly<Record<string, readonly MetricName[]>> = { loss: ["log_loss", "training_log_loss"] };

/** How names are compared: case, surrounding space and the separators `-`, `_`, space do not count. */
export const foldMetricName = (text: string): string => text.trim().toLowerCase().replace(/[\s_-]+/g, "_");

/**
 * The folded spelling → metric table. Refuses, when the module loads, a spelling two metrics claim
 * (or one an ambiguous name uses): an alias must never depend on which entry came first.
 */
export function buildLookup(vocabulary: Readonly<Record<string, { readonly aliases: readonly string[] }>>, ambiguous: Readonly<Record<string, readonly string[]>> = {}): ReadonlyMap<string, string> {
  const lookup = new Map<string, string>();
  for (const [name, { aliases }] of Object.entries(vocabulary)) {
    for (const spelling of [name, ...aliases].map(foldMetricName)) {
      const other = lookup.get(spelling) ?? (Object.hasOwn(ambiguous, spelling) ? "an ambiguous name" : undefined);
      if (other !== undefined && other !== name) throw new Error(`Metric vocabulary: "${spelling}" names both ${other} and ${name}.`);
      lookup.set(spelling, name);
    }
  }
  return lookup;
}

const LOOKUP = buildLookup(VOCABULARY, AMBIGUOUS) as ReadonlyMap<string, MetricName>;

export type MetricLookup =
  | { readonly kind: "known"; readonly name: MetricName }
  | { readonly kind: "ambiguous"; readonly candidates: readonly MetricName[] }
  | { readonly kind: "unknown" };

/** What a name a person or a setting wrote means. */
export function lookupMetric(text: string): MetricLookup {
  const folded = foldMetricName(text);
  const name = LOOKUP.get(folded);
  if (name) return { kind: "known", name };
  return Object.hasOwn(AMBIGUOUS, folded) ? { kind: "ambiguous", candidates: AMBIGUOUS[folded]! } : { kind: "unknown" };
}

/** The canonical name for `text`, or undefined when it names no metric (or more than one). */
export const canonicalMetricName = (text: string): MetricName | undefined => {
  const l = lookupMetric(text);
  return l.kind === "known" ? l.name : undefined;
};

/** The values a metric can take, and which way is better. */
export const rangeOf = (name: MetricName): MetricRange => VOCABULARY[name].range;

/** Each metric's aliases as written in the vocabulary (for messages and documentation). */
export const aliasesOf = (name: MetricName): readonly string[] => VOCABULARY[name].aliases;

/**
 * The same values under canonical names: for what was written before the vocabulary (records,
 * in-flight runs with `AUC` keys). A key that names no metric is kept as it is; should two keys
 * name the same metric, the one already canonical wins, else the first. Pure: safe in an orchestrator.
 */
export function canonicalMetrics(metrics: Metrics): Metrics {
  // A Map, then fromEntries: a key such as "__proto__" stays a key, not a prototype.
  const out = new Map<string, number>();
  const canonicalKeys = new Set<string>();
  for (const [key, value] of Object.entries(metrics)) {
    const name = canonicalMetricName(key) ?? key;
    if (out.has(name) && (canonicalKeys.has(name) || key !== name)) continue;
    out.set(name, value);
    if (key === name) canonicalKeys.add(name);
  }
  return Object.fromEntries(out);
}
