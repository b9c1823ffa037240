// The Metrics view's per-update work on long runs: what one chart costs to prepare (EMA + min/max
// downsampling of raw and smoothed lines) at 10k and 100k points, how fast the host store takes
// metrics events, and how fast metrics.jsonl is read back. Medians of 7 timed passes after a warm-up.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MetricStore } from '../../../src/extension/metrics/metric-store';
import { EventLogReader } from '../../../src/rundir/event-log-reader';
import { downsampleMinMax, ema } from '../../../webview/metrics/chart-math';
import { median, type BenchRow, type BenchSection } from '../bench-section';
import { Rng } from '../../../src/model/rng';

/** Seeded so a failure replays: rerun this file. */
const testRng = new Rng(1919);

const PASSES = 7;
const COLUMNS = 300;
const METRIC_NAMES = [
  'reward',
  'reward_std',
  'rewards/step_rar/mean',
  'rewards/step_rvr/mean',
  'rewards/answer/mean',
  'key_step_recall',
  'validity_rate',
  'kl',
  'policy_loss',
  'entropy',
  'clip_ratio',
  'completions/mean_length',
  'grad_norm',
  'lr',
  'tokens_per_second',
  'step_time',
];

function timeMs(fn: () => void): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < PASSES; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

function curve(n: number): { steps: number[]; values: number[] } {
  const steps = Array.from({ length: n }, (_, i) => i + 1);
  return { steps, values: steps.map((s) => Math.sin(s / 50) + ((s * 7919) % 101) / 200) };
}

const section: BenchSection = {
  name: 'metrics',
  async run(): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    for (const n of [10_000, 100_000]) {
      const { steps, values } = curve(n);
      let drawn = 0;
      const ms = timeMs(() => {
        const smoothed = ema(values, 0.6);
        drawn = downsampleMinMax(steps, values, 1, n, COLUMNS).length + downsampleMinMax(steps, smoothed, 1, n, COLUMNS).length;
      });
      const k = `${n / 1000}k`;
      rows.push({ key: `metrics.chart_prep_ms_${k}`, value: Number(ms.toFixed(3)), note: `EMA + downsample raw and smoothed, ${n} points → ${drawn} drawn at ${COLUMNS} px` });
    }

    const events = 20_000;
    const storeMs = timeMs(() => {
      const store = new MetricStore();
      for (let step = 0; step < events; step++) {
        const values: Record<string, number> = {};
        for (const m of METRIC_NAMES) values[m] = step * 0.001;
        store.add('run', step, values);
        if (step % 50 === 0) store.takeDelta(['run']);
      }
    });
    rows.push({ key: 'metrics.store_events_per_s', value: Math.round(events / (storeMs / 1000)), note: `${METRIC_NAMES.length} metrics per event, a delta every 50 events` });

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-bench-metrics-'));
    try {
      const file = path.join(dir, 'metrics.jsonl');
      const lines: string[] = [];
      for (let step = 0; step < events; step++) {
        const values: Record<string, number> = {};
        for (const m of METRIC_NAMES) values[m] = testRng.next();
        lines.push(JSON.stringify({ v: 1, type: 'metrics', step, phase: 'rl', values }));
      }
      fs.writeFileSync(file, `${lines.join('\n')}\n`);
      const times: number[] = [];
      for (let i = 0; i <= PASSES; i++) {
        const t = performance.now();
        const read = await new EventLogReader(file).read();
        if (read.events.length !== events) throw new Error(`read ${read.events.length} of ${events} events`);
        if (i > 0) times.push(performance.now() - t);
      }
      const mb = fs.statSync(file).size / 1e6;
      rows.push({ key: 'metrics.jsonl_read_ms_20k', value: Number(median(times).toFixed(1)), note: `${events} lines, ${mb.toFixed(1)} MB` });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    return rows;
  },
};

export default section;
