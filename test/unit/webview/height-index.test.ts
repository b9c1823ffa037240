import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HeightIndex, visibleRange } from '../../../webview/rollout-viewer/height-index';

/** The plain-array reference: offsets are running sums. */
const offsets = (hs: number[]) => hs.reduce<number[]>((acc, h, i) => [...acc, (acc[i] ?? 0) + h], [0]);

describe('virtual list window math', () => {
  it('matches running sums after appends and height corrections (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 80 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 500 })), { maxLength: 20 }),
        (hs, edits) => {
          const index = new HeightIndex();
          for (const h of hs) index.append(h);
          const ref = [...hs];
          for (const [i, h] of edits) {
            index.set(i % ref.length, h);
            ref[i % ref.length] = h;
          }
          const off = offsets(ref);
          for (let i = 0; i <= ref.length; i++) assert.equal(index.offsetOf(i), off[i]);
          assert.equal(index.total(), off[ref.length]);
          for (let i = 0; i < ref.length; i++) {
            assert.equal(index.indexAt(off[i]!), i);
            assert.equal(index.indexAt(off[i + 1]! - 1), i);
          }
          assert.equal(index.indexAt(off[ref.length]! + 10), ref.length - 1);
        },
      ),
    );
  });

  it('renders only the rows that meet the viewport plus overscan, for 10,000 rows', () => {
    const index = new HeightIndex();
    for (let i = 0; i < 10_000; i++) index.append(100);
    assert.deepEqual(visibleRange(index, 500_000, 800, 200), { first: 4998, last: 5010 });
    assert.deepEqual(visibleRange(index, 0, 800, 200), { first: 0, last: 10 });
    assert.deepEqual(visibleRange(new HeightIndex(), 0, 800, 200), { first: 0, last: -1 });
  });
});
