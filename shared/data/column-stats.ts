/** One column of a data profile (see profile.ts). */
export interface ColumnProfile {
  readonly name: string;
  /** "number" when every value present reads as a finite number. */
  readonly type: "number" | "string";
  /** Values present (not missing). */
  readonly present: number;
  /** Empty cells and "?" (the census data's mark), as the experiment's Clean Missing Data treats them. */
  readonly missing: number;
  readonly min?: number;
  readonly max?: number;
  readonly mean?: number;
  /** Number columns: bin i holds values up to `edges[i]`, the last bin the values above; deciles of a sample. */
  readonly bins?: { readonly edges: readonly number[]; readonly shares: readonly number[] };
  /** Text columns, and number columns of at most 20 values (a 0/1 label): the most common values with their shares of the values present, and the rest. */
  readonly categories?: { readonly top: readonly { readonly value: string; readonly share: number }[]; readonly otherShare: number; readonly distinct: number; readonly distinctCapped: boolean };
  /**
   * This data's shares over the reference profile's bins (number columns) or its top values and
   * the rest (text columns), counted on every row: what drift is measured from.
   */
  readonly overReference?: readonly number[];
}

const SAMPLE_SIZE = 10_000;
const MAX_DISTINCT = 1_000;
const TOP_VALUES = 20;
/** Longer values are profiled by their first characters: a profile stays small whatever the cells hold. */
const VALUE_CHARS = 64;

export const isMissing = (v: string): boolean => v === "" || v === "?";

/** The running statistics of one column while its CSV streams; memory bounded whatever the row count. */
export class ColumnStats {
  private numeric = true;
  private present = 0;
  private missing = 0;
  private min = Infinity;
  private max = -Infinity;
  private sum = 0;
  /** An evenly spaced sample: when full, every other value is dropped and the stride doubles. */
  private sample: number[] = [];
  private stride = 1;
  private seen = 0;
  private readonly counts = new Map<string, number>();
  private distinctCapped = false;
  /** The reference's bin edges, and this data's exact count in each of its bins. */
  private readonly refBins?: { readonly edges: Float64Array; readonly counts: number[] };

  constructor(readonly name: string, private readonly reference?: ColumnProfile) {
    if (reference?.bins) this.refBins = { edges: Float64Array.from(reference.bins.edges), counts: new Array<number>(reference.bins.edges.length + 1).fill(0) };
    // The reference's top values are always counted, however many distinct values come first.
    for (const t of reference?.categories?.top ?? []) this.counts.set(t.value, 0);
  }

  add(raw: string): void {
    if (isMissing(raw)) {
      this.missing++;
      return;
    }
    this.present++;
    const v = raw.slice(0, VALUE_CHARS);
    const c = this.counts.get(v);
    if (c !== undefined) this.counts.set(v, c + 1);
    else if (this.counts.size < MAX_DISTINCT) this.counts.set(v, 1);
    else this.distinctCapped = true;
    if (!this.numeric) return;
    const n = Number(raw);
    if (!Number.isFinite(n)) {
      this.numeric = false;
      this.sample = [];
      return;
    }
    if (n < this.min) this.min = n;
    if (n > this.max) this.max = n;
    this.sum += n;
    if (this.refBins) this.refBins.counts[binOf(this.refBins.edges, n)]!++;
    if (this.seen++ % this.stride === 0) {
      this.sample.push(n);
      if (this.sample.length >= SAMPLE_SIZE) {
        this.sample = this.sample.filter((_, i) => i % 2 === 0);
        this.stride *= 2;
      }
    }
  }

  profile(): ColumnProfile {
    const base = { name: this.name, present: this.present, missing: this.missing };
    if (this.numeric && this.present > 0) {
      const sorted = Float64Array.from(this.sample).sort();
      const edges = [...new Set([1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => sorted[Math.min(sorted.length - 1, Math.floor((d / 10) * sorted.length))]!))];
      const shares = new Array<number>(edges.length + 1).fill(0);
      const at = Float64Array.from(edges);
      for (const v of sorted) shares[binOf(at, v)]! += 1 / sorted.length;
      const over = this.reference?.type === "number" && this.refBins ? { overReference: this.refBins.counts.map((c) => round(c / this.present)) } : {};
      const few = !this.distinctCapped && this.counts.size <= TOP_VALUES ? { categories: this.categories() } : {};
      return { ...base, type: "number", min: this.min, max: this.max, mean: round(this.sum / this.present), bins: { edges, shares: shares.map(round) }, ...few, ...over };
    }
    const refTop = this.reference?.type === "string" ? this.reference.categories?.top : undefined;
    const over = refTop ? overTop(refTop.map((t) => (this.counts.get(t.value) ?? 0) / Math.max(1, this.present))) : {};
    return { ...base, type: "string", categories: this.categories(), ...over };
  }

  private categories(): NonNullable<ColumnProfile["categories"]> {
    const ranked = [...this.counts].filter(([, c]) => c > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const top = ranked.slice(0, TOP_VALUES).map(([value, c]) => ({ value, share: c / Math.max(1, this.present) }));
    const otherShare = Math.max(0, 1 - top.reduce((a, t) => a + t.share, 0));
    return { top: top.map((t) => ({ value: t.value, share: round(t.share) })), otherShare: round(otherShare), distinct: [...this.counts.values()].filter((c) => c > 0).length, distinctCapped: this.distinctCapped };
  }
}

/** Shares of the reference's top values, then the rest. */
function overTop(shares: number[]): { overReference: number[] } {
  return { overReference: [...shares, Math.max(0, 1 - shares.reduce((a, s) => a + s, 0))].map(round) };
}

/** Shares and means kept to 6 significant digits: a profile is stored with every run record. */
const round = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(6)) : x);

/** The first bin whose edge is at least `v` (binary search), else the last bin. */
function binOf(edges: Float64Array, v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
