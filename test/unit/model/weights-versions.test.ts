// WeightsVersions decides when a session with the weights baked in must be built again: the same
// values keep their version, any change of bits (in place, a replaced array, a NaN) makes the next.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WeightsVersions } from '../../../src/model/weights-versions';

const weights = (): Map<string, Float32Array> =>
  new Map([
    ['a', Float32Array.from([1, 2, 3])],
    ['b', Float32Array.from([-0.5, 0.25])],
  ]);

describe('weights versions', () => {
  it('keeps the version while the values are unchanged, also as copies', () => {
    const versions = new WeightsVersions();
    const w = weights();
    const first = versions.of(w);
    assert.equal(versions.of(w), first);
    assert.equal(versions.of(weights()), first, 'equal values in other arrays');
  });

  it('moves to the next version on any changed bit, and never back', () => {
    const versions = new WeightsVersions();
    const w = weights();
    const v1 = versions.of(w);
    w.get('b')![1] = 0.2500001;
    const v2 = versions.of(w);
    assert.ok(v2 > v1, 'an in-place change');
    w.get('b')![1] = 0.25;
    const v3 = versions.of(w);
    assert.ok(v3 > v2, 'changed back: a new version, not the old one (its session may be gone)');
    w.get('a')![0] = -0;
    const v4 = versions.of(w);
    w.get('a')![0] = 0;
    assert.ok(versions.of(w) > v4, '-0 and +0 differ in bits');
    w.set('a', Float32Array.from([0, 2, 3, 4]));
    assert.ok(versions.of(w) > v4, 'a replaced array of another length');
  });

  it('sees NaN as unchanged when its bits are, and a missing tensor as a change', () => {
    const versions = new WeightsVersions();
    const w = weights();
    w.get('a')![2] = NaN;
    const v = versions.of(w);
    assert.equal(versions.of(w), v);
    w.delete('b');
    assert.ok(versions.of(w) > v);
  });
});
