import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHostToMetrics, parseMetricsToHost, type HostToMetricsMessage } from '../../../src/protocol/metrics-messages';
import { describeIssue } from '../../../src/protocol/schema';
import { chunk } from './fixtures';

const state = { selected: [{ runId: 'demo-1', color: 0 }], smoothing: 0.6, hidden: ['kl'] };
const runs = [{ runId: 'demo-1', status: 'running', progress: 'step 3/10' }];

describe('metrics message guards', () => {
  it('accepts every well-formed host message', () => {
    const messages: HostToMetricsMessage[] = [
      { type: 'snapshot', state, runs, series: [chunk('demo-1', 'reward', [1, 2])] },
      { type: 'state', state },
      { type: 'update', runs, replace: { runIds: ['demo-1'], series: [] }, append: [chunk('demo-1', 'loss', [3])] },
      { type: 'update', append: [chunk('demo-1', 'loss', [3])] },
      { type: 'update' },
      { type: 'error', message: 'boom' },
      { type: 'composePng', requestId: 3, width: 1200 },
      { type: 'highlightStep', runId: 'demo-1', step: 4 },
      { type: 'highlightStep', runId: 'demo-1' },
    ];
    for (const m of messages) assert.deepEqual(parseHostToMetrics(m), { ok: true, value: m });
  });
  it('names the bad field of a host message', () => {
    const bad: [unknown, RegExp][] = [
      [{ type: 'update', append: [{ ...chunk('a', 'm', [1, 2]), values: [1] }] }, /^append\[0\]\.values: /],
      [{ type: 'update', replace: { runIds: ['a'], series: [{ ...chunk('a', 'm', [1]), steps: [Number.NaN] }] } }, /^replace\.series\[0\]\.steps\[0\]: .*got NaN/],
      [{ type: 'update', replace: { series: [] } }, /^replace\.runIds: /],
      [{ type: 'snapshot', state: { ...state, smoothing: 2 }, runs, series: [] }, /^state\.smoothing: /],
      [{ type: 'snapshot', state: { ...state, selected: [{ runId: 'a', color: -1 }] }, runs, series: [] }, /^state\.selected\[0\]\.color: /],
      [{ type: 'update', runs: [{ runId: 'a', status: 'x' }] }, /^runs\[0\]\.progress: /],
      [{ type: 'toString' }, /unknown host → metrics message type "toString"/],
      [{ type: 'composePng', requestId: 1, width: 100 }, /^width: /],
      [{ type: 'highlightStep', runId: 'a', step: -1 }, /^step: /],
      [null, /expected an object, got null/],
      [{ series: [] }, /missing "type"/],
    ];
    for (const [message, error] of bad) {
      const parsed = parseHostToMetrics(message);
      assert.equal(parsed.ok, false, JSON.stringify(message));
      if (!parsed.ok) assert.match(describeIssue(parsed.issue), error);
    }
  });
  it('checks webview → host messages', () => {
    assert.equal(parseMetricsToHost({ type: 'ready' }).ok, true);
    assert.equal(parseMetricsToHost({ type: 'selectRun', runId: 'a', selected: true }).ok, true);
    assert.equal(parseMetricsToHost({ type: 'setSmoothing', smoothing: 0.5 }).ok, true);
    assert.equal(parseMetricsToHost({ type: 'setMetricHidden', metric: 'kl', hidden: false }).ok, true);
    assert.equal(parseMetricsToHost({ type: 'openStep', runId: 'a', step: 3, metric: 'reward' }).ok, true);
    assert.equal(parseMetricsToHost({ type: 'png', requestId: 1, dataUri: 'data:image/png;base64,' }).ok, true);
    assert.equal(parseMetricsToHost({ type: 'openStep', runId: 'a', step: 1.5, metric: 'reward' }).ok, false);
    const bad: [unknown, RegExp][] = [
      [{ type: 'selectRun', runId: 'a', selected: 'yes' }, /^selected: /],
      [{ type: 'setSmoothing', smoothing: 1 }, /^smoothing: /],
      [{ type: 'setMetricHidden', hidden: true }, /^metric: /],
      [{ type: 'snapshot' }, /unknown metrics → host message type "snapshot"/],
    ];
    for (const [message, error] of bad) {
      const parsed = parseMetricsToHost(message);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.match(describeIssue(parsed.issue), error);
    }
  });
});
