// The numbers behind a chart, free of the DOM: EMA smoothing, min/max-per-pixel-column
// downsampling, linear scales, "nice" axis ticks and compact number formatting.

/**
 * Exponential moving average as TensorBoard draws it: s_t = w·s_{t−1} + (1−w)·v_t, divided by
 * 1 − w^t so the first points are not pulled towards zero. w = 0 returns the values unchanged.
 */
export function ema(values: ArrayLike<number>, weight: number): Float64Array {
  const out = new Float64Array(values.length);
  if (weight <= 0) {
    for (let i = 0; i < values.length; i++) out[i] = values[i]!;
    return out;
  }
  let last = 0;
  let debias = 1;
  for (let i = 0; i < values.length; i++) {
    last = last * weight + (1 - weight) * values[i]!;
    debias *= weight;
    out[i] = last / (1 - debias);
  }
  return out;
}

/**
 * Indices of the points to draw so that a line through them looks like the line through all
 * points at `columns` pixels: per column the first, lowest, highest and last point, in order.
 * At most 4 points per column whatever the series length; spikes are never lost. `xs` ascending.
 */
export function downsampleMinMax(xs: ArrayLike<number>, ys: ArrayLike<number>, x0: number, x1: number, columns: number): number[] {
  const n = xs.length;
  const cols = Math.max(1, Math.floor(columns));
  if (n <= cols * 4) return Array.from({ length: n }, (_, i) => i);
  const span = x1 - x0 || 1;
  const out: number[] = [];
  let column = -1;
  let first = 0;
  let last = 0;
  let lo = 0;
  let hi = 0;
  const emit = () => {
    // The four indices in increasing order, without repeats.
    const picks = [first, lo, hi, last].sort((a, b) => a - b);
    for (let k = 0; k < 4; k++) if (k === 0 || picks[k] !== picks[k - 1]) out.push(picks[k]!);
  };
  for (let i = 0; i < n; i++) {
    const c = Math.min(cols - 1, Math.max(0, Math.floor(((xs[i]! - x0) / span) * cols)));
    if (c !== column) {
      if (column >= 0) emit();
      column = c;
      first = last = lo = hi = i;
      continue;
    }
    last = i;
    if (ys[i]! < ys[lo]!) lo = i;
    if (ys[i]! > ys[hi]!) hi = i;
  }
  if (column >= 0) emit();
  return out;
}

/** Maps [d0, d1] onto [r0, r1]; a zero-width domain maps to the middle of the range. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0;
  if (span === 0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / span;
  return (v) => r0 + (v - d0) * k;
}

/** The smallest of 1, 2, 5 × 10^k that is ≥ `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const r = raw / magnitude;
  // Guard against r = 10 from floating error in log10.
  return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * magnitude;
}

/** Round-numbered ticks inside [min, max], at most about `count` of them. */
export function niceTicks(min: number, max: number, count: number): { ticks: number[]; step: number } {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { ticks: [], step: 1 };
  if (max < min) [min, max] = [max, min];
  if (max === min) return { ticks: [min], step: niceStep(Math.abs(min) || 1) };
  let step = niceStep((max - min) / Math.max(1, count));
  let ticks = ticksAt(min, max, step);
  // Rounding the step up can leave no multiple inside a short range (e.g. [0.0005, 400000] with
  // step 500000): step down through the nice values until one fits; a step ≤ the span always does.
  for (let tries = 0; ticks.length === 0 && tries < 8; tries++) {
    step = smallerNiceStep(step);
    ticks = ticksAt(min, max, step);
  }
  return ticks.length ? { ticks, step } : { ticks: [min], step };
}

function ticksAt(min: number, max: number, step: number): number[] {
  const ticks: number[] = [];
  const start = Math.ceil(min / step - 1e-9);
  // 0.30000000000000004 → 0.3: a tick has no more decimals than its step.
  const decimals = Math.min(100, Math.max(0, 1 - Math.floor(Math.log10(step))));
  for (let k = start; k * step <= max + step * 1e-9; k++) ticks.push(Number.parseFloat((k * step).toFixed(decimals)));
  return ticks;
}

/** The nice step below `step` in the 1, 2, 5 × 10^k sequence. */
function smallerNiceStep(step: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(step) + 1e-9);
  const r = Math.round(step / magnitude);
  return r >= 5 ? 2 * magnitude : r >= 2 ? magnitude : magnitude / 2;
}

/** Pads a value range so lines do not touch the frame; a flat series gets a visible band. */
export function paddedRange(min: number, max: number, fraction = 0.05): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  // Float noise (1.3375 vs 1.3375000000000001) is flat too: a span that small gives ticks that never advance.
  if (max - min <= Math.max(Math.abs(min), Math.abs(max)) * 1e-12) {
    const pad = Math.abs(min) * 0.1 || 1;
    return [min - pad, max + pad];
  }
  const pad = (max - min) * fraction;
  return [min - pad, max + pad];
}

const SUFFIXES: [number, string][] = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/** A tick label: as many decimals as the tick step needs, k/M/G above ten thousand. */
export function formatTick(v: number, step: number): string {
  const abs = Math.abs(v);
  if (abs >= 1e4) return compact(v, step);
  if (v !== 0 && abs < 1e-3) return v.toExponential(1);
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return v.toFixed(decimals);
}

function compact(v: number, step: number): string {
  for (const [scale, suffix] of SUFFIXES) {
    if (Math.abs(v) >= scale) {
      const decimals = Math.max(0, Math.min(3, -Math.floor(Math.log10(step / scale) + 1e-9)));
      return `${(v / scale).toFixed(decimals)}${suffix}`;
    }
  }
  return String(v);
}

/** A read-out value: four significant digits, compact above ten thousand, exponent when tiny. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  if (abs >= 1e4) {
    for (const [scale, suffix] of SUFFIXES) if (abs >= scale) return `${Number.parseFloat((v / scale).toPrecision(4))}${suffix}`;
  }
  if (v !== 0 && abs < 1e-3) return v.toExponential(2);
  return String(Number.parseFloat(v.toPrecision(4)));
}
