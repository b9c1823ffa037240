// The reward bench on the issue-8 corpus shapes (LaTeX answers, 20–1,000 steps, steps of up to
// 9,000 words), both presets, and the case that used to be super-linear (14,000 key steps over one
// 700 KB step). The released R1-VL code cannot run here (no PyPI): its figure, ~400 chains/s warm
// on a corpus of these shapes, is the one the issue measured; `vs_released` divides by it.
import type { BenchRow } from './bench-section';
import { median } from './bench-section';
import { generateLongChains, superLinearCase, type LongChainItem } from '../fixtures/long-chain-corpus';
import { scoreChain, type RewardPresetName } from '../../src/core/reward';
import { clearKeyStepMemo } from '../../src/core/step-rar';

export const LONG_CORPUS_SIZE = 600;
export const LONG_SEED = 7;
export const RELEASED_CHAINS_PER_S = 400;
const REPS = 5;

export interface LongTiming {
  perSecond: number;
  perCpuSecond: number;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** One preset over the corpus, key steps cold (every chain its own reference): medians of REPS passes after a warm-up. */
export function measureLong(corpus: readonly LongChainItem[], preset: RewardPresetName): LongTiming {
  const pass = (): void => {
    for (const c of corpus) {
      clearKeyStepMemo();
      // r1vl reads the solution column, as the released code does; robust the gold answer
      scoreChain(c.text, preset === 'r1vl-official' ? { solution: c.solution, keySteps: c.keySteps } : { answer: c.answer, keySteps: c.keySteps }, preset);
    }
  };
  pass();
  const rates: number[] = [];
  const cpuRates: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    const c0 = cpuMs();
    pass();
    rates.push((corpus.length / (performance.now() - t0)) * 1000);
    cpuRates.push((corpus.length / (cpuMs() - c0)) * 1000);
  }
  return { perSecond: median(rates), perCpuSecond: median(cpuRates) };
}

export function measureLongBoth(): Record<'stepgrpo' | 'r1vl', LongTiming> {
  const corpus = generateLongChains(LONG_CORPUS_SIZE, LONG_SEED);
  return { stepgrpo: measureLong(corpus, 'stepgrpo'), r1vl: measureLong(corpus, 'r1vl-official') };
}

/** CPU seconds for 14,000 key steps over a 700 KB step (released code: 2.7 s). */
export function measureSuperLinear(preset: RewardPresetName): number {
  const { text, keySteps } = superLinearCase();
  const c0 = cpuMs();
  scoreChain(text, { answer: '5', keySteps }, preset);
  return (cpuMs() - c0) / 1000;
}

export function longRows(prefix: string, t: Record<'stepgrpo' | 'r1vl', LongTiming>, what: string): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const [name, key] of [
    ['stepgrpo', 'reward.long'],
    ['r1vl', 'reward.long.r1vl'],
  ] as const) {
    const k = key.replace('reward.', prefix);
    rows.push(
      { key: `${k}.chains_per_s`, value: Math.round(t[name].perSecond), note: `${name === 'r1vl' ? 'r1vl-official' : 'stepgrpo'} preset, ${what}, wall clock` },
      { key: `${k}.chains_per_cpu_s`, value: Math.round(t[name].perCpuSecond), note: 'per second of process CPU time' },
      {
        key: `${k}.vs_released`,
        value: t[name].perCpuSecond / RELEASED_CHAINS_PER_S,
        note: `× the released code (${RELEASED_CHAINS_PER_S} chains/s, the issue's figure; target ≥ 10)`,
      },
    );
  }
  return rows;
}
