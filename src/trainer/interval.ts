// Mean and 95 % confidence interval of a small sample (Student's t), for tables over seeds.

// Two-sided 97.5 % quantiles of Student's t for 1..30 degrees of freedom; beyond that the normal 1.96.
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056,
  2.052, 2.048, 2.045, 2.042,
];

export interface MeanInterval {
  mean: number;
  /** Half-width of the 95 % interval (0 for a single value: no spread measured). */
  halfWidth: number;
  n: number;
}

export function meanInterval(xs: readonly number[]): MeanInterval {
  const n = xs.length;
  if (n === 0) return { mean: NaN, halfWidth: NaN, n };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, halfWidth: 0, n };
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  return { mean, halfWidth: (T975[n - 2] ?? 1.96) * (sd / Math.sqrt(n)), n };
}
