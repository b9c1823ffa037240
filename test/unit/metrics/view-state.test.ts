import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initialViewState, keepRuns, restoreViewState, selectRun, setMetricHidden, setSmoothing } from '../../../src/extension/metrics/view-state';

describe('Metrics view state', () => {
  it('gives each selected run the lowest free colour and keeps it while others toggle', () => {
    let s = initialViewState();
    for (const id of ['a', 'b', 'c']) s = selectRun(s, id, true);
    s = selectRun(s, 'b', false);
    s = selectRun(s, 'd', true);
    assert.deepEqual(s.selected, [
      { runId: 'a', color: 0 },
      { runId: 'c', color: 2 },
      { runId: 'd', color: 1 },
    ]);
    assert.equal(selectRun(s, 'a', true), s, 'no change, same object');
  });
  it('clamps smoothing and keeps hidden metrics sorted and unique', () => {
    const s = initialViewState();
    assert.equal(setSmoothing(s, 5).smoothing, 0.99);
    assert.equal(setSmoothing(s, -1).smoothing, 0);
    assert.equal(setSmoothing(s, Number.NaN).smoothing, 0);
    const h = setMetricHidden(setMetricHidden(s, 'kl', true), 'entropy', true);
    assert.deepEqual(h.hidden, ['entropy', 'kl']);
    assert.equal(setMetricHidden(h, 'kl', true), h);
    assert.deepEqual(setMetricHidden(h, 'kl', false).hidden, ['entropy']);
  });
  it('drops runs whose folder is gone', () => {
    const s = selectRun(selectRun(initialViewState(), 'a', true), 'b', true);
    assert.deepEqual(
      keepRuns(s, (id) => id === 'b').selected.map((r) => r.runId),
      ['b'],
    );
  });
  it('restores a saved state and falls back to defaults on garbage', () => {
    const saved = { selected: [{ runId: 'x', color: 7 }, { runId: 'x' }, { runId: 3 }, null], smoothing: 0.3, hidden: ['kl', 'kl', 4] };
    assert.deepEqual(restoreViewState(saved), { selected: [{ runId: 'x', color: 0 }], smoothing: 0.3, hidden: ['kl'] });
    assert.deepEqual(restoreViewState('nope'), initialViewState());
    assert.deepEqual(restoreViewState({ smoothing: 'high' }), initialViewState());
  });
});
