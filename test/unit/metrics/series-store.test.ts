import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeriesStore } from '../../../webview/metrics/series-store';
import { chunk } from './fixtures';

describe('webview SeriesStore', () => {
  it('appends after the last held step and reports the metrics touched', () => {
    const store = new SeriesStore();
    assert.deepEqual([...store.append([chunk('a', 'reward', [1, 2]), chunk('a', 'loss', [1])])].sort(), ['loss', 'reward']);
    store.append([chunk('a', 'reward', [2, 3, 4])]);
    assert.deepEqual(store.get('a', 'reward')?.steps, [1, 2, 3, 4]);
  });
  it('a snapshot replaces everything and touches old and new metrics', () => {
    const store = new SeriesStore();
    store.append([chunk('a', 'kl', [1])]);
    const touched = store.reset([chunk('b', 'reward', [5])]);
    assert.deepEqual([...touched].sort(), ['kl', 'reward']);
    assert.equal(store.get('a', 'kl'), undefined);
    assert.deepEqual(store.get('b', 'reward')?.values, [0.5]);
  });
  it('replaceRuns swaps one run and leaves the others', () => {
    const store = new SeriesStore();
    store.append([chunk('a', 'reward', [1, 2, 3]), chunk('b', 'reward', [1])]);
    store.replaceRuns(['a'], [chunk('a', 'reward', [1, 2], [9, 9])]);
    assert.deepEqual(store.get('a', 'reward'), { steps: [1, 2], values: [9, 9] });
    assert.deepEqual(store.get('b', 'reward')?.steps, [1]);
  });
  it('retain forgets deselected runs; metricNames lists metrics with points', () => {
    const store = new SeriesStore();
    store.append([chunk('a', 'reward', [1]), chunk('b', 'loss', [1]), chunk('b', 'empty', [])]);
    assert.deepEqual([...store.metricNames()].sort(), ['loss', 'reward']);
    assert.deepEqual([...store.retain(new Set(['a']))], ['loss', 'empty']);
    assert.deepEqual([...store.metricNames()], ['reward']);
  });
});
