// Which sequences share a prefill: the same first L tokens and the same offset positions (image).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prefixGroups } from '../../../src/model/kv-sampler';

describe('prefix groups', () => {
  it('prefills each distinct prefix once, from its first sequence', () => {
    const seqs = [
      [1, 2, 3],
      [1, 2, 4],
      [5, 2],
      [1, 2, 3, 9],
      [5, 2, 7],
    ];
    assert.deepEqual(prefixGroups(seqs, 2), { rows: [0, 2], source: [0, 0, 1, 0, 1] });
    assert.deepEqual(prefixGroups(seqs, 3), { rows: [0, 1, 2, 4], source: [0, 1, 2, 0, 3] });
  });

  it('keeps sequences with the same tokens apart when their offset positions differ', () => {
    const image = [10, 10, 11, 10, 11, 12];
    const seqs = image.map(() => [1, 2]);
    const { rows, source } = prefixGroups(seqs, 2, (a, b) => image[a] === image[b]);
    assert.deepEqual(rows, [0, 2, 5]);
    assert.deepEqual(source, [0, 0, 1, 0, 1, 2]);
  });

  it('with L = 0 groups by offset positions alone', () => {
    assert.deepEqual(prefixGroups([[3], [4], [5]], 0), { rows: [0], source: [0, 0, 0] });
  });
});
