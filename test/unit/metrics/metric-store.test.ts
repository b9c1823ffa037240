import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lowerBound, MetricStore } from '../../../src/extension/metrics/metric-store';
import { SeriesStore } from '../../../webview/metrics/series-store';
import { seeded } from './fixtures';

describe('host MetricStore', () => {
  it('sends new points as appends, once', () => {
    const store = new MetricStore();
    store.add('r', 1, { reward: 0.1, kl: 0 });
    store.add('r', 2, { reward: 0.2 });
    const first = store.takeDelta(['r']);
    assert.deepEqual(first.replace.runIds, []);
    assert.deepEqual(first.append, [
      { runId: 'r', metric: 'reward', steps: [1, 2], values: [0.1, 0.2] },
      { runId: 'r', metric: 'kl', steps: [1], values: [0] },
    ]);
    store.add('r', 3, { reward: 0.3 });
    assert.deepEqual(store.takeDelta(['r']).append, [{ runId: 'r', metric: 'reward', steps: [3], values: [0.3] }]);
    assert.deepEqual(store.takeDelta(['r']), { replace: { runIds: [], series: [] }, append: [] });
  });
  it('the same point twice (live event and metrics.jsonl) changes nothing', () => {
    const store = new MetricStore();
    store.add('r', 1, { reward: 0.1 });
    store.takeDelta(['r']);
    store.add('r', 1, { reward: 0.1 });
    assert.deepEqual(store.takeDelta(['r']).append, []);
  });
  it('a rewritten sent step (a resumed run) resends the run whole', () => {
    const store = new MetricStore();
    store.add('r', 1, { reward: 0.1 });
    store.add('r', 3, { reward: 0.3 });
    store.takeDelta(['r']);
    store.add('r', 2, { reward: 0.2 });
    const delta = store.takeDelta(['r']);
    assert.deepEqual(delta.replace, { runIds: ['r'], series: [{ runId: 'r', metric: 'reward', steps: [1, 2, 3], values: [0.1, 0.2, 0.3] }] });
    assert.deepEqual(delta.append, []);
  });
  it('only the asked runs are sent; the others wait', () => {
    const store = new MetricStore();
    store.add('a', 1, { reward: 1 });
    store.add('b', 1, { reward: 2 });
    assert.deepEqual(
      store.takeDelta(['a']).append.map((c) => c.runId),
      ['a'],
    );
    assert.deepEqual(
      store.takeDelta(['a', 'b']).append.map((c) => c.runId),
      ['b'],
    );
  });
  it('skips non-finite values', () => {
    const store = new MetricStore();
    store.add('r', 1, { reward: Number.NaN, kl: Infinity, loss: 2 });
    assert.deepEqual(store.metrics('r'), ['loss']);
  });
  it('keeps the webview copy equal to its own under shuffled, repeated points', () => {
    const rand = seeded(3);
    const host = new MetricStore();
    const page = new SeriesStore();
    for (let i = 0; i < 400; i++) {
      const step = Math.floor(rand() * 120);
      host.add('r', step, { reward: step * 2, ...(rand() < 0.3 ? { loss: -step } : {}) });
      if (rand() < 0.2) {
        const delta = host.takeDelta(['r']);
        page.replaceRuns(delta.replace.runIds, delta.replace.series);
        page.append(delta.append);
      }
    }
    const delta = host.takeDelta(['r']);
    page.replaceRuns(delta.replace.runIds, delta.replace.series);
    page.append(delta.append);
    for (const c of host.chunks('r')) assert.deepEqual(page.get('r', c.metric), { steps: c.steps, values: c.values }, c.metric);
    const steps = host.chunks('r').find((c) => c.metric === 'reward')!.steps;
    assert.deepEqual(
      steps,
      [...steps].sort((a, b) => a - b),
    );
  });
  it('lowerBound finds the first step not below the target', () => {
    assert.deepEqual(
      [0, 1, 2, 5, 9].map((s) => lowerBound([1, 2, 4, 8], s)),
      [0, 0, 1, 3, 4],
    );
  });
});
