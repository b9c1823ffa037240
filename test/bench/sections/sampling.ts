// Sampling speed alone: the trainer section's sampling child (shipped policy, demo batch and one
// sequence at a time) without its demo and big-vocabulary children, repeated in rounds. With
// STEPGRPO_BENCH_BASELINE=<another checkout> each round runs the baseline first and then this
// checkout, so both see the same load; the rows are medians over rounds and the ratio of medians.
// STEPGRPO_BENCH_ROUNDS sets the rounds (default 3).
import os from 'node:os';
import path from 'node:path';
import { Rng } from '../../../src/model/rng';
import { SAMPLING_DEFAULTS, nucleus, sampleToken } from '../../../src/model/sampler';
import type { BenchRow, BenchSection } from '../bench-section';
import { median } from '../bench-section';
import { nucleusBySortingAll, samplingWeights } from '../../support/nucleus-reference';
import { NOTES, type SampleResult, child, sampleRows } from './trainer';

/** Vocabularies of SmolLM2 and Qwen2.5/Qwen3, where the top-p nucleus is found for every sampled token. */
const TOP_P_VOCABULARIES = [49_152, 151_936];
const TOP_P = { topP: 0.95, temperature: 0.7, logitStd: 3, draws: 15 };

/**
 * Milliseconds per sampled token to find the nucleus (top-p 0.95 at T 0.7, the sampling settings a
 * Qwen generation_config.json ships) on Gaussian logits of std 3 (a language model's spread): the
 * sampler's way and the sort of every token it replaced, interleaved, medians.
 */
function topPRows(): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const V of TOP_P_VOCABULARIES) {
    const rng = new Rng(V);
    const ours: number[] = [];
    const sortAll: number[] = [];
    let kept = 0;
    for (let d = 0; d < TOP_P.draws; d++) {
      const { probs, sum } = samplingWeights(
        Float32Array.from({ length: V }, () => TOP_P.logitStd * rng.normal()),
        TOP_P.temperature,
      );
      let t = performance.now();
      kept = nucleus(probs, sum, TOP_P.topP).order.length;
      ours.push(performance.now() - t);
      t = performance.now();
      nucleusBySortingAll(probs, sum, TOP_P.topP);
      sortAll.push(performance.now() - t);
    }
    const key = `sampling.top_p_ms_per_token_v${V}`;
    const [a, b] = [median(ours), median(sortAll)];
    rows.push(
      {
        key,
        value: a,
        note: `finding the nucleus per sampled token (top-p ${TOP_P.topP}, T ${TOP_P.temperature}, logits of std ${TOP_P.logitStd}; it kept ${kept} tokens); median of ${TOP_P.draws}`,
      },
      { key: `${key}.sort_all`, value: b, note: 'the same, sorting every token (the rule it replaced), interleaved' },
      { key: `${key}.speedup`, value: b / a, note: 'sort-all ÷ this (medians)' },
    );
  }
  return rows;
}

/** Qwen2.5-Instruct's generation_config.json, with the prompt and chain so far the penalty reads. */
const QWEN_GENERATION = { temperature: 0.7, topP: 0.8, topK: 20, repetitionPenalty: 1.05, seen: 300 };

/**
 * Milliseconds per sampled token of the whole draw with every setting of that file against the
 * plain draw at its temperature, on the same logits, interleaved, medians.
 */
function generationConfigRows(): BenchRow[] {
  const rows: BenchRow[] = [];
  const { seen: seenCount, ...settings } = QWEN_GENERATION;
  for (const V of TOP_P_VOCABULARIES) {
    const rng = new Rng(V + 1);
    const seen = Array.from({ length: seenCount }, () => Math.floor(rng.next() * V));
    const full: number[] = [];
    const plain: number[] = [];
    for (let d = 0; d < TOP_P.draws; d++) {
      const logits = Float32Array.from({ length: V }, () => TOP_P.logitStd * rng.normal());
      let t = performance.now();
      sampleToken(logits, 0, V, { ...SAMPLING_DEFAULTS, ...settings }, new Rng(d), seen);
      full.push(performance.now() - t);
      t = performance.now();
      sampleToken(logits, 0, V, { ...SAMPLING_DEFAULTS, temperature: settings.temperature }, new Rng(d), seen);
      plain.push(performance.now() - t);
    }
    const key = `sampling.generation_config_ms_per_token_v${V}`;
    rows.push(
      {
        key,
        value: median(full),
        note: `one sampled token with Qwen2.5-Instruct's settings (T ${settings.temperature}, top-p ${settings.topP}, top-k ${settings.topK}, repetition penalty ${settings.repetitionPenalty} over ${seenCount} tokens); median of ${TOP_P.draws}`,
      },
      { key: `${key}.plain`, value: median(plain), note: 'the same logits drawn at that temperature alone, interleaved' },
    );
  }
  return rows;
}

const section: BenchSection = {
  name: 'sampling',
  async run() {
    const baseline = process.env.STEPGRPO_BENCH_BASELINE ? path.resolve(process.env.STEPGRPO_BENCH_BASELINE) : undefined;
    const rounds = Number(process.env.STEPGRPO_BENCH_ROUNDS ?? 3);
    const loads = [os.loadavg()[0]!];
    const now: Record<string, number>[] = [];
    const base: Record<string, number>[] = [];
    for (let r = 0; r < rounds; r++) {
      if (baseline) base.push(sampleRows(child<SampleResult>('sample-run.ts', [baseline])));
      now.push(sampleRows(child<SampleResult>('sample-run.ts', [])));
      loads.push(os.loadavg()[0]!);
    }
    const rows: BenchRow[] = [...topPRows(), ...generationConfigRows()];
    for (const key of Object.keys(now[0]!)) {
      const name = key.replace('trainer.', 'sampling.');
      const value = median(now.map((m) => m[key]!));
      rows.push({ key: name, value, note: `${NOTES[key]}; median of ${rounds} rounds` });
      if (!baseline) continue;
      const b = median(base.map((m) => m[key]!));
      rows.push({ key: `${name}.baseline`, value: b, note: 'the baseline checkout, same rounds' }, { key: `${name}.ratio`, value: value / b, note: 'this ÷ baseline (medians)' });
    }
    rows.push({
      key: 'sampling.load_avg',
      value: loads.map((l) => l.toFixed(2)).join(' '),
      note: `1-minute load average on ${os.cpus().length} cores, at the start and after each round`,
    });
    if (baseline) rows.push({ key: 'sampling.baseline', value: baseline, note: 'checkout measured as the baseline' });
    return rows;
  },
};

export default section;
