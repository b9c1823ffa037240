// Math-Verify's LaTeX normalisation (latex2sympy2_extended 1.10.2 `normalize_latex` with the
// configuration Math-Verify's LatexExtractionConfig uses: basic LaTeX, units, malformed operators,
// nits, boxed). Reproduced from its documented and observed behaviour, step by step in its order,
// quirks included (`\sqrt(2)` becomes `\\sqrt{2}`, which then fails to parse, as there).
import { boxedContent } from './mv-boxed';

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
const UNIT_SUPERSCRIPT = /(\\(?:text|mbox)\{[^\n]*?\})(\^\d|\{\^\d\})?(?=\n?$)/;

const MALFORMED: [RegExp, string][] = [
  [/\^\s?\(([^\n]*?)\)/g, '^{$1}'],
  [/sqrt\s?\(([^\n]*?)\)/g, '\\sqrt{$1}'],
  [/\\frac\s?(\d)\s?(\d+)/g, '\\frac{$1}{$2}'],
  [/\\log_\s?(\d)\s?(\d+)/g, '\\log_{$1}{$2}'],
  [/\\frac\s?\{([^\n]*?)\}\s?(\d)/g, '\\frac{$1}{$2}'],
  [/\\frac\s?(\d)\s?\{([^\n]*?)\}/g, '\\frac{$1}{$2}'],
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
  let t = text.replace(UNIT_SUPERSCRIPT, '').trim();
  if (t !== '' && t !== text) text = t;
  for (let k = 0; k < 2; k++) {
    t = text.replace(UNITS_END, '$1');
    if (t !== '' && t !== text) text = t;
  }

  // nits
  if (text.startsWith('.')) text = `0${text}`;
  if (text === '0.5') text = '\\frac{1}{2}';

  // malformed operators
  for (const [re, to] of MALFORMED) text = text.replace(re, to);
  text = text.split(' sqrt').join('\\sqrt');
  text = fixSqrt(text);
  text = fixFracs(text);
  text = fixSlash(text);
  return text.trim();
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
