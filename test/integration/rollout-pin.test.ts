// The one rollout changed no number: two RL steps from the shipped SFT checkpoint (sequence- and
// step-level advantages) give the chains, rewards, advantages, evaluations and weights that the code
// before it gave (the digests were recorded from main at 0ec1d4f, when RL, evaluation and the scripts
// each sampled and scored on their own). A change of the sampling streams on purpose re-records them
// from the failure message, and says so: the demo's numbers move with them.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { TrainerEvent } from '../../src/protocol/trainer-messages';
import { loadWeights } from '../../src/trainer/checkpoint';
import { TRAIN_DEFAULTS, TRAIN_PRESETS, type TrainConfig } from '../../src/trainer/config';
import { runTraining } from '../../src/trainer/run';
import { SHIPPED_SFT_FOLDER } from '../../src/trainer/shipped-checkpoint';

const root = path.resolve(__dirname, '../..');
const smoke = TRAIN_PRESETS.smoke!(TRAIN_DEFAULTS);
const fromShipped = (advantage: 'sequence' | 'step'): TrainConfig => ({
  ...smoke,
  model: TRAIN_DEFAULTS.model,
  data: { kind: 'synthetic', trainSize: 64, evalSize: 4 },
  initFrom: path.join(root, SHIPPED_SFT_FOLDER),
  sft: { ...smoke.sft, steps: 0 },
  rl: { ...smoke.rl, steps: 2, promptsPerStep: 2, groupSize: 4, maxNewTokens: 96, advantage },
  eval: { every: 1, prompts: 3 },
});

const SEQUENCE_DIGEST = '9de6ffb0ebd86a0e910d4077a6aaffcaa4cc953478cd4af29e85805b8f2dfc06';
const STEP_DIGEST = 'a134df8f8c8c440acb867eb763173dec6d223b7d52d484886fb9914c482c7d5e';

/** sha256 of every chain (text, tokens, total, advantage), every eval metric and the final weights. */
async function runDigest(config: TrainConfig): Promise<string> {
  const events: TrainerEvent[] = [];
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-rollout-pin-')), 'run');
  const summary = await runTraining({ outDir: out, config, onEvent: (e) => events.push(e) });
  const h = crypto.createHash('sha256');
  for (const e of events) {
    if (e.type === 'rollouts') for (const g of e.groups) for (const s of g.samples) h.update(JSON.stringify([g.promptId, s.text, s.tokens, s.rewards.total, s.advantage]));
    if (e.type === 'metrics' && e.phase === 'eval')
      h.update(JSON.stringify(['eval/reward', 'eval/accuracy', 'eval/key_step_recall', 'eval/validity_rate'].map((k) => e.values[k])));
  }
  for (const [name, values] of [...loadWeights(summary.checkpoint!).params].sort(([a], [b]) => a.localeCompare(b)))
    h.update(name).update(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  return h.digest('hex');
}

describe('the one rollout keeps every number of the code before it', () => {
  it('sequence-level advantages (the demo)', async () => {
    assert.equal(await runDigest(fromShipped('sequence')), SEQUENCE_DIGEST);
  });
  it('advantage "step"', async () => {
    assert.equal(await runDigest(fromShipped('step')), STEP_DIGEST);
  });
});
