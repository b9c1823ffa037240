import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPairedChange, pairedChange } from '../../../src/core/paired-change';
import { Rng } from '../../../src/model/rng';

/** The reference: mean and standard error of the per-prompt differences d = after − before ∈ {−1, 0, 1}. */
function reference(before: boolean[], after: boolean[]): { change: number; se: number } {
  const d = after.map((a, i) => Number(a) - Number(before[i]));
  const mean = d.reduce((s, x) => s + x, 0) / d.length;
  const variance = d.reduce((s, x) => s + (x - mean) ** 2, 0) / d.length;
  return { change: mean, se: Math.sqrt(variance / d.length) };
}

describe('pairedChange', () => {
  it('matches the mean and SE of the per-prompt differences on seeded outcomes', () => {
    const rng = new Rng(20);
    for (let trial = 0; trial < 20; trial++) {
      const n = 1 + Math.floor(rng.next() * 300);
      const before = Array.from({ length: n }, () => rng.next() < 0.4);
      const after = before.map((b) => (rng.next() < 0.2 ? !b : b));
      const c = pairedChange(before, after);
      const ref = reference(before, after);
      assert.ok(Math.abs(c.change - ref.change) < 1e-12 && Math.abs(c.se - ref.se) < 1e-12, `trial ${trial}`);
      assert.equal(c.up - c.down, Math.round(ref.change * n));
    }
  });

  it('reproduces the audit’s figure: 11 up, 8 down of 200', () => {
    const before = Array.from({ length: 200 }, (_, i) => i >= 11 && i < 100);
    const after = before.map((b, i) => (i < 11 ? true : i < 19 ? false : b));
    assert.equal(formatPairedChange(pairedChange(before, after)), '+1.5 ± 2.2 points (11 up / 8 down)');
  });

  it('refuses unpaired outcomes', () => {
    assert.throws(() => pairedChange([true], [true, false]), /1 prompts before, 2 after/);
  });
});
