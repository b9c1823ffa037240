import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeLine, parseHostCommand, parseTrainerEvent, type TrainerEvent } from '../../../src/protocol/trainer-messages';
import { fixtureGroup } from '../../support/rollout-fixtures';

const line = (event: Record<string, unknown>): string => JSON.stringify({ v: 1, ...event });
const metrics = (values: Record<string, unknown>) => line({ type: 'metrics', step: 3, phase: 'rl', values });

/** The issue of a line the guard must reject. */
function rejected(text: string): { path: string; message: string } {
  const r = parseTrainerEvent(text);
  assert.equal(r.ok, false, text.slice(0, 120));
  return r.ok ? { path: '', message: '' } : r.issue;
}

describe('trainer protocol guards', () => {
  it('round-trips every event type through encodeLine', () => {
    const events: TrainerEvent[] = [
      { v: 1, type: 'hello', pid: 1, version: '0.1.0', device: { ep: 'cpu', threads: 2 }, config: {} },
      { v: 1, type: 'phase', phase: 'sft', step: 0, totalSteps: 10 },
      { v: 1, type: 'rollouts', step: 1, groups: [fixtureGroup(0)] },
      { v: 1, type: 'metrics', step: 1, phase: 'rl', values: { reward: 0.5 } },
      { v: 1, type: 'checkpoint', step: 1, path: '/tmp/x' },
      { v: 1, type: 'log', level: 'info', message: 'hi' },
      { v: 1, type: 'error', message: 'bad', fatal: false },
      { v: 1, type: 'done', status: 'completed', summary: {} },
    ];
    for (const e of events) {
      const r = parseTrainerEvent(encodeLine(e).trim());
      assert.ok(r.ok, `${e.type}: ${r.ok ? '' : `${r.issue.path}: ${r.issue.message}`}`);
      assert.deepEqual(r.value, e);
    }
  });

  it('errors are data: the path of the bad field and what was wrong', () => {
    assert.deepEqual(rejected(metrics({ reward: 'high' })), { path: 'values.reward', message: 'expected a number, got string' });
  });

  it('checks every field the host branches on: phase of phase and metrics events', () => {
    assert.equal(rejected(line({ type: 'phase', phase: 'warmup', step: 0, totalSteps: 3 })).path, 'phase');
    assert.equal(rejected(line({ type: 'metrics', step: 1, values: {} })).path, 'phase');
    assert.equal(rejected(line({ type: 'metrics', step: 1, phase: 'RL', values: {} })).path, 'phase');
    assert.equal(rejected(line({ type: 'done', status: 'ok', summary: {} })).path, 'status');
  });

  it('rejects out-of-range steps', () => {
    for (const step of [-1, 1.5, Number.MAX_VALUE * 2, '3']) {
      assert.equal(rejected(line({ type: 'checkpoint', step, path: '/x' })).path, 'step', String(step));
    }
    assert.match(rejected(line({ type: 'phase', phase: 'rl', step: 5, totalSteps: 4 })).message, /step ≤ totalSteps \(4\), got 5/);
  });

  it('checks groups in depth, down to each sample’s reward breakdown', () => {
    const group = fixtureGroup(0);
    const noSamples = { ...group, samples: 'none' };
    assert.equal(rejected(line({ type: 'rollouts', step: 1, groups: [group, noSamples] })).path, 'groups[1].samples');
    const badSpan = structuredClone(group);
    badSpan.samples[0]!.rewards.key_steps = [{ text: 'x', matched: true, alternative: null, spans: [[0, -2]] }];
    assert.equal(rejected(line({ type: 'rollouts', step: 1, groups: [badSpan] })).path, 'groups[0].samples[0].rewards.key_steps[0].spans[0][1]');
    const badImage = { ...group, image: { url: 'x' } };
    assert.equal(rejected(line({ type: 'rollouts', step: 1, groups: [badImage] })).path, 'groups[0].image');
  });

  it('reports malformed lines and unknown types without throwing', () => {
    assert.match(rejected('{not json').message, /not JSON/);
    const unknown = parseTrainerEvent(line({ type: 'telemetry' }));
    assert.ok(!unknown.ok && unknown.unknownType === 'telemetry');
    assert.deepEqual(rejected(JSON.stringify({ v: 2, type: 'log', level: 'info', message: 'x' })), { path: 'v', message: 'unsupported protocol version 2 (expected 1)' });
  });

  it('accepts the host commands and rejects others', () => {
    assert.ok(parseHostCommand('{"v":1,"type":"stop"}').ok);
    assert.ok(!parseHostCommand('{"v":1,"type":"shutdown"}').ok);
  });

  it("rejects an event whose step is past the run's total steps (maxStep), on the step field", () => {
    const late = line({ type: 'rollouts', step: 999, groups: [] });
    assert.ok(parseTrainerEvent(late).ok, 'without context any step ≥ 0 passes');
    const r = parseTrainerEvent(late, { maxStep: 280 });
    assert.ok(!r.ok);
    assert.deepEqual(r.issue, { path: 'step', message: "expected a step ≤ 280 (the run's total steps), got 999" });
    assert.ok(parseTrainerEvent(line({ type: 'paused', step: 280 }), { maxStep: 280 }).ok);
    assert.ok(parseTrainerEvent(line({ type: 'log', level: 'info', message: 'no step' }), { maxStep: 0 }).ok);
  });
});
