// Bench section `reward` (DESIGN §11): the full robust reward and each component over a generated
// corpus of varied chains, single-threaded, plus answer-checking agreement with the Math-Verify
// cases of ../shared/data (per kind and overall).
import fs from 'node:fs';
import path from 'node:path';
import type { BenchRow, BenchSection } from '../bench-section';
import { quantile } from '../bench-section';
import { generateCorpus } from '../../fixtures/chain-builder';
import { scoreChain, resolveRewardConfig } from '../../../src/core/reward';
import { parseChain } from '../../../src/core/chain-parser';
import { checkValidity } from '../../../src/core/step-rvr';
import { matchKeySteps } from '../../../src/core/step-rar';
import { extractChainAnswer } from '../../../src/core/answer/extract';
import { checkAnswer } from '../../../src/core/answer/equivalence';
import { answerAgreement, ANSWER_CASES_PATH } from '../../fixtures/chains/answer-cases';

const CORPUS_SIZE = 12_000;

function timeEach<T>(items: readonly T[], fn: (item: T) => unknown): { perSecond: number; p50: number; p99: number } {
  for (let k = 0; k < Math.min(items.length, 2000); k++) fn(items[k]!); // warm-up (JIT, CAS init)
  const times = new Float64Array(items.length);
  const start = performance.now();
  for (let k = 0; k < items.length; k++) {
    const t0 = performance.now();
    fn(items[k]!);
    times[k] = performance.now() - t0;
  }
  const total = performance.now() - start;
  const arr = Array.from(times);
  return { perSecond: (items.length / total) * 1000, p50: quantile(arr, 0.5), p99: quantile(arr, 0.99) };
}

const section: BenchSection = {
  name: 'reward',
  async run() {
    const corpus = generateCorpus(CORPUS_SIZE, 42);
    const config = resolveRewardConfig('stepgrpo');
    const rows: BenchRow[] = [];
    const full = timeEach(corpus, (c) => scoreChain(c.text, { answer: c.answer, keySteps: c.keySteps }, config));
    rows.push(
      { key: 'reward.corpus_chains', value: corpus.length, note: 'generated, seed 42' },
      { key: 'reward.chains_per_s', value: Math.round(full.perSecond), note: 'full robust reward, 1 thread (target ≥ 10,000)' },
      { key: 'reward.p50_ms', value: full.p50, note: 'per chain' },
      { key: 'reward.p99_ms', value: full.p99, note: 'per chain (target ≤ 2)' },
    );
    const parsed = corpus.map((c) => ({ c, chain: parseChain(c.text) }));
    const components: [string, (x: (typeof parsed)[number]) => unknown][] = [
      ['parse', (x) => parseChain(x.c.text)],
      ['rvr', (x) => checkValidity(x.chain, 'robust')],
      ['rar', (x) => matchKeySteps(x.chain, x.c.keySteps, 'robust', 'steps')],
      [
        'answer',
        (x) => {
          const a = extractChainAnswer(x.chain, 'robust');
          return a ? checkAnswer(a.text, x.c.answer) : null;
        },
      ],
    ];
    for (const [name, fn] of components) {
      const t = timeEach(parsed, fn);
      rows.push(
        { key: `reward.${name}.chains_per_s`, value: Math.round(t.perSecond) },
        { key: `reward.${name}.p50_ms`, value: t.p50 },
        { key: `reward.${name}.p99_ms`, value: t.p99 },
      );
    }
    const r1vl = timeEach(corpus, (c) => scoreChain(c.text, { answer: c.answer, keySteps: c.keySteps }, 'r1vl-official'));
    rows.push({ key: 'reward.r1vl.chains_per_s', value: Math.round(r1vl.perSecond), note: 'r1vl-official preset' });

    if (!fs.existsSync(ANSWER_CASES_PATH)) {
      rows.push({ key: 'answers.skipped', value: `no ${path.basename(ANSWER_CASES_PATH)} at ${ANSWER_CASES_PATH}` });
      return rows;
    }
    const agreement = answerAgreement();
    rows.push({ key: 'answers.agreement', value: agreement.overall, note: `${agreement.agree}/${agreement.total} Math-Verify cases (target ≥ 0.95)` });
    for (const [kind, k] of Object.entries(agreement.byKind)) rows.push({ key: `answers.agreement.${kind}`, value: k.agree / k.total, note: `${k.agree}/${k.total}` });
    rows.push({ key: 'answers.ms_per_case', value: agreement.ms / agreement.total, note: 'includes the symbolic path' });
    return rows;
  },
};

export default section;
