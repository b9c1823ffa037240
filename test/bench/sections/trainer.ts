// Trainer throughput and memory: short RL runs from the shipped SFT checkpoint (as the demo does),
// each in its own process (test/bench/trainer-run.ts) so its peak memory is its own. The demo's RL
// batch (16 prompts × G 8) runs twice side by side: in micro-batches (the default) and as one whole
// batch, as before micro-batches existed. The median step skips the first WARMUP steps, which build
// sessions.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type { BenchRow, BenchSection } from '../bench-section';
import { median } from '../bench-section';
import { SHIPPED_SFT_FOLDER } from '../../../src/trainer/shipped-checkpoint';

const WARMUP = 2;
const TIMED = 6;

interface ChildResult {
  steps: Record<string, number>[];
  peakRssGb: number;
}

function runChild(rl: object, runtime: object = {}): ChildResult {
  const config = { initFrom: SHIPPED_SFT_FOLDER, sft: { steps: 0 }, rl: { ...rl, steps: WARMUP + TIMED }, runtime, eval: { every: 0, prompts: 1 }, checkpointEvery: 0 };
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'trainer-run.ts'), JSON.stringify(config)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildResult;
}

function rows(prefix: string, what: string, r: ChildResult): BenchRow[] {
  const timed = r.steps.slice(WARMUP);
  const pick = (key: string): number => median(timed.map((m) => m[key] ?? NaN));
  const split = { sample: pick('time/sample'), score: pick('time/score'), logprobs: pick('time/logprobs'), update: pick('time/update') };
  const total = r.steps.reduce((s, m) => s + (m.step_time ?? 0), 0);
  return [
    { key: `${prefix}.step_s`, value: pick('step_time'), note: `${what}: one StepGRPO step, median of steps ${WARMUP + 1}–${WARMUP + TIMED}` },
    { key: `${prefix}.steps_per_min`, value: 60 / pick('step_time'), note: `${what}: StepGRPO steps per minute` },
    { key: `${prefix}.all_steps_s`, value: total, note: `${what}: all ${r.steps.length} RL steps, session builds included` },
    { key: `${prefix}.step_split`, value: split, note: 'seconds: sampling, scoring, reference log-probs (no old pass with one update per batch), update' },
    { key: `${prefix}.peak_rss_gb`, value: r.peakRssGb, note: `${what}: peak resident memory of the trainer process, GiB` },
  ];
}

const section: BenchSection = {
  name: 'trainer',
  async run() {
    const small = runChild({ promptsPerStep: 8, groupSize: 4 });
    const demo = runChild({});
    const whole = runChild({}, { microBatch: 1024 });
    return [
      ...rows('trainer', '8 prompts × G 4 (one micro-batch)', small),
      { key: 'trainer.completion_tokens', value: median(small.steps.map((m) => m['completions/mean_length']!)), note: 'mean completion length (tokens)' },
      ...rows('trainer.demo', 'demo batch 16 × G 8, micro-batches of 32', demo),
      ...rows('trainer.demo_whole_batch', 'demo batch 16 × G 8 as one batch', whole),
      { key: 'trainer.load_avg', value: os.loadavg()[0]!, note: '1-minute load average at the end' },
    ];
  },
};

export default section;
