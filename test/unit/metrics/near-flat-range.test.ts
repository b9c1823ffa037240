// A metric whose values differ only by float noise (a recorded run's reward of 1.3375 and
// 1.3375000000000001) once hung the Metrics webview: its padded range was ~1e-16 wide and the tick
// loop never advanced. Such a range is flat.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { niceTicks, paddedRange } from '../../../webview/metrics/chart-math';

describe('near-flat value ranges', () => {
  it('are padded like flat ones, so their ticks are few and finite', () => {
    const [y0, y1] = paddedRange(1.3375, 1.3375000000000001);
    assert.ok(y1 - y0 > 0.1, `${y0}..${y1}`);
    const { ticks } = niceTicks(y0, y1, 4);
    assert.ok(ticks.length > 0 && ticks.length < 20, String(ticks.length));
  });
});
