// The normalisation of robust StepRAR's soft key-step matching (DESIGN §5), applied identically
// to the chain and to each key step: NFKC, lower case, operators unified (× · ∗ \times \cdot → *,
// ÷ → /, − → -), LaTeX wrappers and \left \right dropped, \frac{a}{b} → a/b, canonical numbers
// (3.0 → 3, 1,000 → 1000, 0.50 → 0.5), whitespace kept only between two word characters.
// Every output character remembers the source span it came from, so matches can be highlighted.
// One linear pass (plus bounded look-ahead for \frac groups); no regex over the input.

export interface NormalizedText {
  text: string;
  /** Source start offset of each output code unit. */
  starts: Int32Array;
  /** Source end offset (exclusive) of each output code unit. */
  ends: Int32Array;
}

const SYMBOLS: Record<string, string> = {
  '×': '*',
  '·': '*',
  '∗': '*',
  '⋅': '*',
  '÷': '/',
  '−': '-',
  '–': '-',
  '≤': '<=',
  '≥': '>=',
  '≠': '!=',
  '√': '√',
};

const LATEX_COMMANDS: Record<string, string> = {
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
  '%': '%',
  circ: '°',
  degree: '°',
};

/** Commands that only wrap or space their content: dropped, their braces are dropped too. */
const DROPPED_COMMANDS = new Set([
  'left', 'right', 'bigl', 'bigr', 'big', 'Big', 'displaystyle', 'textstyle', 'text', 'textrm', 'textbf', 'textit',
  'textnormal', 'mathrm', 'mathbf', 'mathit', 'mathsf', 'mathbb', 'boxed', 'mbox', 'operatorname', 'quad', 'qquad',
  'limits', 'bf', 'rm', 'it',
]);
const FRAC_COMMANDS = new Set(['frac', 'dfrac', 'tfrac', 'cfrac']);
const MAX_FRAC_DEPTH = 16;

class Builder {
  codes: Uint16Array;
  starts: Int32Array;
  ends: Int32Array;
  length = 0;
  /** Source span of a pending run of whitespace, or -1. */
  spaceStart = -1;
  spaceEnd = -1;

  constructor(capacity: number) {
    const size = Math.max(16, capacity);
    this.codes = new Uint16Array(size);
    this.starts = new Int32Array(size);
    this.ends = new Int32Array(size);
  }

  emit(s: string, start: number, end: number): void {
    for (let k = 0; k < s.length; k++) this.emitCode(s.charCodeAt(k), start, end);
  }

  emitCode(c: number, start: number, end: number): void {
    if (this.spaceStart >= 0) {
      const n = this.length;
      if (n > 0 && isWord(this.codes[n - 1]!) && isWord(c)) this.push(32, this.spaceStart, this.spaceEnd);
      this.spaceStart = -1;
    }
    this.push(c, start, end);
  }

  space(start: number, end: number): void {
    if (this.spaceStart < 0) {
      this.spaceStart = start;
      this.spaceEnd = end;
    }
  }

  private push(c: number, start: number, end: number): void {
    if (this.length === this.codes.length) this.grow();
    const n = this.length++;
    this.codes[n] = c;
    this.starts[n] = start;
    this.ends[n] = end;
  }

  private grow(): void {
    const size = this.codes.length * 2;
    const codes = new Uint16Array(size);
    codes.set(this.codes);
    const starts = new Int32Array(size);
    starts.set(this.starts);
    const ends = new Int32Array(size);
    ends.set(this.ends);
    this.codes = codes;
    this.starts = starts;
    this.ends = ends;
  }
}

function isWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c > 127;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAsciiLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x3000 || (c >= 0x2000 && c <= 0x200b);
}

/**
 * Stage 1: NFKC and lower case per code point, keeping the source span of every resulting code
 * unit. Pure ASCII takes a fast path (identity offsets).
 */
function foldCase(src: string, from: number, to: number): { s: string; map: Int32Array | null; mapEnd: Int32Array | null } {
  let ascii = true;
  for (let i = from; i < to; i++) {
    if (src.charCodeAt(i) > 127) {
      ascii = false;
      break;
    }
  }
  if (ascii) return { s: src.slice(from, to).toLowerCase(), map: null, mapEnd: null };
  const parts: string[] = [];
  const map: number[] = [];
  const mapEnd: number[] = [];
  for (let i = from; i < to; ) {
    const cp = src.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    const ch = src.slice(i, i + len);
    const out = cp < 128 ? ch.toLowerCase() : (SYMBOLS[ch] ?? ch.normalize('NFKC').toLowerCase());
    parts.push(out);
    for (let k = 0; k < out.length; k++) {
      map.push(i);
      mapEnd.push(i + len);
    }
    i += len;
  }
  return { s: parts.join(''), map: Int32Array.from(map), mapEnd: Int32Array.from(mapEnd) };
}

/** Normalises `src[from, to)` for matching. */
export function normalizeForMatch(src: string, from = 0, to = src.length): NormalizedText {
  const b = new Builder(to - from + 8);
  appendNormalized(b, src, from, to);
  return finish(b);
}

/** Normalises several ranges of `src` into one haystack, separated by a space. */
export function normalizeRanges(src: string, ranges: readonly { start: number; end: number }[]): NormalizedText {
  let size = 8;
  for (const r of ranges) size += r.end - r.start + 1;
  const b = new Builder(size);
  for (const r of ranges) {
    appendNormalized(b, src, r.start, r.end);
    b.space(r.end, r.end);
  }
  return finish(b);
}

function finish(b: Builder): NormalizedText {
  let text = '';
  for (let k = 0; k < b.length; k += 8192) {
    text += String.fromCharCode.apply(null, b.codes.subarray(k, Math.min(b.length, k + 8192)) as unknown as number[]);
  }
  return { text, starts: b.starts.subarray(0, b.length), ends: b.ends.subarray(0, b.length) };
}

/** Maps positions of the case-folded string back to the source (identity plus `base` when `map` is null). */
interface SourceMap {
  base: number;
  to: number;
  map: Int32Array | null;
  mapEnd: Int32Array | null;
}

function at(m: SourceMap, k: number): number {
  return m.map ? (k < m.map.length ? m.map[k]! : m.to) : m.base + k;
}
function atEnd(m: SourceMap, k: number): number {
  return m.mapEnd ? (k < m.mapEnd.length ? m.mapEnd[k]! : m.to) : m.base + k + 1;
}

function appendNormalized(b: Builder, src: string, from: number, to: number): void {
  const { s, map, mapEnd } = foldCase(src, from, to);
  walk(b, s, 0, s.length, { base: from, to, map, mapEnd }, 0);
}

/** Stage 2 over the case-folded string `s[i, end)`. */
function walk(b: Builder, s: string, i: number, end: number, m: SourceMap, depth: number): void {
  while (i < end) {
    const c = s.charCodeAt(i);
    if ((c >= 97 && c <= 122) || c === 61 || c === 43 || c === 40 || c === 41) {
      // letters and common operators: the hot path
      b.emitCode(c, at(m, i), atEnd(m, i));
      i++;
      continue;
    }
    if (isSpace(c)) {
      b.space(at(m, i), atEnd(m, i));
      i++;
      continue;
    }
    if (c === 36 /* $ */ || c === 123 /* { */ || c === 125 /* } */) {
      i++;
      continue;
    }
    if (c === 92 /* \ */) {
      i = latexCommand(b, s, i, end, m, depth);
      continue;
    }
    if (isDigit(c) || (c === 46 && i + 1 < end && isDigit(s.charCodeAt(i + 1)) && !isDigit(s.charCodeAt(i - 1)))) {
      i = number(b, s, i, end, m);
      continue;
    }
    const sym = c > 127 ? SYMBOLS[s[i]!] : undefined;
    if (sym) b.emit(sym, at(m, i), atEnd(m, i));
    else b.emitCode(c, at(m, i), atEnd(m, i));
    i++;
  }
}

function latexCommand(b: Builder, s: string, i: number, end: number, m: SourceMap, depth: number): number {
  let j = i + 1;
  while (j < end && isAsciiLetter(s.charCodeAt(j))) j++;
  if (j === i + 1) {
    // one-character command: \( \) \[ \] \{ \} \, \; \! \  are wrappers or spacing; \% is percent
    const ch = s[i + 1];
    if (ch === '%') b.emit('%', at(m, i), atEnd(m, i + 1));
    else if (ch === ',' || ch === ';' || ch === ':' || ch === ' ' || ch === '!') b.space(at(m, i), atEnd(m, i + 1));
    return Math.min(end, i + 2);
  }
  const name = s.slice(i + 1, j);
  if (FRAC_COMMANDS.has(name) && depth < MAX_FRAC_DEPTH) {
    const num = group(s, j, end);
    const den = num ? group(s, num.next, end) : null;
    if (num && den) {
      emitOperand(b, s, num, m, depth);
      b.emit('/', at(m, i), atEnd(m, j - 1));
      emitOperand(b, s, den, m, depth);
      return den.next;
    }
  }
  if (DROPPED_COMMANDS.has(name)) return j;
  if (name === 'sqrt') {
    b.emit('√', at(m, i), atEnd(m, j - 1));
    return j;
  }
  const mapped = LATEX_COMMANDS[name];
  b.emit(mapped ?? `\\${name}`, at(m, i), atEnd(m, j - 1));
  return j;
}

interface Group {
  start: number;
  end: number;
  next: number;
}

/** A `{…}` group (balanced, bounded by `end`) or a single character token, after optional spaces. */
function group(s: string, i: number, end: number): Group | null {
  while (i < end && s.charCodeAt(i) === 32) i++;
  if (i >= end) return null;
  if (s.charCodeAt(i) !== 123) {
    if (s.charCodeAt(i) === 92 || s.charCodeAt(i) === 125) return null;
    return { start: i, end: i + 1, next: i + 1 };
  }
  let level = 0;
  for (let k = i; k < end; k++) {
    const c = s.charCodeAt(k);
    if (c === 92) {
      k++;
      continue;
    }
    if (c === 123) level++;
    else if (c === 125 && --level === 0) return { start: i + 1, end: k, next: k + 1 };
  }
  return null;
}

/** Emits a fraction operand, in parentheses when it is more than one number or name. */
function emitOperand(b: Builder, s: string, g: Group, m: SourceMap, depth: number): void {
  const sub = new Builder(g.end - g.start + 8);
  walk(sub, s, g.start, g.end, m, depth + 1);
  const n = sub.length;
  if (n === 0) return;
  let simple = true;
  for (let k = 0; k < n; k++) {
    const c = sub.codes[k]!;
    if (!(isWord(c) || c === 46)) {
      simple = false;
      break;
    }
  }
  if (!simple) b.emitCode(40, sub.starts[0]!, sub.starts[0]!);
  for (let k = 0; k < n; k++) b.emitCode(sub.codes[k]!, sub.starts[k]!, sub.ends[k]!);
  if (!simple) b.emitCode(41, sub.ends[n - 1]!, sub.ends[n - 1]!);
}

/** Canonical number: thousands commas removed, leading/trailing zeros dropped, `.5` → `0.5`. */
function number(b: Builder, s: string, i: number, end: number, m: SourceMap): number {
  let j = i;
  while (j < end && isDigit(s.charCodeAt(j))) j++;
  let intPart = s.slice(i, j);
  if (j - i >= 1 && j - i <= 3) {
    // 1,000,000: groups of exactly three digits after a first group of one to three
    let k = j;
    while (
      k + 3 < end &&
      s.charCodeAt(k) === 44 &&
      isDigit(s.charCodeAt(k + 1)) &&
      isDigit(s.charCodeAt(k + 2)) &&
      isDigit(s.charCodeAt(k + 3)) &&
      !(k + 4 < end && isDigit(s.charCodeAt(k + 4)))
    ) {
      intPart += s.slice(k + 1, k + 4);
      k += 4;
    }
    j = k;
  }
  let frac = '';
  if (j + 1 < end && s.charCodeAt(j) === 46 && isDigit(s.charCodeAt(j + 1))) {
    let k = j + 1;
    while (k < end && isDigit(s.charCodeAt(k))) k++;
    let last = k;
    while (last > j + 1 && s.charCodeAt(last - 1) === 48) last--;
    frac = s.slice(j + 1, last);
    j = k;
  }
  let lead = 0;
  while (lead < intPart.length - 1 && intPart.charCodeAt(lead) === 48) lead++;
  intPart = intPart.length === 0 ? '0' : intPart.slice(lead);
  const canon = frac ? `${intPart}.${frac}` : intPart;
  b.emit(canon, at(m, i), atEnd(m, j - 1));
  return j;
}
