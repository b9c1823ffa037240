// Sampling speed alone: the trainer section's sampling child (shipped policy, demo batch and one
// sequence at a time) without its demo and big-vocabulary children, repeated in rounds. With
// STEPGRPO_BENCH_BASELINE=<another checkout> each round runs the baseline first and then this
// checkout, so both see the same load; the rows are medians over rounds and the ratio of medians.
// STEPGRPO_BENCH_ROUNDS sets the rounds (default 3).
import os from 'node:os';
import path from 'node:path';
import type { BenchRow, BenchSection } from '../bench-section';
import { median } from '../bench-section';
import { NOTES, type SampleResult, child, sampleRows } from './trainer';

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
    const rows: BenchRow[] = [];
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
