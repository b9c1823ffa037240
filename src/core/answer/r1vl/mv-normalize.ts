// Math-Verify's LaTeX normalisation (latex2sympy2_extended 1.10.2 `normalize_latex` with the
// configuration Math-Verify's LatexExtractionConfig uses: basic LaTeX, units, malformed operators,
// nits, boxed). Reproduced from its documented and observed behaviour, step by step in its order,
// quirks included (`\sqrt(2)` becomes `\\sqrt{2}`, which then fails to parse, as there).
import { boxedContent } from './mv-boxed';
import { replaceLazySpans, type LazySpan } from './mv-lazy-span';

const LEFT = /\\m?left(\\\{|\{|\\\||\||\[|\(|\\rbracl|\\lgroup|\\lbrace|\\lbrack|\\vert|\\lvert|\\lceil|\\lfloor|\\langle|\\llcorner|\\ulcorner)/g;
const RIGHT = /\\m?right(\\\}|\}|\\\||\||\]|\)|\\rbrack|\\rgroup|\\rbrace|\\vert|\\rvert|\\rceil|\\rfloor|\\rangle|\\lrcorner|\\urcorner)/g;
const PERMUTATION = /\(([a-zA-Z0-9+\-*/\\ ]+?)\)_\{([a-zA-Z0-9+\-*/\\ ]+?)\}/g;
const REMOVE = /\\mathrm\{th\}|\\!\s*|\\text\s*\{\s*\}|\\\$|\$|(?<!\\)["']|\\displaystyle/g;

/** One pass of replacements; at each position the first alternative that matches wins. */
const REPLACEMENTS: [string, string][] = [
  ['\\\\math(?:rm|it|bf)', '\\text'],
  ['\\\\text(?:normal|bf|it|rm)', '\\text'],
  ['\\\\(?:d|t|c)frac', '\\frac'],
  ['\\s\\.', ' 0.'],
  ['\\{\\.', '{0.'],
  ['~=', '\\approx'],
  ['\\s*\\{\\s*,\\s*\\}', ','],
  ['(?<![a-zA-Z])(?:,?\\s*(?:and|or))(?![a-zA-Z])', ','],
  ['(?:,?\\s*\\\\text\\{\\s*(?:and|or)\\s*\\})', ','],
  ['(?<!\\\\)\\\\\\s', ' '],
  ['infinity', '\\infty'],
  [',?(?:\\\\ldots)', ' '],
  ['\\s*percentage', '\\%'],
  ['\\\\text\\{percentage\\}', '\\%'],
  ['\\s*percent', '\\%'],
  ['\\\\text\\{percent\\}', '\\%'],
  ['\\s*pct', '\\%'],
  ['\\\\text\\{pct\\}', '\\%'],
  ['(?:(?<!\\\\)inf(?!inity))', '\\infty'],
  [' sqrt', '\\sqrt'],
];
const REPLACE = new RegExp(REPLACEMENTS.map(([p]) => `(${p})`).join('|'), 'g');

// Units latex2sympy2_extended strips from the end of an answer ("integer" "point" is one word there).
const UNITS =
  'integerpoint|feet|sue|digit|pound|meal|edge|student|children ticket|multiple|east|degree|mph|kmph|ft|m square| m east|sq m|deg|mile|q .|monkey|prime|ratio|profit of rs|rd|o|gm|p . m|lb|tile|per|dm|lt|gain|ab|way|west|a .|b .|c .|d .|e .|f .|g .|h .|t|h|no change|men|soldier|pie|bc|excess|st|inches|noon|cent|by|gal|kmh|c|acre|rise|a . m|th|π r 2|sq|mark|l|toy|coin|sq . m|gallon|° f|profit|minw|yr|women|am|pm|hr|cu cm|square|v â € ™|are|rupee|rounds|cubic|cc|mtr|s|ohm|number|kmph|day|hour|minute|min|second|man|woman|sec|cube|mt|sq inch|mp|∏ cm ³|hectare|more|sec|unit|cu . m|cm 2|rs .|rs|kg|g|month|km|m|cm|mm|apple|liter|loss|yard|pure|year|increase|decrease|d|less|Surface|litre|pi sq m|s .|metre|meter|inch';
// Units are alternatives of a regex there, unescaped: `.` is any character.
const UNITS_END = new RegExp(`(\\d|\\}|\\s)\\s*(?:(?:${UNITS})(?:s|es)?)\\s*(?=\\n?$)`);

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);

/** A closer that is the single character `char`. */
const closingChar =
  (char: string): LazySpan['closeAt'] =>
  (text, k) =>
    text[k] === char ? { end: k + 1, captures: [] } : null;

/** `}\s?(\d)`: the greedy optional space first, as the regex tries it. */
const braceThenDigit: LazySpan['closeAt'] = (text, k) => {
  if (text[k] !== '}') return null;
  if (isSpace(text[k + 1]) && isDigit(text[k + 2])) return { end: k + 3, captures: [text[k + 2]!] };
  return isDigit(text[k + 1]) ? { end: k + 2, captures: [text[k + 1]!] } : null;
};

// In the original these are regexes with a lazy `([^\n]*?)`; here each is a linear-time LazySpan
// (mv-lazy-span.ts) or a regex without one, applied in the original's order.
export const MALFORMED: (LazySpan | [RegExp, string])[] = [
  { open: /\^\s?\(/g, closeAt: closingChar(')'), build: (_o, content) => `^{${content}}` },
  { open: /sqrt\s?\(/g, closeAt: closingChar(')'), build: (_o, content) => `\\sqrt{${content}}` },
  [/\\frac\s?(\d)\s?(\d+)/g, '\\frac{$1}{$2}'],
  [/\\log_\s?(\d)\s?(\d+)/g, '\\log_{$1}{$2}'],
  { open: /\\frac\s?\{/g, closeAt: braceThenDigit, build: (_o, content, [digit]) => `\\frac{${content}}{${digit!}}` },
  { open: /\\frac\s?(\d)\s?\{/g, closeAt: closingChar('}'), build: ([digit], content) => `\\frac{${digit!}}{${content}}` },
  [/\\sqrt\s?(\d)/g, '\\sqrt{$1}'],
];

export function normalizeLatex(input: string, boxed: 'all' | 'last'): string {
  let text = boxedContent(input, boxed);

  // basic LaTeX
  text = text.split('\\mathrm{T}').join('T').split('\\mathrm{d}').join('d').split('{\\rm d}').join('d');
  text = text.split('\\left[\\begin{matrix}').join('\\begin{bmatrix}').split('\\end{matrix}\\right]').join('\\end{bmatrix}');
  text = text.replace(LEFT, '$1').replace(RIGHT, '$1');
  text = text.replace(PERMUTATION, '\\frac{($1)!}{(($1)-($2))!}');
  text = text.replace(REMOVE, '');
  text = text.replace(REPLACE, (...m: unknown[]) => {
    for (let k = 0; k < REPLACEMENTS.length; k++) if (m[k + 1] !== undefined) return REPLACEMENTS[k]![1];
    return m[0] as string;
  });
  text = text.replace(/[\n\t]/g, ' ');
  if (!text.includes('matrix')) text = text.replace(/\\\\(?=[a-zA-Z])/g, '\\');

  // units, and a \text{…} at the very end
  let t = stripFinalText(text).trim();
  if (t !== '' && t !== text) text = t;
  for (let k = 0; k < 2; k++) {
    t = text.replace(UNITS_END, '$1');
    if (t !== '' && t !== text) text = t;
  }

  // nits
  if (text.startsWith('.')) text = `0${text}`;
  if (text === '0.5') text = '\\frac{1}{2}';

  // malformed operators
  for (const fix of MALFORMED) text = Array.isArray(fix) ? text.replace(fix[0], fix[1]) : replaceLazySpans(text, fix);
  text = text.split(' sqrt').join('\\sqrt');
  text = fixSqrt(text);
  text = fixFracs(text);
  text = fixSlash(text);
  return text.trim();
}

/**
 * The original's `re.sub(r"(\\(?:text|mbox)\{[^\n]*?\})(\^\d|\{\^\d\})?(?=\n?$)", "", text, count=1)`
 * without its backtracking: the match must end at the end of the text (or before a final newline), so
 * its closing brace is one of the last six characters; the leftmost opener on that brace's line wins.
 */
export function stripFinalText(text: string): string {
  const ends: { brace: number; end: number }[] = [];
  for (let brace = Math.max(0, text.length - 6); brace < text.length; brace++) {
    if (text[brace] !== '}') continue;
    const end = superscriptEnd(text, brace + 1);
    if (end >= 0) ends.push({ brace, end });
  }
  if (ends.length === 0) return text;
  const opener = /\\(?:text|mbox)\{/g;
  for (let m = opener.exec(text); m; m = opener.exec(text)) {
    const contentStart = m.index + m[0].length;
    const newline = text.indexOf('\n', contentStart);
    const hit = ends.find(({ brace }) => brace >= contentStart && (newline < 0 || brace < newline));
    if (hit) return text.slice(0, m.index) + text.slice(hit.end);
    // Later openers on this line meet the same braces; none past the last brace can match.
    if (newline < 0) break;
    opener.lastIndex = Math.max(opener.lastIndex, newline);
  }
  return text;
}

/** After a `}` at `from - 1`: the end of an optional `^d` or `{^d}` followed by `\n?` and the end, or -1. */
function superscriptEnd(text: string, from: number): number {
  const atEnd = (k: number): boolean => k === text.length || (k === text.length - 1 && text[k] === '\n');
  if (text[from] === '^' && isDigit(text[from + 1]) && atEnd(from + 2)) return from + 2;
  if (text.startsWith('{^', from) && isDigit(text[from + 2]) && text[from + 3] === '}' && atEnd(from + 4)) return from + 4;
  return atEnd(from) ? from : -1;
}

/** `\sqrt3` → `\sqrt{3}`. */
function fixSqrt(text: string): string {
  if (!text.includes('\\sqrt')) return text;
  const parts = text.split('\\sqrt');
  let out = parts[0]!;
  for (let part of parts.slice(1)) {
    part = part.trimStart();
    out += part.length > 0 && part[0] !== '{' && part[0] !== '[' ? `\\sqrt{${part[0]}}${part.slice(1)}` : `\\sqrt${part}`;
  }
  return out;
}

/** `\frac12` → `\frac{1}{2}`, `\frac1{2}` → `\frac{1}{2}`; a `\frac` with fewer than two characters after it leaves the text as it was. */
function fixFracs(text: string): string {
  const parts = text.split('\\frac');
  let out = parts[0]!;
  for (let part of parts.slice(1)) {
    part = part.trimStart();
    out += '\\frac';
    if (part.length > 0 && part[0] === '{') out += part;
    else if (part.length < 2) return text;
    else {
      const [a, b] = [part[0]!, part[1]!];
      out += b !== '{' ? `{${a}}{${b}}${part.slice(2)}` : `{${a}}${b}${part.slice(2)}`;
    }
  }
  return out;
}

/** `2/3` (the whole text, two plain integers) → `\frac{2}{3}`. */
function fixSlash(text: string): string {
  const m = /^(-?\d+)\/(-?\d+)$/.exec(text);
  if (!m) return text;
  // Python's int() also takes `+3` or `03`; the original then checks the text round-trips, so those stay.
  const a = BigInt(m[1]!);
  const b = BigInt(m[2]!);
  return `${a}/${b}` === text ? `\\frac{${a}}{${b}}` : text;
}
