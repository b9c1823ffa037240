// Canonical answer text: LaTeX presentation stripped (math delimiters, \left \right, spacing,
// \text{} wrappers, \dfrac → \frac, relation spellings unified), whitespace collapsed, trailing
// punctuation dropped. Linear scans only.
import { braceGroup } from './latex-scan';

const UNWRAP = new Set(['text', 'textbf', 'textit', 'textrm', 'textnormal', 'mathrm', 'mathbf', 'mathit', 'mbox', 'boxed', 'operatorname', 'fbox', 'textsf']);
const DROP = new Set(['left', 'right', 'displaystyle', 'textstyle', 'bigl', 'bigr', 'big', 'Big', 'quad', 'qquad', 'limits', 'middle']);
const RENAME: Record<string, string> = {
  dfrac: '\\frac',
  tfrac: '\\frac',
  cfrac: '\\frac',
  le: '\\leq',
  leqslant: '\\leq',
  ge: '\\geq',
  geqslant: '\\geq',
  ne: '\\neq',
  lt: '<',
  gt: '>',
  gets: '\\leftarrow',
};
const SYMBOLS: Record<string, string> = {
  '≤': '\\leq',
  '≥': '\\geq',
  '≠': '\\neq',
  '−': '-',
  '×': '\\times',
  '·': '\\cdot',
  '÷': '\\div',
  '∞': '\\infty',
  π: '\\pi',
  '°': '^\\circ',
};

/** Commands an over-escaped answer (`\\frac` from a doubly escaped JSON or Python string) may name. */
const ESCAPED_COMMANDS =
  /\\\\(?=(?:d?frac|sqrt|left|right|leq?|geq?|neq?|pi|infty|cdot|times|div|pm|mp|in|cup|cap|text|mathrm|mathbf|boxed|circ|approx|sin|cos|tan|log|ln|quad|qquad|dots|ldots|cdots|alpha|beta|gamma|theta)(?![A-Za-z]))/g;

export function canonicalAnswer(input: string): string {
  // The whole text, however long: two answers that share a long prefix must not become equal.
  let s = input
    .replace(ESCAPED_COMMANDS, '\\')
    // thousands written the TeX way: `14{,}916`, `11,\!111`
    .replace(/(\d)\s*(?:\{,\s*\}|,\\!)\s*(?=\d{3}(?!\d))/g, '$1,')
    .replace(/\\!/g, '');
  s = unwrapCommands(s);
  s = s
    .replace(/<=/g, '\\leq ')
    .replace(/>=/g, '\\geq ')
    .replace(/!=/g, '\\neq ')
    .replace(/\^\{\\circ\}/g, '^\\circ');
  s = s.replace(/\s+/g, ' ').trim();
  let e = s.length;
  while (e > 0 && '.。;!'.includes(s[e - 1]!)) e--;
  s = s.slice(0, e).trim();
  return s;
}

function unwrapCommands(s: string): string {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '$') {
      i++;
      continue;
    }
    const sym = SYMBOLS[c];
    if (sym) {
      out.push(sym, ' ');
      i++;
      continue;
    }
    if (c !== '\\') {
      out.push(c);
      i++;
      continue;
    }
    const next = s[i + 1] ?? '';
    if (next === '(' || next === ')' || next === '[' || next === ']') {
      i += 2;
      continue;
    }
    if (next === ',' || next === ';' || next === ':' || next === '!' || next === ' ') {
      out.push(' ');
      i += 2;
      continue;
    }
    let j = i + 1;
    while (j < s.length && /[A-Za-z]/.test(s[j]!)) j++;
    const name = s.slice(i + 1, j);
    if (name.length === 0) {
      out.push(s.slice(i, i + 2));
      i += 2;
      continue;
    }
    if (UNWRAP.has(name)) {
      let k = j;
      while (s[k] === ' ') k++;
      const g = braceGroup(s, k);
      if (g) {
        out.push(unwrapCommands(g.content));
        i = g.end;
        continue;
      }
      i = j;
      continue;
    }
    if (DROP.has(name)) {
      i = j;
      continue;
    }
    // a spacing command glued to what follows (`\quadx_2`) is still spacing
    const glued = /^(q?quad)(?=[A-Za-z])/.exec(name);
    if (glued) {
      out.push(' ');
      i += 1 + glued[1]!.length;
      continue;
    }
    out.push(RENAME[name] ?? `\\${name}`);
    // keep a separator so `\pi r` does not become `\pir`
    if (j < s.length && /[A-Za-z]/.test(s[j] ?? '')) out.push(' ');
    i = j;
  }
  return out.join('');
}

/** Canonical text for plain string comparison: also case-insensitive and without spaces. */
export function comparableString(s: string): string {
  return canonicalAnswer(s)
    .toLowerCase()
    .replace(/[\s{}]/g, '');
}
