// The ablation runner on the smoke preset: one SFT run shared by every arm, one run per arm and
// seed, a table of mean ± interval, and a second call that reuses the completed runs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runAblation } from '../../src/trainer/ablation';
import { meanInterval } from '../../src/trainer/interval';
import { TRAIN_DEFAULTS, TRAIN_PRESETS } from '../../src/trainer/config';

const smoke = TRAIN_PRESETS.smoke!(TRAIN_DEFAULTS);

describe('ablation runner', () => {
  it('runs each arm for each seed from one SFT checkpoint, writes the table, and reuses finished runs', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-ablation-'));
    const runs: string[] = [];
    const results = await runAblation({ outDir: out, base: smoke, seeds: [0, 1], arms: ['sft', 'outcome', 'stepgrpo'], onEvent: (run, e) => e.type === 'hello' && runs.push(run) });
    assert.deepEqual(runs, ['sft', 'outcome/seed-0', 'outcome/seed-1', 'stepgrpo/seed-0', 'stepgrpo/seed-1']);
    assert.deepEqual(
      results.map((r) => [r.arm, r.runs.length]),
      [
        ['sft', 1],
        ['outcome', 2],
        ['stepgrpo', 2],
      ],
    );
    for (const r of results) for (const run of r.runs) assert.equal(run['eval/prompts'], smoke.eval.prompts);
    const stepConfig = JSON.parse(fs.readFileSync(path.join(out, 'stepgrpo', 'seed-1', 'config.json'), 'utf8'));
    assert.equal(stepConfig.seed, 1);
    assert.equal(stepConfig.sft.steps, 0);
    assert.match(stepConfig.initFrom, /sft[/\\]checkpoints[/\\]step-/);
    const table = fs.readFileSync(path.join(out, 'ablation.md'), 'utf8');
    assert.match(table, /\| SFT \+ outcome-only GRPO \| 2 \|/);
    const again: string[] = [];
    await runAblation({ outDir: out, base: smoke, seeds: [0, 1], arms: ['sft', 'outcome', 'stepgrpo'], onEvent: (run) => again.push(run) });
    assert.deepEqual(again, [], 'completed runs are reused, not rerun');
  });

  it('rejects an unknown arm by name', async () => {
    await assert.rejects(runAblation({ outDir: os.tmpdir(), base: smoke, seeds: [0], arms: ['nope'] }), /unknown arm "nope"/);
  });
});

describe('meanInterval', () => {
  it('Student-t 95 % half-width over seeds', () => {
    const m = meanInterval([0.3, 0.35, 0.4]);
    assert.ok(Math.abs(m.mean - 0.35) < 1e-12);
    assert.ok(Math.abs(m.halfWidth - 4.303 * (0.05 / Math.sqrt(3))) < 1e-9);
    assert.deepEqual(meanInterval([0.5]), { mean: 0.5, halfWidth: 0, n: 1 });
  });
});
