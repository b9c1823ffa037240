// Bench section `reward` (DESIGN §11): the full robust reward and each component over a generated
// corpus of varied chains, single-threaded; both presets on the long-chain corpus of issue 8 (see
// reward-long.ts); the default preset against the released R1-VL code side by side (reward-released.ts); answer agreement with the released r1vl code on our corpus, and with the
// Math-Verify cases of ../shared/data through the chain reward and the free-form checker.
//
// Measuring honestly on a shared machine: one corpus (seed 42) for every measurement, a full
// warm-up pass, then REPS timed passes; throughput is the median over the passes, by wall clock
// and by this process's CPU time (steadier when other jobs compete for the cores); latency
// quantiles are medians of each pass's quantiles. Key steps are normalised cold for every chain
// (the memo cleared first: as if every chain had its own reference) unless a row says `g8` (memo
// cleared every 8 chains: the trainer scoring G = 8 samples per prompt). The same measurement is
// repeated in a child process on an esbuild bundle (no tsx), as production runs it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { BenchRow, BenchSection } from '../bench-section';
import { median, quantile } from '../bench-section';
import { generateCorpus, type CorpusItem } from '../../fixtures/chain-builder';
import { scoreChain, resolveRewardConfig } from '../../../src/core/reward';
import { parseChain } from '../../../src/core/chain-parser';
import { checkValidity } from '../../../src/core/step-rvr';
import { clearKeyStepMemo, matchKeySteps } from '../../../src/core/step-rar';
import { extractChainAnswer } from '../../../src/core/answer/extract';
import { checkAnswer } from '../../../src/core/answer/equivalence';
import { answerAgreement, loadAnswerCases, ANSWER_CASES_PATH } from '../../fixtures/chains/answer-cases';
import { mvParse } from '../../../src/core/answer/r1vl/mv-parse';
import { mvVerify } from '../../../src/core/answer/r1vl/mv-verify';
import { R1VL_CASES } from '../../fixtures/r1vl-answer-corpus';
import { r1vlAnswer } from '../../../src/core/answer/r1vl/accuracy';
import { longRows, measureLongBoth, measureSuperLinear, representativeCorpus, LONG_CORPUS_SIZE, type LongTiming } from '../reward-long';
import { measureAgainstReleased } from '../reward-released';

const CORPUS_SIZE = 12_000;
const SEED = 42;
const REPS = 5;
/** Components and the r1vl preset: fewer passes, they are context for the full reward. */
const COMPONENT_REPS = 3;

interface Timing {
  /** Median over passes, chains per wall-clock second. */
  perSecond: number;
  /** Median over passes, chains per second of this process's CPU time. */
  perCpuSecond: number;
  /** Slowest and fastest pass (wall clock), chains per second. */
  min: number;
  max: number;
  p50: number;
  p99: number;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Times `fn` over every item, `reps` times after one warm-up pass. */
function timeEach<T>(items: readonly T[], fn: (item: T, index: number) => unknown, reps = REPS): Timing {
  for (let k = 0; k < items.length; k++) fn(items[k]!, k); // warm-up (JIT, CAS init, scratch buffers)
  const times = new Float64Array(items.length);
  const rates: number[] = [];
  const cpuRates: number[] = [];
  const p50s: number[] = [];
  const p99s: number[] = [];
  for (let r = 0; r < reps; r++) {
    const cpu0 = cpuMs();
    let total = 0;
    for (let k = 0; k < items.length; k++) {
      const t0 = performance.now();
      fn(items[k]!, k);
      const dt = performance.now() - t0;
      times[k] = dt;
      total += dt;
    }
    const cpu = cpuMs() - cpu0;
    rates.push((items.length / total) * 1000);
    cpuRates.push((items.length / cpu) * 1000);
    const sorted = Array.from(times);
    p50s.push(quantile(sorted, 0.5));
    p99s.push(quantile(sorted, 0.99));
  }
  return { perSecond: median(rates), perCpuSecond: median(cpuRates), min: Math.min(...rates), max: Math.max(...rates), p50: median(p50s), p99: median(p99s) };
}

/** The full robust reward over the corpus: key steps cold for every chain, or memo cleared every `group` chains. */
export function measureFull(corpus: readonly CorpusItem[], group = 1): Timing {
  const config = resolveRewardConfig('stepgrpo');
  return timeEach(corpus, (c, k) => {
    if (k % group === 0) clearKeyStepMemo();
    scoreChain(c.text, { answer: c.answer, keySteps: c.keySteps }, config);
  });
}

const round = (x: number): number => Math.round(x);

function fullRows(prefix: string, t: Timing, what: string): BenchRow[] {
  return [
    { key: `${prefix}chains_per_s`, value: round(t.perSecond), note: `${what}, 1 thread, median of ${REPS} (min ${round(t.min)}, max ${round(t.max)}; target ≥ 10,000)` },
    { key: `${prefix}chains_per_cpu_s`, value: round(t.perCpuSecond), note: 'same, per second of process CPU time' },
    { key: `${prefix}p50_ms`, value: t.p50, note: 'per chain' },
    { key: `${prefix}p99_ms`, value: t.p99, note: 'per chain (target ≤ 2)' },
  ];
}

/**
 * Runs `measureFull` in a child process on an esbuild bundle of this file (no tsx, no keepNames
 * wrappers), as the CLI and trainer bundles run it; the reason when esbuild or the child fails.
 */
type Bundled = { cold: Timing; g8: Timing; long: Record<'stepgrpo' | 'r1vl', LongTiming> };

async function measureBundled(): Promise<Bundled | { error: string }> {
  const root = path.resolve(__dirname, '../../..');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-bench-'));
  try {
    const esbuild = (await import('esbuild')) as typeof import('esbuild');
    const outfile = path.join(dir, 'reward-bench.js');
    await esbuild.build({
      stdin: {
        contents: [
          `import { measureFull } from './test/bench/sections/reward';`,
          `import { generateCorpus } from './test/fixtures/chain-builder';`,
          `import { measureLongBoth } from './test/bench/reward-long';`,
          `const corpus = generateCorpus(${CORPUS_SIZE}, ${SEED});`,
          `console.log(JSON.stringify({ cold: measureFull(corpus, 1), g8: measureFull(corpus, 8), long: measureLongBoth() }));`,
        ].join('\n'),
        resolveDir: root,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['esbuild'],
      outfile,
      logLevel: 'silent',
    });
    const out = execFileSync(process.execPath, [outfile], { encoding: 'utf8', maxBuffer: 1 << 20 });
    return JSON.parse(out.trim().split('\n').pop()!) as Bundled;
  } catch (err) {
    return { error: (err as Error).message.split('\n')[0]! };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const section: BenchSection = {
  name: 'reward',
  async run() {
    const corpus = generateCorpus(CORPUS_SIZE, SEED);
    const rows: BenchRow[] = [
      { key: 'reward.corpus_chains', value: corpus.length, note: `generated, seed ${SEED}` },
      { key: 'reward.loadavg_1m', value: os.loadavg()[0]!, note: `at start, ${os.cpus().length} cores (a busy machine lowers the wall-clock rows)` },
    ];
    rows.push(...fullRows('reward.', measureFull(corpus, 1), 'full robust reward, key steps cold'));
    rows.push(...fullRows('reward.g8.', measureFull(corpus, 8), 'full robust reward, G = 8 chains per reference'));

    const parsed = corpus.map((c) => ({ c, chain: parseChain(c.text) }));
    const components: [string, (x: (typeof parsed)[number]) => unknown][] = [
      ['parse', (x) => parseChain(x.c.text)],
      ['rvr', (x) => checkValidity(x.chain, 'robust')],
      [
        'rar',
        (x) => {
          clearKeyStepMemo();
          return matchKeySteps(x.chain, x.c.keySteps, 'robust', 'steps');
        },
      ],
      [
        'answer',
        (x) => {
          const a = extractChainAnswer(x.chain, 'robust');
          return a ? checkAnswer(a.text, x.c.answer) : null;
        },
      ],
    ];
    for (const [name, fn] of components) {
      const t = timeEach(parsed, fn, COMPONENT_REPS);
      rows.push(
        { key: `reward.${name}.chains_per_s`, value: round(t.perSecond), note: name === 'rar' ? 'key steps cold' : '' },
        { key: `reward.${name}.p50_ms`, value: t.p50 },
        { key: `reward.${name}.p99_ms`, value: t.p99 },
      );
    }
    const r1vl = timeEach(corpus, (c) => scoreChain(c.text, { answer: c.answer, keySteps: c.keySteps }, 'r1vl-official'), COMPONENT_REPS);
    rows.push({ key: 'reward.r1vl.chains_per_s', value: round(r1vl.perSecond), note: 'r1vl-official preset' });

    const bundled = await measureBundled();
    if ('error' in bundled) {
      rows.push({ key: 'reward.bundled.skipped', value: bundled.error });
    } else {
      rows.push(...fullRows('reward.bundled.', bundled.cold, 'esbuild bundle, key steps cold'));
      rows.push({ key: 'reward.bundled.g8.chains_per_s', value: round(bundled.g8.perSecond), note: 'esbuild bundle, G = 8' });
    }

    // issue 8: the long-chain corpus, both presets, against the released code's figure
    rows.push({
      key: 'reward.long.corpus_chains',
      value: LONG_CORPUS_SIZE,
      note: 'LaTeX answers, 20–1,000 steps, steps of up to 9,000 words (test/fixtures/long-chain-corpus.ts)',
    });
    rows.push(...longRows('reward.', measureLongBoth(), 'key steps cold, tsx'));
    if (!('error' in bundled)) rows.push(...longRows('reward.bundled.', bundled.long, 'key steps cold, esbuild bundle'));
    rows.push(
      { key: 'reward.superlinear.stepgrpo_s', value: measureSuperLinear('stepgrpo'), note: 'CPU s, 14,000 key steps over a 700 KB step (was 6.7 s; released code 2.7 s)' },
      { key: 'reward.superlinear.r1vl_s', value: measureSuperLinear('r1vl-official'), note: 'same, r1vl-official preset' },
    );

    // issue 17: the default preset against the released code, side by side on a representative corpus
    const representative = representativeCorpus();
    rows.push({
      key: 'reward.vs_released.corpus',
      value: { chains: representative.length, key_step_groups: representative.reduce((n, c) => n + c.keySteps.length, 0) },
      note: '600 long LaTeX chains + 1,600 of the easy corpus (reward-long.ts representativeCorpus)',
    });
    const sideBySide = await measureAgainstReleased(representative);
    if ('error' in sideBySide) rows.push({ key: 'reward.vs_released.skipped', value: sideBySide.error });
    else rows.push(...sideBySide);

    const r1vlAgree = R1VL_CASES.filter((c) => r1vlAnswer(c.completion, c.solution).correct === c.expected).length;
    rows.push({
      key: 'answers.r1vl_agreement',
      value: r1vlAgree / R1VL_CASES.length,
      note: `${r1vlAgree}/${R1VL_CASES.length} chains, answer_correct as the released accuracy_reward decides it (target ≥ 0.98)`,
    });

    if (!fs.existsSync(ANSWER_CASES_PATH)) {
      rows.push({ key: 'answers.skipped', value: `no ${path.basename(ANSWER_CASES_PATH)} at ${ANSWER_CASES_PATH}` });
      return rows;
    }
    const cases = loadAnswerCases();
    const port = cases.filter((c) => mvVerify(mvParse(c.gold), mvParse(c.pred)) === c.expected).length;
    rows.push({
      key: 'answers.mv_port_agreement',
      value: port / cases.length,
      note: `${port}/${cases.length}: our Math-Verify port, verify(parse(gold), parse(pred)) with its default extraction, on Math-Verify's own cases`,
    });
    const chain = answerAgreement(undefined, 'chain');
    rows.push({
      key: 'answers.chain_agreement',
      value: chain.overall,
      note: `${chain.agree}/${chain.total} Math-Verify cases through the chain reward (floor 0.96: 3 coarse-precision cases differ on purpose, docs/rewards.md)`,
    });
    const agreement = answerAgreement();
    rows.push({ key: 'answers.agreement', value: agreement.overall, note: `${agreement.agree}/${agreement.total} Math-Verify cases, free-form checker (target ≥ 0.95)` });
    for (const [kind, k] of Object.entries(agreement.byKind)) rows.push({ key: `answers.agreement.${kind}`, value: k.agree / k.total, note: `${k.agree}/${k.total}` });
    rows.push({ key: 'answers.ms_per_case', value: agreement.ms / agreement.total, note: 'includes the symbolic path' });
    return rows;
  },
};

export default section;
