// Bench section `trainer` (DESIGN §11): the time split of one StepGRPO step of 8 prompts × G = 4
// = 32 chains (up to 200 new tokens; the size earlier measurements used, so numbers compare across
// commits), after a short SFT so chains have the task's shape and length. Median over REPS steps
// after one warm-up step.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchRow, BenchSection } from '../bench-section';
import { median } from '../bench-section';
import { presetConfig, resolveTrainConfig } from '../../../src/trainer/config';
import { runTraining } from '../../../src/trainer/run';
import type { TrainerEvent } from '../../../src/protocol/trainer-messages';

const REPS = 3;
const SFT_STEPS = 40;

const section: BenchSection = {
  name: 'trainer',
  async run() {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-bench-trainer-')), 'run');
    const base = presetConfig('demo');
    const config = resolveTrainConfig(
      { sft: { steps: SFT_STEPS }, rl: { steps: REPS + 1, promptsPerStep: 8, groupSize: 4 }, eval: { every: 0, prompts: 1 }, checkpointEvery: 0 },
      base,
    );
    const rl: Extract<TrainerEvent, { type: 'metrics' }>[] = [];
    await runTraining({ outDir: out, config, onEvent: (e) => e.type === 'metrics' && e.phase === 'rl' && rl.push(e) });
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
    const timed = rl.slice(1);
    const pick = (key: string): number => median(timed.map((m) => m.values[key] ?? NaN));
    const split = { sample: pick('time/sample'), score: pick('time/score'), logprobs: pick('time/logprobs'), update: pick('time/update') };
    const rows: BenchRow[] = [
      { key: 'trainer.step_s', value: pick('step_time'), note: `one StepGRPO step, ${config.rl.promptsPerStep} prompts × G = ${config.rl.groupSize}, median of ${timed.length}` },
      { key: 'trainer.steps_per_min', value: 60 / pick('step_time'), note: 'StepGRPO steps per minute at this size' },
      { key: 'trainer.step_split', value: split, note: 'seconds: sampling, scoring, reference log-probs (no old pass with one update per batch), fused update' },
      { key: 'trainer.completion_tokens', value: pick('completions/mean_length'), note: 'mean completion length (tokens)' },
      { key: 'trainer.load_avg', value: os.loadavg()[0]!, note: '1-minute load average at the end' },
    ];
    return rows;
  },
};

export default section;
