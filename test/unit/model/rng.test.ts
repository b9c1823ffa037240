// The one Rng reproduces mulberry32 exactly for both seedings, so the model's init and sampling
// streams and the synthetic task's data streams (on which the shipped SFT checkpoint depends) are
// the ones the two former classes produced.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng, hashSeed } from '../../../src/model/rng';

/**
 * Independent reference: Tommy Ettinger's mulberry32 as published in C
 * (https://gist.github.com/tommyettinger/46a874533244883189143505d203312c), transcribed with BigInt
 * arithmetic mod 2^32 instead of Math.imul, then scaled to [0, 1) by 2^-32.
 *   uint32_t z = (x += 0x6D2B79F5UL);
 *   z = (z ^ (z >> 15)) * (z | 1UL);
 *   z ^= z + (z ^ (z >> 7)) * (z | 61UL);
 *   return z ^ (z >> 14);
 */
function referenceMulberry32(state: number): () => number {
  const mask = 0xffffffffn;
  let x = BigInt(state >>> 0);
  return () => {
    x = (x + 0x6d2b79f5n) & mask;
    let z = x;
    z = ((z ^ (z >> 15n)) * (z | 1n)) & mask;
    z = (z ^ ((z + (((z ^ (z >> 7n)) * (z | 61n)) & mask)) & mask)) & mask;
    return Number(z ^ (z >> 14n)) / 2 ** 32;
  };
}

const DRAWS = 4000;

function assertSameStream(rng: Rng, reference: () => number, label: string): void {
  for (let i = 0; i < DRAWS; i++) assert.equal(rng.next(), reference(), `${label}: draw ${i}`);
}

describe('Rng', () => {
  it('new Rng(seed) is mulberry32 from seed ^ 0x9e3779b9 (the model init and sampling stream)', () => {
    for (const seed of [0, 1, 7, 42, 2 ** 31, 0xffffffff]) {
      assertSameStream(new Rng(seed), referenceMulberry32((seed ^ 0x9e3779b9) >>> 0), `seed ${seed}`);
    }
  });

  it('Rng.fromState(hashSeed(…)) is mulberry32 from the hashed seed itself (the data generator stream)', () => {
    for (const parts of [
      ['synthetic', 0, 0],
      ['synthetic', 1234, 99],
      ['teacher', 7, 3],
      ['fingerprint', 'epoch', 2],
    ] as const) {
      const state = hashSeed(...parts);
      assertSameStream(Rng.fromState(state), referenceMulberry32(state), parts.join('/'));
    }
  });

  it('int, pick and shuffle stay inside their ranges and are reproducible per seed', () => {
    const a = new Rng(3);
    const b = new Rng(3);
    for (let i = 0; i < 200; i++) {
      const n = a.int(-2, 5);
      assert.ok(Number.isInteger(n) && n >= -2 && n <= 5, `int(-2, 5) gave ${n}`);
      assert.equal(b.int(-2, 5), n);
    }
    assert.deepEqual(a.shuffle([1, 2, 3, 4, 5, 6]).sort(), [1, 2, 3, 4, 5, 6]);
    assert.throws(() => a.pick([]), /empty list/);
  });

  it('normal() has mean ≈ 0 and variance ≈ 1', () => {
    const rng = new Rng(11);
    const xs = Array.from({ length: 20000 }, () => rng.normal());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 0.05, `variance ${variance}`);
  });
});
