// Contract for one section of `npm run bench` (DESIGN §11).

export type BenchValue = number | string | Record<string, number>;

export interface BenchRow {
  /** Flat key in bench-results.json, e.g. `reward.chains_per_s`. */
  key: string;
  value: BenchValue;
  /** Unit or short explanation shown in the table. */
  note?: string;
}

export interface BenchSection {
  name: string;
  /** Returns rows, or throws / returns `{ skipped }` with the reason it cannot run here. */
  run(): Promise<BenchRow[] | { skipped: string }>;
}

/** Median of a list of numbers. */
export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

/** Linear-interpolated quantile (q in 0..1). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}
