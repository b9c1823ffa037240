// The soft-matching normaliser (DESIGN §5) against a straightforward reference implementation
// kept here: plain strings and arrays, every code point folded one at a time, no scratch buffers,
// no ASCII fast path, no TextDecoder. The optimised module must agree with it exactly, text and
// source offsets, on generated input full of the cases its fast paths special-case.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normalizeForMatch, normalizeRanges, normalizeRangesScratch, normalizeTextForMatch } from '../../../src/core/match-normalize';

interface Reference {
  text: string;
  starts: number[];
  ends: number[];
}

const REF_SYMBOLS: Record<string, string> = { '×': '*', '·': '*', '∗': '*', '⋅': '*', '÷': '/', '−': '-', '–': '-', '≤': '<=', '≥': '>=', '≠': '!=', '√': '√' };
const REF_COMMANDS: Record<string, string> = {
  times: '*',
  cdot: '*',
  ast: '*',
  div: '/',
  le: '<=',
  leq: '<=',
  ge: '>=',
  geq: '>=',
  ne: '!=',
  neq: '!=',
  pi: 'π',
  circ: '°',
  degree: '°',
};
const REF_DROPPED =
  'left right bigl bigr big displaystyle textstyle text textrm textbf textit textnormal mathrm mathbf mathit mathsf mathbb boxed mbox operatorname quad qquad limits bf rm it'.split(
    ' ',
  );
const REF_FRACS = ['frac', 'dfrac', 'tfrac', 'cfrac'];

const isWordChar = (ch: string): boolean => /^[0-9a-zA-Z_]$/.test(ch) || ch.charCodeAt(0) > 127;
const isDigitChar = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '9';
const isSpaceChar = (c: number): boolean => c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x3000 || (c >= 0x2000 && c <= 0x200b);

class RefOut {
  chars: string[] = [];
  starts: number[] = [];
  ends: number[] = [];
  pendingSpace: [number, number] | null = null;

  emit(s: string, start: number, end: number): void {
    for (const ch of s.split('')) {
      if (this.pendingSpace) {
        const last = this.chars[this.chars.length - 1];
        if (last !== undefined && isWordChar(last) && isWordChar(ch)) this.push(' ', ...this.pendingSpace);
        this.pendingSpace = null;
      }
      this.push(ch, start, end);
    }
  }

  space(start: number, end: number): void {
    this.pendingSpace ??= [start, end];
  }

  private push(ch: string, start: number, end: number): void {
    this.chars.push(ch);
    this.starts.push(start);
    this.ends.push(end);
  }
}

/** Stage 1: every code point NFKC-folded and lower-cased on its own, with its source span. */
function refFold(src: string, from: number, to: number): { s: string; starts: number[]; ends: number[] } {
  let s = '';
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = from; i < to;) {
    const cp = src.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    const ch = src.slice(i, i + len);
    const out = cp < 128 ? ch.toLowerCase() : (REF_SYMBOLS[ch] ?? ch.normalize('NFKC').toLowerCase());
    s += out;
    for (let k = 0; k < out.length; k++) {
      starts.push(i);
      ends.push(i + len);
    }
    i += len;
  }
  return { s, starts, ends };
}

interface RefText {
  s: string;
  at: (k: number) => number;
  atEnd: (k: number) => number;
}

function refAppend(out: RefOut, src: string, from: number, to: number): void {
  const f = refFold(src, from, to);
  refWalk(out, { s: f.s, at: (k) => (k < f.starts.length ? f.starts[k]! : to), atEnd: (k) => (k < f.ends.length ? f.ends[k]! : to) }, 0, f.s.length, 0);
}

function refWalk(out: RefOut, t: RefText, i: number, end: number, depth: number): void {
  const s = t.s;
  while (i < end) {
    const ch = s[i]!;
    if (isSpaceChar(ch.charCodeAt(0))) {
      out.space(t.at(i), t.atEnd(i));
      i++;
    } else if (ch === '$' || ch === '{' || ch === '}') {
      i++;
    } else if (ch === '\\') {
      i = refCommand(out, t, i, end, depth);
    } else if (isDigitChar(ch) || (ch === '.' && i + 1 < end && isDigitChar(s[i + 1]) && !isDigitChar(s[i - 1]))) {
      i = refNumber(out, t, i, end);
    } else {
      out.emit(REF_SYMBOLS[ch] ?? ch, t.at(i), t.atEnd(i));
      i++;
    }
  }
}

function refCommand(out: RefOut, t: RefText, i: number, end: number, depth: number): number {
  const s = t.s;
  let j = i + 1;
  while (j < end && /[a-zA-Z]/.test(s[j]!)) j++;
  if (j === i + 1) {
    const next = s[i + 1];
    if (next === '%') out.emit('%', t.at(i), t.atEnd(i + 1));
    else if (next !== undefined && ',;: !'.includes(next)) out.space(t.at(i), t.atEnd(i + 1));
    return Math.min(end, i + 2);
  }
  const name = s.slice(i + 1, j);
  if (REF_FRACS.includes(name) && depth < 16) {
    const num = refGroup(s, j, end);
    const den = num && refGroup(s, num.next, end);
    if (num && den) {
      refOperand(out, t, num, depth);
      out.emit('/', t.at(i), t.atEnd(j - 1));
      refOperand(out, t, den, depth);
      return den.next;
    }
  }
  if (REF_DROPPED.includes(name)) return j;
  out.emit(name === 'sqrt' ? '√' : (REF_COMMANDS[name] ?? `\\${name}`), t.at(i), t.atEnd(j - 1));
  return j;
}

function refGroup(s: string, i: number, end: number): { start: number; end: number; next: number } | null {
  while (i < end && s[i] === ' ') i++;
  if (i >= end) return null;
  if (s[i] !== '{') return s[i] === '\\' || s[i] === '}' ? null : { start: i, end: i + 1, next: i + 1 };
  let level = 0;
  for (let k = i; k < end; k++) {
    if (s[k] === '\\') k++;
    else if (s[k] === '{') level++;
    else if (s[k] === '}' && --level === 0) return { start: i + 1, end: k, next: k + 1 };
  }
  return null;
}

function refOperand(out: RefOut, t: RefText, g: { start: number; end: number }, depth: number): void {
  const sub = new RefOut();
  refWalk(sub, t, g.start, g.end, depth + 1);
  const n = sub.chars.length;
  if (n === 0) return;
  const simple = sub.chars.every((ch) => isWordChar(ch) || ch === '.');
  if (!simple) out.emit('(', sub.starts[0]!, sub.starts[0]!);
  for (let k = 0; k < n; k++) out.emit(sub.chars[k]!, sub.starts[k]!, sub.ends[k]!);
  if (!simple) out.emit(')', sub.ends[n - 1]!, sub.ends[n - 1]!);
}

function refNumber(out: RefOut, t: RefText, i: number, end: number): number {
  const s = t.s;
  let j = i;
  while (j < end && isDigitChar(s[j])) j++;
  let intPart = s.slice(i, j);
  if (j - i >= 1 && j - i <= 3) {
    while (j + 3 < end && /^,\d\d\d$/.test(s.slice(j, j + 4)) && !(j + 4 < end && isDigitChar(s[j + 4]))) {
      intPart += s.slice(j + 1, j + 4);
      j += 4;
    }
  }
  let frac = '';
  if (j + 1 < end && s[j] === '.' && isDigitChar(s[j + 1])) {
    let k = j + 1;
    while (k < end && isDigitChar(s[k])) k++;
    frac = s.slice(j + 1, k).replace(/0+$/, '');
    j = k;
  }
  intPart = intPart.replace(/^0+(?=\d)/, '') || '0';
  out.emit(frac ? `${intPart}.${frac}` : intPart, t.at(i), t.atEnd(j - 1));
  return j;
}

function reference(src: string, ranges: readonly { start: number; end: number }[]): Reference {
  const out = new RefOut();
  for (const r of ranges) {
    refAppend(out, src, r.start, r.end);
    out.space(r.end, r.end);
  }
  return { text: out.chars.join(''), starts: out.starts, ends: out.ends };
}

// ---------------------------------------------------------------------------------------------

/** Fragments that exercise every branch: LaTeX (any case), numbers, Unicode folding, surrogates. */
const ATOMS = [
  '\\frac{',
  '}{',
  '}',
  '{',
  '\\dfrac',
  '\\Frac',
  '\\FRAC{1}{2}',
  '\\left(',
  '\\Right)',
  '\\times',
  '\\CDOT',
  '\\cdot',
  '\\text{',
  '\\mathrm{',
  '\\boxed{',
  '\\sqrt',
  '\\pi',
  '\\le',
  '\\neq',
  '\\%',
  '\\,',
  '\\ ',
  '\\',
  '\\foo',
  '\\Big',
  '$',
  '\\(',
  '\\]',
  ' ',
  '  ',
  '\n',
  '\t',
  '\r\n',
  '\u00a0',
  '\u3000',
  '\u2009',
  '1,000',
  '12,345,678.900',
  '1,23',
  '3.50',
  '.5',
  '0.0',
  '00',
  '007',
  '7',
  '.',
  ',',
  '9.',
  '1.2.3',
  'x',
  'Y',
  'Area',
  'TOTAL',
  '=',
  '+',
  '-',
  '(',
  ')',
  '*',
  '/',
  '_',
  '#',
  '≤',
  '≥',
  '≠',
  '×',
  '÷',
  '−',
  '–',
  '·',
  'ＡＢ',
  'ﬁ',
  'Ⅻ',
  'İ',
  'ß',
  'é',
  'e\u0301',
  '²',
  '²3',
  '½',
  'Σ',
  'ǅ',
  'K',
  '\ufeff',
  'π',
  '𝐀',
  '😀',
  '\ud800',
  '\udc00',
];
const atom = fc.constantFrom(...ATOMS);
const text = (maxLength: number) => fc.array(atom, { maxLength }).map((xs) => xs.join(''));
/** Ranges as the chain parser produces them: sorted, disjoint, inside the text. */
const withRanges = text(60).chain((s) =>
  fc.uniqueArray(fc.integer({ min: 0, max: s.length }), { maxLength: 8 }).map((cuts) => {
    const sorted = [...cuts].sort((a, b) => a - b);
    const ranges: { start: number; end: number }[] = [];
    for (let k = 0; k + 1 < sorted.length; k += 2) ranges.push({ start: sorted[k]!, end: sorted[k + 1]! });
    return { s, ranges };
  }),
);

const plain = (n: { text: string; starts: Int32Array; ends: Int32Array }): Reference => ({ text: n.text, starts: Array.from(n.starts), ends: Array.from(n.ends) });
const runs = { numRuns: 400 };

describe('match normaliser agrees with the reference implementation', () => {
  it('normalizeForMatch: whole texts and sub-ranges, text and offsets', () => {
    fc.assert(
      fc.property(text(80), fc.nat(), fc.nat(), (s, a, b) => {
        assert.deepEqual(plain(normalizeForMatch(s)), reference(s, [{ start: 0, end: s.length }]));
        const from = a % (s.length + 1);
        const to = from + (b % (s.length - from + 1));
        assert.deepEqual(plain(normalizeForMatch(s, from, to)), reference(s, [{ start: from, end: to }]));
      }),
      runs,
    );
  });

  it('normalizeRanges and its scratch variant: several ranges joined by a space', () => {
    fc.assert(
      fc.property(withRanges, ({ s, ranges }) => {
        const expected = reference(s, ranges);
        assert.deepEqual(plain(normalizeRanges(s, ranges)), expected);
        assert.deepEqual(plain(normalizeRangesScratch(s, ranges)), expected);
      }),
      runs,
    );
  });

  it('ranges in any order, overlapping or empty (the public API does not require sorted ranges)', () => {
    fc.assert(
      fc.property(text(60), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 6 }), (s, pairs) => {
        const ranges = pairs.map(([a, b]) => {
          const start = a % (s.length + 1);
          return { start, end: start + (b % (s.length - start + 1)) };
        });
        const expected = reference(s, ranges);
        assert.deepEqual(plain(normalizeRanges(s, ranges)), expected);
        assert.deepEqual(plain(normalizeRangesScratch(s, ranges)), expected);
      }),
      runs,
    );
    const s = 'ASCII first, then ＡＢ = ½';
    const ranges = [
      { start: 14, end: s.length },
      { start: 0, end: s.length },
    ];
    assert.deepEqual(plain(normalizeRanges(s, ranges)), reference(s, ranges));
  });

  it('normalizeTextForMatch is the text of normalizeForMatch', () => {
    fc.assert(
      fc.property(text(80), (s) => assert.equal(normalizeTextForMatch(s), reference(s, [{ start: 0, end: s.length }]).text)),
      runs,
    );
  });

  it('long outputs (built by the decoders) in ASCII, wide and surrogate-bearing text', () => {
    const base = 'Area = \\frac{6 \\times 4}{2} = 12 cm, total 1,000.50 and .5; ';
    for (const extra of ['', 'é ≤ ', '😀 ', '\ud800 ', '\ufeff', 'Ⅻ x²']) {
      const s = `${extra}${base.repeat(40)}${extra}`;
      assert.deepEqual(plain(normalizeForMatch(s)), reference(s, [{ start: 0, end: s.length }]), JSON.stringify(extra));
      const ranges = [
        { start: 3, end: 700 },
        { start: 900, end: s.length },
      ];
      assert.deepEqual(plain(normalizeRanges(s, ranges)), reference(s, ranges));
    }
  });

  it('deep and very long inputs stay exact (scratch buffers grow and are released)', () => {
    const nested = `${'\\frac{'.repeat(30)}1${'}{2}'.repeat(30)} = x`;
    assert.deepEqual(plain(normalizeForMatch(nested)), reference(nested, [{ start: 0, end: nested.length }]));
    const big = 'Sum 12,345 + 0.50 = x. '.repeat(5000);
    assert.deepEqual(plain(normalizeForMatch(big)), reference(big, [{ start: 0, end: big.length }]));
    const small = 'After \\frac{a}{b+1}';
    assert.deepEqual(plain(normalizeForMatch(small)), reference(small, [{ start: 0, end: small.length }]));
  });

  it('results own their offsets; scratch views are overwritten by the next call', () => {
    const first = normalizeForMatch('x = 5');
    const kept = plain(first);
    normalizeForMatch('a much longer second text = 123');
    assert.deepEqual(plain(first), kept);
    const view = normalizeRangesScratch('y = 7', [{ start: 0, end: 5 }]);
    normalizeTextForMatch('z = 9, a different key step'); // a separate builder: the view survives
    assert.deepEqual(plain(view), reference('y = 7', [{ start: 0, end: 5 }]));
  });
});
