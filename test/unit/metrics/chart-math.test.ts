import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { downsampleMinMax, ema, formatTick, formatValue, linearScale, niceStep, niceTicks, paddedRange } from '../../../webview/metrics/chart-math';
import { noisyCurve } from './fixtures';

/** TensorBoard's smoothing written the plain way, as the reference. */
function emaReference(values: number[], w: number): number[] {
  return values.map((_, t) => {
    let num = 0;
    let den = 0;
    for (let i = 0; i <= t; i++) {
      const weight = (1 - w) * w ** (t - i);
      num += weight * values[i]!;
      den += weight;
    }
    return num / den;
  });
}

describe('ema', () => {
  it('matches the weighted-average definition (debiased)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 40 }), fc.double({ min: 0.01, max: 0.99, noNaN: true }), (values, w) => {
        const got = ema(values, w);
        emaReference(values, w).forEach((want, i) => assert.ok(Math.abs(got[i]! - want) <= 1e-7 * (1 + Math.abs(want)), `i=${i}: ${got[i]} vs ${want}`));
      }),
    );
  });
  it('returns the values unchanged at weight 0 and keeps a constant series constant', () => {
    assert.deepEqual([...ema([3, 1, 2], 0)], [3, 1, 2]);
    for (const v of ema([5, 5, 5, 5], 0.9)) assert.ok(Math.abs(v - 5) < 1e-12);
  });
  it('starts at the first value instead of being pulled to zero', () => {
    assert.ok(Math.abs(ema([10, 10], 0.99)[0]! - 10) < 1e-9);
  });
});

describe('downsampleMinMax', () => {
  it('keeps every point when there are few', () => {
    assert.deepEqual(downsampleMinMax([1, 2, 3], [0, 1, 0], 1, 3, 100), [0, 1, 2]);
  });
  it('keeps at most 4 increasing indices per pixel column, and every column extreme', () => {
    const { steps, values } = noisyCurve(20_000, 7);
    const columns = 200;
    const picks = downsampleMinMax(steps, values, 1, 20_000, columns);
    assert.ok(picks.length <= columns * 4, `${picks.length} points`);
    for (let k = 1; k < picks.length; k++) assert.ok(picks[k]! > picks[k - 1]!);
    const kept = new Set(picks);
    const columnOf = (i: number) => Math.min(columns - 1, Math.floor(((steps[i]! - 1) / 19_999) * columns));
    const extremes = new Map<number, { lo: number; hi: number }>();
    values.forEach((v, i) => {
      const c = columnOf(i);
      const e = extremes.get(c);
      if (!e) extremes.set(c, { lo: i, hi: i });
      else {
        if (v < values[e.lo]!) e.lo = i;
        if (v > values[e.hi]!) e.hi = i;
      }
    });
    for (const [c, e] of extremes) assert.ok(kept.has(e.lo) && kept.has(e.hi), `column ${c} lost an extreme`);
    assert.ok(kept.has(0) && kept.has(steps.length - 1), 'first and last points are kept');
  });
  it('keeps a single-point spike', () => {
    const steps = Array.from({ length: 10_000 }, (_, i) => i);
    const values = steps.map(() => 0);
    values[4321] = 100;
    assert.ok(downsampleMinMax(steps, values, 0, 9999, 50).includes(4321));
  });
});

describe('scales and ticks', () => {
  it('linearScale maps the ends of the domain to the ends of the range', () => {
    const s = linearScale(10, 20, 100, 0);
    assert.equal(s(10), 100);
    assert.equal(s(20), 0);
    assert.equal(s(15), 50);
    assert.equal(linearScale(3, 3, 0, 10)(3), 5);
  });
  it('niceStep rounds up to 1, 2 or 5 times a power of ten', () => {
    assert.deepEqual([0.7, 1, 1.5, 3, 7, 12, 0.013].map(niceStep), [1, 1, 2, 5, 10, 20, 0.02]);
  });
  it('niceTicks are round multiples of the step inside the range, about `count` of them', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-6, max: 1e6, noNaN: true }), fc.integer({ min: 2, max: 8 }), (min, span, count) => {
        const max = min + span;
        const { ticks, step } = niceTicks(min, max, count);
        assert.ok(ticks.length >= 1 && ticks.length <= count * 2 + 1, `${ticks.length} ticks for count ${count}`);
        for (const t of ticks) {
          // Near the end of double precision (a 1e-6 span at 6e4) the range ends are only known to a few ulps.
          const slack = Math.max(step * 1e-6, 8 * Number.EPSILON * Math.max(Math.abs(min), Math.abs(max)));
          assert.ok(t >= min - slack && t <= max + slack, `${t} outside [${min}, ${max}]`);
          // Relative tolerance: a 1e-6 span at 2000 is near the end of double precision.
          assert.ok(Math.abs(t - Math.round(t / step) * step) <= 1e-9 * Math.max(Math.abs(t), step), `${t} is not a multiple of ${step}`);
        }
      }),
    );
    assert.deepEqual(niceTicks(0, 1, 5).ticks, [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(0, 1, 4).ticks, [0, 0.5, 1]);
    assert.deepEqual(niceTicks(2, 2, 4).ticks, [2]);
    // Found by fast-check: the rounded-up step (500000) had no multiple inside the range.
    assert.deepEqual(niceTicks(0.0005000000000000001, 400000.0005000001, 2).ticks, [200000, 400000]);
  });
  it('paddedRange widens a flat series into a visible band', () => {
    assert.deepEqual(paddedRange(0, 0), [-1, 1]);
    assert.deepEqual(paddedRange(2, 2), [1.8, 2.2]);
    assert.deepEqual(paddedRange(0, 10), [-0.5, 10.5]);
  });
  it('formats ticks with the decimals their step needs and values with 4 significant digits', () => {
    assert.equal(formatTick(0.4, 0.2), '0.4');
    assert.equal(formatTick(0.25, 0.05), '0.25');
    assert.equal(formatTick(300, 100), '300');
    assert.equal(formatTick(25_000, 5000), '25k');
    assert.equal(formatTick(1_500_000, 500_000), '1.5M');
    assert.equal(formatValue(0.123456), '0.1235');
    assert.equal(formatValue(1234.5), '1235');
    assert.equal(formatValue(123_456), '123.5k');
    assert.equal(formatValue(0.00001234), '1.23e-5');
    assert.equal(formatValue(0), '0');
  });
});
