import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compareRun, formatComparison } from '../../../src/cli/commands/compare';
import { RunWriter } from '../../../src/rundir/run-writer';

/** A run folder whose RL rewards are 0, 1, 2, … and two evaluations. */
function fakeRun(rlSteps: number): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-compare-')), 'run');
  const run = RunWriter.create(dir, {});
  run.append({ v: 1, type: 'metrics', step: 0, phase: 'eval', values: { 'eval/accuracy': 0.25 } });
  for (let s = 0; s < rlSteps; s++) run.append({ v: 1, type: 'metrics', step: s + 1, phase: 'rl', values: { reward: s } });
  run.append({ v: 1, type: 'metrics', step: rlSteps, phase: 'eval', values: { 'eval/accuracy': 0.5 } });
  return dir;
}

describe('stepgrpo compare', () => {
  it('averages the first and last k RL steps and takes the first and last evaluation', async () => {
    const r = await compareRun(fakeRun(10), 3);
    assert.equal(r.rlSteps, 10);
    assert.equal(r.rolloutFirst.reward, 1); // mean of 0, 1, 2
    assert.equal(r.rolloutLast.reward, 8); // mean of 7, 8, 9
    assert.deepEqual([r.evalFirst['eval/accuracy'], r.evalLast['eval/accuracy']], [0.25, 0.5]);
    assert.match(formatComparison([r], 3), /eval\/accuracy\s+0\.250 → 0\.500/);
  });
  it('shrinks the window to half the steps for short runs', async () => {
    const r = await compareRun(fakeRun(4), 10);
    assert.equal(r.rolloutFirst.reward, 0.5);
    assert.equal(r.rolloutLast.reward, 2.5);
  });
  it('names a folder that is not a run', async () => {
    await assert.rejects(compareRun(os.tmpdir(), 3), /is not a run directory/);
  });
});
