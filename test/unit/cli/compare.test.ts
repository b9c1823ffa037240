import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compareRun, formatComparison } from '../../../src/cli/commands/compare';
import { scoreChain } from '../../../src/core/reward';
import { RunWriter } from '../../../src/rundir/run-writer';
import { rlGainLines } from '../../../src/cli/rl-gain-report';
import { rlGain } from '../../../src/trainer/rl-gain';
import { buildChain } from '../../fixtures/chain-builder';

/** Scored chains, right (answer 7) or wrong, one per prompt. */
const scored = (right: boolean[]) => right.map((r) => scoreChain(buildChain({ answer: r ? '7' : '8' }), { answer: '7', keySteps: ['7'] }, 'stepgrpo'));

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
  it('prints RL’s paired gain over both SFT figures', () => {
    const g = rlGain({ greedy: scored([false, false, true, true]), fullChain: scored([true, false, true, true]) }, scored([true, true, true, false]));
    const text = rlGainLines(g, 'after RL').join('\n');
    assert.match(text, /paired over the same 4 held-out prompts/);
    assert.match(text, /gain over SFT greedy\s+\+25\.0 ± [\d.]+ points \(2 up \/ 1 down\)/);
    assert.match(text, /gain over the forced full chain \+0\.0 ± [\d.]+ points \(1 up \/ 1 down\)/);
  });

  it('names a folder that is not a run', async () => {
    await assert.rejects(compareRun(os.tmpdir(), 3), /is not a run directory/);
  });
});
