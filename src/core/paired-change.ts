// The change in a success rate between two evaluations of the same prompts (before and after
// training): paired, so its standard error comes from the prompts that flipped, not from two
// independent binomials.

export interface PairedChange {
  prompts: number;
  /** Prompts wrong before and right after, and the reverse. */
  up: number;
  down: number;
  /** (up − down) / prompts. */
  change: number;
  /** Standard error of the mean per-prompt difference. */
  se: number;
}

export function pairedChange(before: readonly boolean[], after: readonly boolean[]): PairedChange {
  if (before.length !== after.length) throw new RangeError(`paired change: ${before.length} prompts before, ${after.length} after`);
  const n = before.length;
  const up = after.filter((c, i) => c && !before[i]).length;
  const down = after.filter((c, i) => !c && before[i]).length;
  if (n === 0) return { prompts: 0, up, down, change: NaN, se: NaN };
  const change = (up - down) / n;
  return { prompts: n, up, down, change, se: Math.sqrt(((up + down) / n - change * change) / n) };
}

/** "+1.5 ± 2.2 points (11 up / 8 down)". */
export function formatPairedChange(c: PairedChange): string {
  const points = (x: number): string => (100 * x).toFixed(1);
  return `${c.change >= 0 ? '+' : ''}${points(c.change)} ± ${points(c.se)} points (${c.up} up / ${c.down} down)`;
}
