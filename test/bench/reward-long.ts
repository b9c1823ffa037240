// The reward bench on the issue-8 corpus shapes (LaTeX answers, 20–1,000 steps, steps of up to
// 9,000 words), both presets; the case that used to be super-linear (14,000 key steps over one
// 700 KB step); and the representative corpus that the side-by-side run with the released R1-VL
// code uses (reward-released.ts): long chains, LaTeX, short and malformed chains, ~14 k key steps.
import type { BenchRow } from './bench-section';
import { median } from './bench-section';
import { generateLongChains, superLinearCase, type LongChainItem } from '../fixtures/long-chain-corpus';
import { generateCorpus } from '../fixtures/chain-builder';
import { scoreChain, type RewardPresetName } from '../../src/core/reward';
import { clearKeyStepMemo } from '../../src/core/step-rar';

export const LONG_CORPUS_SIZE = 600;
export const LONG_SEED = 7;
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
    );
  }
  return rows;
}

/** Long chains in the representative corpus, each with this many key-step groups read from its own steps. */
const REPRESENTATIVE_LONG = 600;
const KEY_STEPS_PER_LONG_CHAIN = 15;
const REPRESENTATIVE_SHORT = 1600;

/**
 * The corpus the side-by-side ratio is measured on: the 600 long LaTeX chains above, each with 15
 * key-step groups taken from its own steps (every third one off by one, every fourth with an
 * alternative), and 1,600 chains of the easy corpus (short valid, LaTeX, multiple-choice, long
 * prose and malformed chains, 3 groups each): 2,200 chains, 13,800 key-step groups.
 */
export function representativeCorpus(): LongChainItem[] {
  const long = generateLongChains(REPRESENTATIVE_LONG, LONG_SEED).map((c) => {
    const facts = [...c.text.matchAll(/a_\{(\d+)\} = (\d+)/g)];
    const stride = Math.max(1, Math.floor(facts.length / KEY_STEPS_PER_LONG_CHAIN));
    const keySteps = Array.from({ length: KEY_STEPS_PER_LONG_CHAIN }, (_, k) => {
      const [, index, value] = facts[(k * stride) % facts.length]!;
      const stated = `a_{${index}} = ${k % 3 === 2 ? Number(value) + 1 : value}`;
      return k % 4 === 1 ? [stated, `value ${value}`] : stated;
    });
    return { ...c, keySteps };
  });
  const short = generateCorpus(REPRESENTATIVE_SHORT, 42).map((c) => ({ text: c.text, solution: c.answer, answer: c.answer, keySteps: c.keySteps }));
  return [...long, ...short];
}
