// F16 / BF16 ⇄ F32 against references built here from the IEEE definitions (exact float64 maths on
// DataView bit patterns), known bit patterns of special values, and all 65,536 half patterns.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from '../../../src/engine';
import { Rng } from '../../../src/model/rng';

/** Seeded so a failure replays: rerun this file. */
const testRng = new Rng(1212);

const f32Bits = (x: number): number => {
  const v = new DataView(new ArrayBuffer(4));
  v.setFloat32(0, x);
  return v.getUint32(0);
};
const f32FromBits = (b: number): number => {
  const v = new DataView(new ArrayBuffer(4));
  v.setUint32(0, b);
  return v.getFloat32(0);
};
const allHalfPatterns = (): Uint16Array => Uint16Array.from({ length: 65536 }, (_, i) => i);
const isNaNHalf = (h: number): boolean => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;

/** IEEE 754 binary16: (-1)^s · 2^(e-15) · 1.m, subnormals 2^-14 · 0.m. */
function halfReference(h: number): number {
  const s = h >> 15 ? -1 : 1;
  const e = (h >> 10) & 31;
  const m = h & 1023;
  if (e === 31) return m ? NaN : s * Infinity;
  return e ? s * Math.pow(2, e - 15) * (1 + m / 1024) : s * Math.pow(2, -14) * (m / 1024);
}

/**
 * Round-to-nearest-even onto a sorted list of candidate magnitudes (their bit patterns are the
 * indices), by exact float64 distances; `overflow` is where rounding goes to infinity.
 */
function nearest(x: number, magnitudes: readonly number[], overflow: number, infBits: number): number {
  const a = Math.abs(x);
  if (a >= overflow) return infBits;
  let lo = 0;
  let hi = magnitudes.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (magnitudes[mid]! <= a) lo = mid;
    else hi = mid;
  }
  const dLo = a - magnitudes[lo]!;
  const dHi = magnitudes[hi]! - a;
  return dLo < dHi || (dLo === dHi && lo % 2 === 0) ? lo : hi;
}

// Random float32 patterns over every exponent, plus the neighbourhoods where rounding is delicate.
function randomF32Patterns(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(testRng.next() * 2 ** 32);
  return out;
}

describe('F16 ⇄ F32', () => {
  it('widens every half pattern to its IEEE value (NaN stays NaN with its sign)', () => {
    const wide = f16ToF32(allHalfPatterns());
    for (let h = 0; h < 65536; h++) {
      if (isNaNHalf(h)) {
        assert.ok(Number.isNaN(wide[h]), `0x${h.toString(16)} is NaN`);
        assert.equal(f32Bits(wide[h]!) >>> 31, h >> 15, `0x${h.toString(16)} keeps its sign`);
      } else {
        assert.ok(Object.is(wide[h], halfReference(h)), `0x${h.toString(16)}: ${wide[h]} vs ${halfReference(h)}`);
      }
    }
  });

  it('knows the special values by their bit patterns', () => {
    const cases: [number, number][] = [
      [0x0000, 0],
      [0x8000, -0],
      [0x3c00, 1],
      [0xc000, -2],
      [0x7bff, 65504],
      [0x0400, 2 ** -14],
      [0x03ff, 1023 * 2 ** -24],
      [0x0001, 2 ** -24],
      [0x7c00, Infinity],
      [0xfc00, -Infinity],
    ];
    const wide = f16ToF32(Uint16Array.from(cases, ([h]) => h));
    cases.forEach(([h, v], i) => assert.ok(Object.is(wide[i], v), `0x${h.toString(16)} → ${v}`));
    assert.ok(Number.isNaN(f16ToF32(Uint16Array.of(0x7e00))[0]));
    const narrow = f32ToF16(Float32Array.from(cases, ([, v]) => v));
    assert.deepEqual(
      Array.from(narrow),
      cases.map(([h]) => h),
    );
    assert.deepEqual(
      Array.from(f32ToF16(Float32Array.of(65520, -65520, 1e10, 2 ** -25, -(2 ** -25), 3 * 2 ** -25, 3 * 2 ** -26))),
      [0x7c00, 0xfc00, 0x7c00, 0x0000, 0x8000, 0x0002, 0x0001],
    );
  });

  it('every half pattern survives F16 → F32 → F16 exactly, NaN payloads included', () => {
    const all = allHalfPatterns();
    assert.deepEqual(f32ToF16(f16ToF32(all)), all);
  });

  it('narrows random float32 values to the nearest half, ties to even', () => {
    // Finite half magnitudes in pattern order (0x0000 … 0x7bff) are increasing: a sorted list.
    const magnitudes = Array.from({ length: 0x7c00 }, (_, h) => halfReference(h));
    const bits = randomF32Patterns(100_000);
    // Exact ties and near-ties: half values and midpoints between neighbours, nudged by ±1 ulp.
    const ties: number[] = [];
    for (let k = 0; k < 2000; k++) {
      const h = Math.floor(testRng.next() * 0x7bff);
      const mid = f32Bits((magnitudes[h]! + magnitudes[h + 1]!) / 2);
      ties.push(mid, mid + 1, mid - 1, f32Bits(magnitudes[h]!));
    }
    const patterns = Uint32Array.from([...bits, ...ties, ...ties.map((b) => b | 0x80000000)]);
    const values = new Float32Array(patterns.buffer);
    const got = f32ToF16(values);
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      if (Number.isNaN(x)) {
        assert.ok(isNaNHalf(got[i]!), `NaN 0x${patterns[i]!.toString(16)} stays NaN`);
        continue;
      }
      // Halfway between 65504 and the next (absent) half, 65536, is 65520: from there on, infinity.
      const want = nearest(x, magnitudes, 65520, 0x7c00) | (patterns[i]! >>> 31 ? 0x8000 : 0);
      assert.equal(got[i], want, `${x} (0x${patterns[i]!.toString(16)})`);
    }
  });
});

describe('BF16 ⇄ F32', () => {
  it('widens by placing the bits on top of a float32', () => {
    const all = allHalfPatterns();
    const wide = bf16ToF32(all);
    for (let b = 0; b < 65536; b++) assert.ok(Object.is(wide[b], f32FromBits(b * 65536)) || (Number.isNaN(wide[b]) && Number.isNaN(f32FromBits(b * 65536))));
    assert.deepEqual(Array.from(bf16ToF32(Uint16Array.of(0x3f80, 0xc000, 0x7f80, 0xff80, 0x8000, 0x0001))), [1, -2, Infinity, -Infinity, -0, 2 ** -133]);
    assert.deepEqual(f32ToBf16(wide), all, 'every pattern round-trips, NaN payloads included');
  });

  it('narrows random float32 values with round to nearest even (BigInt reference)', () => {
    const patterns = randomF32Patterns(200_000);
    // Ties (low half exactly 0x8000) with even and odd upper halves, and the overflow edge.
    for (let k = 0; k < 1000; k++) patterns[k] = (patterns[k]! & 0xffff0000) | 0x8000;
    patterns[1000] = 0x7f7fffff;
    patterns[1001] = 0x7f7f7fff;
    const values = new Float32Array(patterns.buffer);
    const got = f32ToBf16(values);
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      if (Number.isNaN(x)) {
        assert.ok((got[i]! & 0x7f80) === 0x7f80 && (got[i]! & 0x7f) !== 0, `NaN 0x${patterns[i]!.toString(16)} stays NaN`);
        continue;
      }
      // Truncate, then compare the dropped 16 bits with one half ulp; carry may reach infinity.
      const bits = BigInt(patterns[i]!);
      const upper = bits >> 16n;
      const dropped = bits & 0xffffn;
      const up = dropped > 0x8000n || (dropped === 0x8000n && (upper & 1n) === 1n);
      assert.equal(got[i], Number(up ? upper + 1n : upper), `${x} (0x${patterns[i]!.toString(16)})`);
    }
    assert.equal(f32ToBf16(Float32Array.of(f32FromBits(0x7f7fffff)))[0], 0x7f80, 'the largest float32 rounds to infinity');
  });
});
