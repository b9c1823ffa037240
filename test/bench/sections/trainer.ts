// Trainer throughput and memory, each configuration in its own process (test/bench/*-run.ts) so its
// peak memory is its own:
// - the demo: RL from the shipped SFT checkpoint with the demo's batch (16 prompts × G 8, in
//   micro-batches) and its held-out evaluations (200 prompts, at the start and at step 10);
// - a small batch (8 × 4, one micro-batch) and the demo batch as one whole batch;
// - sampling on the demo batch and one sequence at a time;
// - one train step of a model as wide as a small real one (150 k vocabulary).
// With STEPGRPO_BENCH_BASELINE=<another checkout> the demo, sampling and big-vocabulary children also
// run on that checkout's sources, one after the other on the same machine, and the table gets the
// baseline's value and the ratio beside each (keys `….baseline`, `….ratio`).
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type { BenchRow, BenchSection } from '../bench-section';
import { median } from '../bench-section';
import { SHIPPED_SFT_FOLDER } from '../../../src/trainer/shipped-checkpoint';
import { TRAIN_DEFAULTS } from '../../../src/trainer/config';
import { MICRO_BATCH_DEFAULT } from '../../../src/model/policy';

const WARMUP = 2;
const TIMED = 6;
const DEMO_STEPS = 10;
const DEMO_SEQUENCES = TRAIN_DEFAULTS.rl.promptsPerStep * TRAIN_DEFAULTS.rl.groupSize;

interface TrainerResult {
  steps: Record<string, number>[];
  peakRssMb: number;
}

/** Runs a bench child script (test/bench/<script>) under this Node and returns its last JSON line. */
export function child<T>(script: string, args: string[]): T {
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', script), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}

const trainer = (config: object, root?: string): TrainerResult =>
  child<TrainerResult>('trainer-run.ts', [JSON.stringify({ initFrom: SHIPPED_SFT_FOLDER, sft: { steps: 0 }, checkpointEvery: 0, ...config }), ...(root ? [root] : [])]);
const short = (rl: object, runtime: object = {}): TrainerResult => trainer({ rl: { ...rl, steps: WARMUP + TIMED }, runtime, eval: { every: 0, prompts: 1 } });

function rows(prefix: string, what: string, r: TrainerResult, skip = WARMUP): BenchRow[] {
  const timed = r.steps.slice(skip);
  const pick = (key: string): number => median(timed.map((m) => m[key] ?? NaN));
  const split = { sample: pick('time/sample'), score: pick('time/score'), logprobs: pick('time/logprobs'), update: pick('time/update') };
  const total = r.steps.reduce((s, m) => s + (m.step_time ?? 0), 0);
  return [
    { key: `${prefix}.step_s`, value: pick('step_time'), note: `${what}: one StepGRPO step, median of steps ${skip + 1}–${r.steps.length}` },
    { key: `${prefix}.steps_per_min`, value: 60 / pick('step_time'), note: `${what}: StepGRPO steps per minute` },
    { key: `${prefix}.all_steps_s`, value: total, note: `${what}: all ${r.steps.length} RL steps, session builds included` },
    { key: `${prefix}.step_split`, value: split, note: 'seconds: sampling, scoring, reference log-probs (no old pass with one update per batch), update' },
    { key: `${prefix}.peak_rss_mb`, value: r.peakRssMb, note: `${what}: peak resident memory of the trainer process, MiB` },
  ];
}

/** The demo's own measures: every step counts (a session build or a new shape shows as a slow step). */
function demoRows(r: TrainerResult): Record<string, number> {
  const times = r.steps.map((m) => m.step_time!);
  return {
    'trainer.demo.peak_rss_mb': r.peakRssMb,
    'trainer.demo.steps_per_min': 60 / median(times),
    'trainer.demo.max_step_ratio': Math.max(...times) / median(times),
    'trainer.demo.sample_tokens_per_s': median(r.steps.map((m) => (m['completions/mean_length']! * DEMO_SEQUENCES) / m['time/sample']!)),
  };
}

export interface SampleResult {
  batched: number;
  single: number;
}

export function sampleRows(s: SampleResult): Record<string, number> {
  return { 'trainer.sample_tokens_per_s_demo_batch': s.batched, 'trainer.sample_tokens_per_s_one': s.single };
}

interface BigVocabResult {
  seconds: number;
  peakRssMb: number;
}

const bigVocabRows = (b: BigVocabResult): Record<string, number> => ({ 'trainer.big_vocab.peak_rss_mb': b.peakRssMb, 'trainer.big_vocab.step_s': b.seconds });

export const NOTES: Record<string, string> = {
  'trainer.demo.peak_rss_mb': `demo config, ${DEMO_STEPS} RL steps + 2 held-out evaluations of 200 prompts: peak RSS, MiB (target ≤ 1,536)`,
  'trainer.demo.steps_per_min': 'demo: StepGRPO steps per minute, median over every step',
  'trainer.demo.max_step_ratio': 'demo: slowest step ÷ median step, first step included (target ≤ 2)',
  'trainer.demo.sample_tokens_per_s': 'demo: completion tokens per second of the sampling phase of RL steps (median)',
  'trainer.sample_tokens_per_s_demo_batch': 'shipped policy, demo batch 16 × 8 at T 1.3 to EOS or 200 tokens: tokens/s (median of 3)',
  'trainer.sample_tokens_per_s_one': 'shipped policy, one sequence at a time, same settings: tokens/s (median of 16)',
  'trainer.big_vocab.peak_rss_mb': '150 k vocab, d 576, 4 layers: one SFT step on 8 × 384 tokens, peak RSS, MiB (target < 3,072)',
  'trainer.big_vocab.step_s': '150 k vocab, d 576, 4 layers: that step, seconds',
};

/** Rows for measured values, with the baseline's and the ratio (this ÷ baseline) beside each when there is one. */
function compared(now: Record<string, number>, base: Record<string, number> | undefined): BenchRow[] {
  return Object.entries(now).flatMap(([key, value]) => {
    const out: BenchRow[] = [{ key, value, note: NOTES[key] }];
    const b = base?.[key];
    if (b !== undefined) out.push({ key: `${key}.baseline`, value: b, note: 'the baseline checkout' }, { key: `${key}.ratio`, value: value / b, note: 'this ÷ baseline' });
    return out;
  });
}

const section: BenchSection = {
  name: 'trainer',
  async run() {
    const baseline = process.env.STEPGRPO_BENCH_BASELINE ? path.resolve(process.env.STEPGRPO_BENCH_BASELINE) : undefined;
    const loadStart = os.loadavg()[0]!;
    const demoConfig = { rl: { steps: DEMO_STEPS } };
    const measured = (root?: string): Record<string, number> => ({
      ...demoRows(trainer(demoConfig, root)),
      ...sampleRows(child<SampleResult>('sample-run.ts', root ? [root] : [])),
      ...bigVocabRows(child<BigVocabResult>('big-vocab-run.ts', root ? [root] : [])),
    });
    const base = baseline ? measured(baseline) : undefined;
    const now = measured();
    const small = short({ promptsPerStep: 8, groupSize: 4 });
    const demo = short({});
    const whole = short({}, { microBatch: 1024 });
    return [
      ...compared(now, base),
      ...rows('trainer', '8 prompts × G 4 (one micro-batch)', small),
      { key: 'trainer.completion_tokens', value: median(small.steps.map((m) => m['completions/mean_length']!)), note: 'mean completion length (tokens)' },
      ...rows('trainer.demo_batch', `demo batch 16 × G 8, micro-batches of ${MICRO_BATCH_DEFAULT}`, demo),
      ...rows('trainer.demo_whole_batch', 'demo batch 16 × G 8 as one batch', whole),
      { key: 'trainer.load_avg', value: Math.max(loadStart, os.loadavg()[0]!), note: `1-minute load average on ${os.cpus().length} cores, the higher of start and end` },
      ...(baseline ? [{ key: 'trainer.baseline', value: baseline, note: 'checkout measured as the baseline' }] : []),
    ];
  },
};

export default section;
