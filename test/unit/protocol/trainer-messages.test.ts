import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeLine, parseHostCommand, parseTrainerEvent, type TrainerEvent } from '../../../src/protocol/trainer-messages';

const metrics = (values: Record<string, unknown>) => JSON.stringify({ v: 1, type: 'metrics', step: 3, phase: 'rl', values });

describe('trainer protocol guards', () => {
  it('round-trips every event type through encodeLine', () => {
    const events: TrainerEvent[] = [
      { v: 1, type: 'hello', pid: 1, version: '0.1.0', device: { ep: 'cpu', threads: 2 }, config: {} },
      { v: 1, type: 'phase', phase: 'sft', step: 0, totalSteps: 10 },
      { v: 1, type: 'rollouts', step: 1, groups: [] },
      { v: 1, type: 'metrics', step: 1, phase: 'rl', values: { reward: 0.5 } },
      { v: 1, type: 'checkpoint', step: 1, path: '/tmp/x' },
      { v: 1, type: 'log', level: 'info', message: 'hi' },
      { v: 1, type: 'error', message: 'bad', fatal: false },
      { v: 1, type: 'done', status: 'completed', summary: {} },
    ];
    for (const e of events) {
      const r = parseTrainerEvent(encodeLine(e).trim());
      assert.ok(r.ok, `${e.type}: ${r.ok ? '' : r.error}`);
      assert.deepEqual(r.ok && r.message, e);
    }
  });
  it('names the bad field', () => {
    const r = parseTrainerEvent(metrics({ reward: 'high' }));
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.error : '', /field "values"/);
  });
  it('reports malformed lines and unknown types without throwing', () => {
    const bad = parseTrainerEvent('{not json');
    assert.ok(!bad.ok && /not JSON/.test(bad.error));
    const unknown = parseTrainerEvent(JSON.stringify({ v: 1, type: 'telemetry' }));
    assert.ok(!unknown.ok && unknown.unknownType === 'telemetry');
    const version = parseTrainerEvent(JSON.stringify({ v: 2, type: 'log', level: 'info', message: 'x' }));
    assert.ok(!version.ok && /version 2/.test(version.error));
  });
  it('accepts the host commands and rejects others', () => {
    assert.ok(parseHostCommand('{"v":1,"type":"stop"}').ok);
    assert.ok(!parseHostCommand('{"v":1,"type":"shutdown"}').ok);
  });
});
