// Which sequences share a prefill: the same known tokens and the same offset positions (image).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prefixGroups } from '../../../src/model/kv-sampler';

describe('prefix groups', () => {
  it('prefills each distinct prefix once, from its first sequence', () => {
    const known = [
      [1, 2, 3],
      [1, 2],
      [5, 2],
      [1, 2, 3],
      [5, 2],
    ];
    assert.deepEqual(prefixGroups(known), { rows: [0, 1, 2], source: [0, 1, 2, 0, 2] });
  });

  it('keeps sequences with the same tokens apart when their offset positions differ', () => {
    const image = [10, 10, 11, 10, 11, 12];
    const known = image.map(() => [1, 2]);
    const { rows, source } = prefixGroups(known, (a, b) => image[a] === image[b]);
    assert.deepEqual(rows, [0, 2, 5]);
    assert.deepEqual(source, [0, 0, 1, 0, 1, 2]);
  });

  it('groups empty prefixes by offset positions alone', () => {
    assert.deepEqual(prefixGroups([[], [], []]), { rows: [0], source: [0, 0, 0] });
  });
});
