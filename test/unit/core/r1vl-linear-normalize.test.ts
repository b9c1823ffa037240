// The r1vl normaliser's linear-time rewrites against the regexes they replace (the released
// latex2sympy2_extended patterns, which backtrack): same output on seeded random texts built from
// the characters those patterns react to, and cost that grows linearly on the adversarial shapes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../../fixtures/chain-builder';
import { MALFORMED, normalizeLatex, stripFinalText } from '../../../src/core/answer/r1vl/mv-normalize';
import { boxedContent } from '../../../src/core/answer/r1vl/mv-boxed';
import { replaceLazySpans } from '../../../src/core/answer/r1vl/mv-lazy-span';
import { scoreChain } from '../../../src/core/reward';

// The original regexes, in MALFORMED's order.
const REFERENCE: [RegExp, string][] = [
  [/\^\s?\(([^\n]*?)\)/g, '^{$1}'],
  [/sqrt\s?\(([^\n]*?)\)/g, '\\sqrt{$1}'],
  [/\\frac\s?(\d)\s?(\d+)/g, '\\frac{$1}{$2}'],
  [/\\log_\s?(\d)\s?(\d+)/g, '\\log_{$1}{$2}'],
  [/\\frac\s?\{([^\n]*?)\}\s?(\d)/g, '\\frac{$1}{$2}'],
  [/\\frac\s?(\d)\s?\{([^\n]*?)\}/g, '\\frac{$1}{$2}'],
  [/\\sqrt\s?(\d)/g, '\\sqrt{$1}'],
];
const FINAL_TEXT = /(\\(?:text|mbox)\{[^\n]*?\})(\^\d|\{\^\d\})?(?=\n?$)/;

const PIECES = ['\\frac', '\\text{', '\\mbox{', 'sqrt', '^', '{', '}', '(', ')', ' ', '\n', '1', '23', 'x', '{^2}', '^3', '\\boxed{', '\\fbox{', ' and ', ','];

function randomTexts(seed: number, count: number): string[] {
  const next = rng(seed);
  return Array.from({ length: count }, () => Array.from({ length: 1 + Math.floor(next() * 24) }, () => PIECES[Math.floor(next() * PIECES.length)]!).join(''));
}

/** Boxed extraction as written before the linear walk (lastIndexOf from scratch each time). */
function boxedReference(text: string, mode: 'all' | 'last'): string {
  const results: string[] = [];
  let current = text.length;
  let maxPos = text.length;
  let lastBoxStart: number | null = null;
  for (;;) {
    // The nearest command ending at or before `current`, searched from scratch each time.
    const [start, name] = [['\\boxed', 6] as const, ['\\fbox', 5] as const]
      .map(([command, length]) => [current >= length ? text.lastIndexOf(command, current - length) : -1, length] as const)
      .reduce((a, b) => (b[0] > a[0] ? b : a));
    if (start < 0) break;
    const brace = start + name + /^\s*/.exec(text.slice(start + name, maxPos))![0].length;
    if (brace >= maxPos) break;
    if (text[brace] !== '{') {
      if (results.length === 0) results.push(text.slice(brace));
      break;
    }
    let depth = 1;
    let end = -1;
    for (let i = brace + 1; i < maxPos && end < 0; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}' && --depth === 0) end = i;
    }
    if (end < 0) {
      if (results.length === 0) results.push(text.slice(brace));
      break;
    }
    const content = text.slice(brace + 1, end).trim();
    const between = text.slice(end + 1, lastBoxStart ?? 0);
    const next = results[results.length - 1] ?? '';
    if (mode === 'last' && lastBoxStart !== null && !(between.length < 10 || (next !== content && between.length < 70 && /and|or|,|;/.test(between)))) break;
    results.push(content);
    lastBoxStart = start;
    maxPos = start;
    current = start;
  }
  return results.length === 0 ? text : results.reverse().join(',');
}

describe('r1vl normaliser: linear rewrites give the regexes’ results', () => {
  const texts = randomTexts(19, 4000);

  it('each malformed-operator fix', () => {
    MALFORMED.forEach((fix, i) => {
      const [re, to] = REFERENCE[i]!;
      for (const text of texts) {
        const got = Array.isArray(fix) ? text.replace(fix[0], fix[1]) : replaceLazySpans(text, fix);
        assert.equal(got, text.replace(re, to), `fix ${i} on ${JSON.stringify(text)}`);
      }
    });
  });

  it('the final \\text{…} strip', () => {
    for (const text of texts) assert.equal(stripFinalText(text), text.replace(FINAL_TEXT, ''), JSON.stringify(text));
  });

  it('boxed extraction', () => {
    for (const text of texts) for (const mode of ['all', 'last'] as const) assert.equal(boxedContent(text, mode), boxedReference(text, mode), JSON.stringify(text));
  });
});

describe('r1vl normaliser: cost linear in the text on the adversarial shapes', () => {
  const shapes: Record<string, (n: number) => string> = {
    'nested \\frac{1}{…}': (n) => `$${'\\frac{1}{'.repeat(n)}1${'}'.repeat(n)}$`,
    'unclosed \\frac{': (n) => '\\frac{'.repeat(n),
    '\\boxed{1} and …': (n) => '\\boxed{1} and '.repeat(n),
    'unclosed \\text{': (n) => `${'\\text{'.repeat(n)}}`,
    'unclosed ^(': (n) => '^('.repeat(n),
  };
  const timeOf = (text: string): number => {
    const t = performance.now();
    for (const boxed of ['all', 'last'] as const) normalizeLatex(text, boxed);
    return performance.now() - t;
  };
  for (const [name, build] of Object.entries(shapes)) {
    it(name, () => assertLinear(name, build, timeOf));
  }

  it('a number then a run of spaces (the percent suffix), scored whole', () =>
    assertLinear(
      'number and spaces',
      // Ten spaces a piece: one space is too cheap (0.5 ms for 20k) for the 100 ms floor to see a quadratic.
      (n) => `1${' '.repeat(10 * n)}z`,
      (text) => {
        const t = performance.now();
        scoreChain(text, { answer: '1' }, 'r1vl-official');
        return performance.now() - t;
      },
    ));
});

function assertLinear(name: string, build: (n: number) => string, timeOf: (text: string) => number): void {
  timeOf(build(2000)); // warm-up
  // The fastest of three: a garbage collection or a busy core only ever adds time.
  const fastest = (n: number): number => Math.min(...[0, 1, 2].map(() => timeOf(build(n))));
  const small = fastest(20_000);
  const large = fastest(160_000);
  // 8× the text: linear is ~8×, quadratic ~64×; 24× leaves a busy machine 3× and still fails a
  // quadratic cost from 1.6 ms up (each shape takes 5–40 ms at 20k pieces here).
  assert.ok(large < Math.max(24 * small, 100), `${name}: 20k pieces ${small.toFixed(1)} ms, 160k pieces ${large.toFixed(1)} ms`);
}
