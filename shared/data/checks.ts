import type { DataProfile } from "./profile";
import type { ColumnProfile } from "./column-stats";

/** What an endpoint's training data must look like (RETRAIN_DATA_CHECKS, per endpoint `data`). */
export interface DataExpectations {
  /** The label column; when unset, the first of "class" and "income" the data has (the census experiment's). */
  readonly label?: string;
  /** Columns the training needs, with their type; from settings, by default the backend's (training-columns.ts). */
  readonly columns?: Readonly<Record<string, "number" | "string">>;
  readonly minRows: number;
  readonly maxRows?: number;
  /** At least this share of the reference data's rows (a truncated export is caught here). */
  readonly minRowsShareOfReference: number;
  /** The less common label value's share of the labelled rows. */
  readonly minMinorityShare: number;
  /** Largest share of missing cells in any column. */
  readonly maxMissingShare: number;
  /** Largest population stability index of any column against the reference data. */
  readonly maxPsi: number;
  /** Per-column PSI limits, over `maxPsi`. */
  readonly psi?: Readonly<Record<string, number>>;
}

export const DEFAULT_DATA_EXPECTATIONS: DataExpectations = { minRows: 100, minRowsShareOfReference: 0.5, minMinorityShare: 0.05, maxMissingShare: 0.2, maxPsi: 0.25 };

/** The data a run is checked against: the last promoted run's, whose model serves. */
export interface ReferenceData {
  readonly runId: string;
  readonly profile: DataProfile;
}

const DEFAULT_LABELS = ["class", "income"];
/** Shares below this count as this much in the PSI, so an empty bin does not make it infinite. */
const PSI_FLOOR = 1e-4;

/**
 * The checks a run's data must pass before a job trains on it: one sentence per failed check,
 * none when the data is fit to train on. Any value that cannot be computed fails the check.
 */
export function checkData(p: DataProfile, x: DataExpectations, ref?: ReferenceData): string[] {
  const out: string[] = [];
  const q = (s: string) => JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
  const good = p.rows - p.malformedRows;
  const byName = new Map(p.columns.map((c) => [c.name, c]));
  const r = ref?.profile;
  const refName = ref ? `run ${ref.runId}'s data` : "";

  if (p.malformedRows > 0) {
    out.push(`${p.malformedRows} of ${p.rows} rows have a different number of fields than the header (the first is data row ${p.firstMalformedRow ?? "?"}): the file may be cut off or badly quoted.`);
  }
  if (good < x.minRows) out.push(`The data has ${good} rows; at least ${x.minRows} are required.`);
  if (x.maxRows !== undefined && good > x.maxRows) out.push(`The data has ${good} rows; at most ${x.maxRows} are allowed.`);
  if (r && good < x.minRowsShareOfReference * (r.rows - r.malformedRows)) {
    out.push(`The data has ${good} rows, fewer than ${Math.round(x.minRowsShareOfReference * 100)} % of the ${r.rows - r.malformedRows} in ${refName}: the export may be truncated.`);
  }

  // Columns the reference had are reported against it (a renamed column names its new name),
  // the training's other columns in one sentence below, after the label.
  const added = p.columns.filter((c) => r && !r.columns.some((rc) => rc.name === c.name)).map((c) => c.name);
  const lacking: string[] = [];
  for (const [name, type] of Object.entries(x.columns ?? {})) {
    const c = byName.get(name);
    if (!c) {
      if (!r?.columns.some((rc) => rc.name === name)) lacking.push(name);
    } else if (c.present > 0 && c.type !== type) out.push(`The column ${q(name)} must hold ${type === "number" ? "numbers" : "text"} but holds ${c.type === "number" ? "numbers" : "text"}.`);
  }
  const gone = (r?.columns ?? []).filter((rc) => !byName.has(rc.name)).map((rc) => rc.name);
  if (gone.length > 0) {
    out.push(`${gone.length === 1 ? "The column" : "The columns"} ${names(gone, q)} of ${refName} ${gone.length === 1 ? "is" : "are"} missing${added.length ? `; new columns: ${names(added, q)} (renamed?)` : ""}.`);
  }
  for (const rc of r?.columns ?? []) {
    if (x.columns && Object.hasOwn(x.columns, rc.name)) continue; // its type is said above
    const c = byName.get(rc.name);
    if (c && c.present > 0 && rc.present > 0 && c.type !== rc.type) out.push(`The column ${q(rc.name)} held ${rc.type === "number" ? "numbers" : "text"} in ${refName} but holds ${c.type === "number" ? "numbers" : "text"} now.`);
  }

  const labelName = x.label ?? DEFAULT_LABELS.find((n) => byName.has(n));
  const label = labelName === undefined ? undefined : byName.get(labelName);
  if (!label) {
    out.push(`The label column ${labelName === undefined ? `(${DEFAULT_LABELS.map(q).join(" or ")})` : q(labelName)} is missing.`);
  } else {
    const classes = label.categories && !label.categories.distinctCapped ? label.categories.top : undefined;
    if (!classes || classes.length !== 2) {
      out.push(`The label column ${q(label.name)} must hold exactly 2 values; it holds ${label.categories?.distinctCapped ? "more than 1000" : (label.categories?.distinct ?? "many")}.`);
    } else {
      const minority = classes.reduce((m, c) => (c.share < m.share ? c : m));
      if (!(minority.share >= x.minMinorityShare)) out.push(`The label value ${q(minority.value)} is ${pct(minority.share)} of the labelled rows; at least ${pct(x.minMinorityShare)} is required.`);
    }
  }

  if (lacking.length > 0) {
    // What the data has in their place: against the reference its new columns, on a first run those the training does not read.
    const unused = r ? added : p.columns.map((c) => c.name).filter((n) => n !== labelName && !Object.hasOwn(x.columns ?? {}, n));
    const has = unused.length === 0 ? "" : r ? ` (the data has columns ${refName} does not: ${names(unused, q)})` : `; the data has ${names(unused, q)} instead`;
    out.push(`${lacking.length === 1 ? `The training needs the column ${q(lacking[0]!)}, which the data does not have` : `The training needs ${lacking.length} columns the data does not have: ${names(lacking, q)}`}${has}.`);
  }

  for (const c of p.columns) {
    const share = c.missing / Math.max(1, c.present + c.missing);
    if (!(share <= x.maxMissingShare)) out.push(`The column ${q(c.name)} is ${pct(share)} missing; at most ${pct(x.maxMissingShare)} is allowed.`);
  }

  for (const rc of r?.columns ?? []) {
    const c = byName.get(rc.name);
    if (!c || c.type !== rc.type || c.present === 0 || rc.present === 0) continue; // said above, or nothing to compare
    const limit = x.psi && Object.hasOwn(x.psi, rc.name) ? x.psi[rc.name]! : x.maxPsi;
    const index = psiOf(rc, c);
    if (!(index <= limit)) {
      out.push(Number.isFinite(index)
        ? `The column ${q(rc.name)} drifted from ${refName}: population stability index ${index.toFixed(3)}, above the limit of ${limit}.`
        : `The drift of column ${q(rc.name)} from ${refName} could not be measured.`);
    }
  }
  return out;
}

/** The population stability index of `now` against `before`, over `before`'s bins or top values. */
export function psiOf(before: ColumnProfile, now: ColumnProfile): number {
  const expected = before.type === "number" ? before.bins?.shares : before.categories && [...before.categories.top.map((t) => t.share), before.categories.otherShare];
  const actual = now.overReference;
  if (!expected || !actual || expected.length !== actual.length) return NaN;
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i]!, PSI_FLOOR);
    const a = Math.max(actual[i]!, PSI_FLOOR);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/** Column names, quoted, the first 20 of them: a reason stays readable (and bounded) whatever the data. */
const names = (list: readonly string[], q: (s: string) => string) => list.length > 20 ? `${list.slice(0, 20).map(q).join(", ")} and ${list.length - 20} more` : list.map(q).join(", ");
const pct = (share: number) => `${(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`;
