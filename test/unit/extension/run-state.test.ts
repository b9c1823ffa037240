import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeProgress, initialRunState, reduceRunEvent, reduceRunExit, statusBarText, type RunState } from '../../../src/extension/runs/run-state';
import type { TrainerEvent } from '../../../src/protocol/trainer-messages';
import { ev, runEvents } from './run-fixtures';

const fold = (events: TrainerEvent[], start: RunState = initialRunState('r', '/runs/r')): RunState => events.reduce(reduceRunEvent, start);

describe('run state reducer', () => {
  it('follows a whole run: step k/n, phase, last RL reward, checkpoint, done', () => {
    const events = runEvents({ sft: 3, rl: 2, rewards: [0.25, 0.75] });
    const mid = fold(events.slice(0, 6));
    assert.equal(mid.status, 'running');
    assert.equal(mid.pid, 4242);
    assert.equal(mid.device, 'cpu');
    assert.equal(mid.phase, 'sft');
    assert.deepEqual([mid.step, mid.totalSteps], [3, 5]);
    assert.equal(mid.lastReward, undefined, 'SFT steps carry no reward');

    const end = fold(events);
    assert.equal(end.status, 'completed');
    assert.deepEqual([end.step, end.totalSteps, end.lastReward, end.lastEvalReward], [5, 5, 0.75, 0.5]);
    assert.match(end.checkpoint!, /step-000005$/);
    assert.equal(describeProgress(end), 'step 5/5 · reward 0.750');
    assert.equal(describeProgress(fold(events.slice(0, 10))), 'step 4/5 · RL · reward 0.250');
  });

  it('keeps the previous state object intact (the view may still hold it)', () => {
    const before = fold([ev.hello()]);
    const after = reduceRunEvent(before, ev.metrics(1, 'rl', { reward: 1 }));
    assert.equal(before.step, 0);
    assert.equal(after.step, 1);
  });

  it('a stopped run says stopped; a failed done carries its error', () => {
    assert.equal(fold(runEvents({ end: 'stopped' })).status, 'stopped');
    const failed = fold([ev.hello(), ev.done('failed', { error: 'config: rl.groupSize: expected a number, got "4"' })]);
    assert.equal(failed.status, 'failed');
    assert.match(failed.error!, /rl\.groupSize/);
  });

  it('an error event is remembered; events after the end do not revive the run', () => {
    const s = fold([ev.hello(), ev.error('out of memory', true), ev.done('failed'), ev.metrics(9, 'rl', { reward: 1 })]);
    assert.equal(s.status, 'failed');
    assert.equal(s.error, 'out of memory');
  });

  it('steps never go backwards (a checkpoint event of an earlier step after metrics)', () => {
    assert.equal(fold([ev.metrics(4, 'rl', { reward: 0 }), ev.checkpoint(3)]).step, 4);
  });
});

describe('run state on process exit', () => {
  const running = fold([ev.hello(), ev.metrics(2, 'rl', { reward: 0.1 })]);

  it('a recording of steps 0–4 ends at step 4: done.summary.steps is a count, not a step', () => {
    const recorded = fold([ev.hello(), ...[0, 1, 2, 3, 4].map((k) => ev.metrics(k, 'rl', { reward: 1 })), ev.done('stopped', { chains: 40, steps: 5 })]);
    assert.equal(recorded.step, 4);
  });

  it('a clean exit after done keeps the done status', () => {
    const done = reduceRunEvent(running, ev.done('completed'));
    assert.equal(reduceRunExit(done, { code: 0, signal: null }).status, 'completed');
  });

  it('a non-zero exit without done is interrupted (as its folder reads), with the code and the last stderr line', () => {
    const s = reduceRunExit(running, { code: 3, signal: null }, ['', 'Error: boom', '  ']);
    assert.equal(s.status, 'interrupted');
    assert.equal(s.error, 'the trainer exited with code 3: Error: boom');
  });

  it('a kill by signal and a clean exit without done are both interrupted: one word for one death', () => {
    const killed = reduceRunExit(running, { code: null, signal: 'SIGKILL' });
    assert.equal(killed.status, 'interrupted');
    assert.match(killed.error!, /killed by SIGKILL/);
    assert.equal(reduceRunExit(running, { code: 0, signal: null }).status, 'interrupted');
  });

  it('a trainer that dies before its hello failed: there is no run to resume', () => {
    const s = reduceRunExit(initialRunState('r', '/r'), { code: 2, signal: null }, ['trainer: unknown preset "x"']);
    assert.equal(s.status, 'failed');
  });

  it('pause and resume events move a running run to paused and back; a stop in progress stays stopping', () => {
    const paused = reduceRunEvent(running, { v: 1, type: 'paused', step: 2 });
    assert.equal(paused.status, 'paused');
    assert.equal(reduceRunEvent(paused, ev.checkpoint(2)).status, 'paused', 'Checkpoint Now while paused keeps the pause');
    assert.equal(reduceRunEvent(paused, { v: 1, type: 'resumed', step: 2 }).status, 'running');
    const stopping = { ...running, status: 'stopping' as const };
    assert.equal(reduceRunEvent(stopping, ev.metrics(3, 'rl', { reward: 1 })).status, 'stopping');
    assert.equal(reduceRunEvent(stopping, ev.done('stopped')).status, 'stopped');
  });

  it('hello carries the total steps from the resolved config', () => {
    assert.equal(reduceRunEvent(initialRunState('r', '/r'), ev.hello()).totalSteps, 5);
  });

  it('a spawn failure says so; a crash after a successful done still fails', () => {
    assert.match(reduceRunExit(initialRunState('r', '/r'), { code: null, signal: null, spawnError: 'spawn node ENOENT' }).error!, /could not be started: spawn node ENOENT/);
    const done = reduceRunEvent(running, ev.done('completed'));
    assert.equal(reduceRunExit(done, { code: 1, signal: null }).status, 'failed');
  });

  it('an earlier error event is the message the user sees, not the exit code', () => {
    const s = reduceRunExit(reduceRunEvent(running, ev.error('config: rl.groupSize must be ≥ 2')), { code: 1, signal: null });
    assert.equal(s.error, 'config: rl.groupSize must be ≥ 2');
  });

  it('the status bar shows step, mean reward and tokens/s of the active run, and says paused', () => {
    const s = fold([ev.hello(), ev.phase('rl', 3, 5), ev.metrics(4, 'rl', { reward: 0.4123, tokens_per_second: 1234.4 })]);
    assert.equal(statusBarText(s), '$(sync~spin) r: step 4/5 · reward 0.412 · 1,234 tok/s');
    assert.equal(statusBarText(reduceRunEvent(s, { v: 1, type: 'paused', step: 4 })), '$(debug-pause) r: step 4/5 · reward 0.412 · 1,234 tok/s · paused');
  });
});
