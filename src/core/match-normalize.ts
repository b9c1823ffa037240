// The normalisation of robust StepRAR's soft key-step matching (DESIGN §5), applied identically
// to the chain and to each key step: NFKC, lower case, operators unified (× · ∗ \times \cdot → *,
// ÷ → /, − → -), LaTeX wrappers and \left \right dropped, \frac{a}{b} → a/b, canonical numbers
// (3.0 → 3, 1,000 → 1000, 0.50 → 0.5), whitespace kept only between two word characters.
// Every output character remembers the source span it came from, so matches can be highlighted.
// One linear pass (plus bounded look-ahead for \frac groups); no regex over the input.
//
// It runs for every chain the trainer scores, so it is written for speed: output goes into
// reused typed-array scratch buffers (copied out once, at the exact length), case folding of
// non-ASCII code points is memoised, ASCII runs are folded in bulk, and numbers are emitted
// straight from the source without building intermediate strings.

export interface NormalizedText {
  text: string;
  /** Source start offset of each output code unit. */
  starts: Int32Array;
  /** Source end offset (exclusive) of each output code unit. */
  ends: Int32Array;
}

const SYMBOLS = new Map<string, string>([
  ['×', '*'],
  ['·', '*'],
  ['∗', '*'],
  ['⋅', '*'],
  ['÷', '/'],
  ['−', '-'],
  ['–', '-'],
  ['≤', '<='],
  ['≥', '>='],
  ['≠', '!='],
  ['√', '√'],
]);

const LATEX_COMMANDS = new Map<string, string>([
  ['times', '*'],
  ['cdot', '*'],
  ['ast', '*'],
  ['div', '/'],
  ['le', '<='],
  ['leq', '<='],
  ['ge', '>='],
  ['geq', '>='],
  ['ne', '!='],
  ['neq', '!='],
  ['pi', 'π'],
  ['%', '%'],
  ['circ', '°'],
  ['degree', '°'],
]);

/** Commands that only wrap or space their content: dropped, their braces are dropped too. */
const DROPPED_COMMANDS = new Set([
  'left',
  'right',
  'bigl',
  'bigr',
  'big',
  'Big',
  'displaystyle',
  'textstyle',
  'text',
  'textrm',
  'textbf',
  'textit',
  'textnormal',
  'mathrm',
  'mathbf',
  'mathit',
  'mathsf',
  'mathbb',
  'boxed',
  'mbox',
  'operatorname',
  'quad',
  'qquad',
  'limits',
  'bf',
  'rm',
  'it',
]);
const FRAC_COMMANDS = new Set(['frac', 'dfrac', 'tfrac', 'cfrac']);
const MAX_FRAC_DEPTH = 16;
/** Scratch buffers larger than this (code units) are dropped after use rather than kept. */
const MAX_KEPT_SCRATCH = 1 << 16;

class Builder {
  codes: Uint16Array;
  starts: Int32Array;
  ends: Int32Array;
  length = 0;
  /** Some code unit is above 0x7f / is a surrogate (decides how the text is built). */
  wide = false;
  surrogates = false;
  /** Source span of a pending run of whitespace, or -1. */
  spaceStart = -1;
  spaceEnd = -1;

  constructor(capacity: number) {
    const size = Math.max(16, capacity);
    this.codes = new Uint16Array(size);
    this.starts = new Int32Array(size);
    this.ends = new Int32Array(size);
  }

  /** Empties the builder for reuse, making room for `capacity` code units up front. */
  reset(capacity: number): this {
    this.length = 0; // before resizing: nothing to copy
    if (this.codes.length < capacity) this.resize(capacity);
    this.wide = false;
    this.surrogates = false;
    this.spaceStart = -1;
    this.spaceEnd = -1;
    return this;
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

  /**
   * Copies the run of letters and common operators starting at `s[i]` (ASCII source read in place,
   * offsets `base + k`), lower-cased; returns where the run ends. The hot path of a long chain.
   */
  asciiRun(s: string, i: number, end: number, base: number): number {
    this.emitCode(lowerHot(s.charCodeAt(i)), base + i, base + i + 1);
    i++;
    if (this.codes.length < this.length + (end - i)) this.resize(Math.max(this.codes.length * 2, this.length + (end - i)));
    const { codes, starts, ends } = this;
    let n = this.length;
    while (i < end) {
      let c = lowerHot(s.charCodeAt(i));
      if (c < 0) {
        // one plain space between two hot characters: kept only between word characters
        if (s.charCodeAt(i) !== 32 || i + 1 >= end) break;
        const next = lowerHot(s.charCodeAt(i + 1));
        if (next < 0) break;
        if (isWord(codes[n - 1]!) && isWord(next)) {
          codes[n] = 32;
          starts[n] = base + i;
          ends[n] = base + i + 1;
          n++;
        }
        i++;
        c = next;
      }
      codes[n] = c;
      starts[n] = base + i;
      ends[n] = base + i + 1;
      n++;
      i++;
    }
    this.length = n;
    return i;
  }

  space(start: number, end: number): void {
    if (this.spaceStart < 0) {
      this.spaceStart = start;
      this.spaceEnd = end;
    }
  }

  private push(c: number, start: number, end: number): void {
    if (this.length === this.codes.length) this.resize(this.codes.length * 2);
    if (c > 127) {
      this.wide = true;
      if (c >= 0xd800 && c <= 0xdfff) this.surrogates = true;
    }
    const n = this.length++;
    this.codes[n] = c;
    this.starts[n] = start;
    this.ends[n] = end;
  }

  resize(size: number): void {
    const codes = new Uint16Array(size);
    codes.set(this.codes.subarray(0, this.length));
    const starts = new Int32Array(size);
    starts.set(this.starts.subarray(0, this.length));
    const ends = new Int32Array(size);
    ends.set(this.ends.subarray(0, this.length));
    this.codes = codes;
    this.starts = starts;
    this.ends = ends;
  }
}

/**
 * Reused builders: index 0 for the whole text, index d + 1 for a fraction operand at nesting
 * depth d (a numerator is copied out before its denominator is walked, so one per depth is enough).
 * Normalisation never re-enters itself, so sharing them is safe.
 */
const builders: (Builder | undefined)[] = [];

function scratchBuilder(index: number, capacity: number): Builder {
  const b = builders[index];
  if (b && b.codes.length <= MAX_KEPT_SCRATCH) return b.reset(capacity);
  const fresh = new Builder(Math.max(capacity, 256));
  builders[index] = fresh;
  return fresh;
}

/** For each ASCII code: the letter lower-cased, or one of `= + ( )` as it is; -1 otherwise. */
const HOT = new Int16Array(128).map((_, c) => (c >= 65 && c <= 90 ? c + 32 : (c >= 97 && c <= 122) || c === 61 || c === 43 || c === 40 || c === 41 ? c : -1));

/** What the hot path copies for code `c` (see HOT), else -1. */
function lowerHot(c: number): number {
  return c < 128 ? HOT[c]! : -1;
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

/** Maps positions of the case-folded string back to the source (identity plus `base` when `map` is null). */
interface SourceMap {
  base: number;
  to: number;
  /** Source start of folded code unit k (k < length), or null for the identity. */
  map: Int32Array | null;
  /** Source end of folded code unit k. */
  mapEnd: Int32Array | null;
  /** Number of valid entries in `map` / `mapEnd` (they are reused scratch buffers). */
  length: number;
  /** The walked string's readable range [lo, hi): look-behind and look-ahead stop there. */
  lo: number;
  hi: number;
}

function at(m: SourceMap, k: number): number {
  return m.map === null ? m.base + k : k < m.length ? m.map[k]! : m.to;
}
function atEnd(m: SourceMap, k: number): number {
  return m.mapEnd === null ? m.base + k + 1 : k < m.length ? m.mapEnd[k]! : m.to;
}

/** NFKC + lower case of one non-ASCII code point (its UTF-16 text `ch`), memoised. */
const foldCache = new Map<number, string>();
const MAX_FOLD_CACHE = 50_000;

function foldCodePoint(cp: number, ch: string): string {
  let out = foldCache.get(cp);
  if (out === undefined) {
    out = SYMBOLS.get(ch) ?? ch.normalize('NFKC').toLowerCase();
    if (foldCache.size >= MAX_FOLD_CACHE) foldCache.clear();
    foldCache.set(cp, out);
  }
  return out;
}

let foldMap = new Int32Array(256);
let foldMapEnd = new Int32Array(256);

function ensureFoldMap(size: number): void {
  if (foldMap.length >= size) return;
  let n = foldMap.length;
  while (n < size) n *= 2;
  const map = new Int32Array(n);
  map.set(foldMap);
  const mapEnd = new Int32Array(n);
  mapEnd.set(foldMapEnd);
  foldMap = map;
  foldMapEnd = mapEnd;
}

/**
 * Stage 1 (text with non-ASCII characters only): NFKC and lower case per code point, keeping the
 * source span of every resulting code unit. ASCII runs are lower-cased in bulk and only non-ASCII
 * code points are folded one by one.
 */
function foldCase(src: string, from: number, to: number): { s: string; m: SourceMap } {
  if (foldMap.length > MAX_KEPT_SCRATCH) {
    foldMap = new Int32Array(256);
    foldMapEnd = new Int32Array(256);
  }
  let i = from;
  while (i < to && src.charCodeAt(i) <= 127) i++;
  const parts: string[] = [];
  let n = 0;
  if (i > from) {
    parts.push(src.slice(from, i).toLowerCase());
    ensureFoldMap(i - from);
    for (let k = from; k < i; k++, n++) {
      foldMap[n] = k;
      foldMapEnd[n] = k + 1;
    }
  }
  while (i < to) {
    const c = src.charCodeAt(i);
    if (c <= 127) {
      let j = i + 1;
      while (j < to && src.charCodeAt(j) <= 127) j++;
      parts.push(src.slice(i, j).toLowerCase());
      ensureFoldMap(n + (j - i));
      for (let k = i; k < j; k++, n++) {
        foldMap[n] = k;
        foldMapEnd[n] = k + 1;
      }
      i = j;
      continue;
    }
    const cp = src.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    const out = foldCodePoint(cp, src.slice(i, i + len));
    parts.push(out);
    ensureFoldMap(n + out.length);
    for (let k = 0; k < out.length; k++, n++) {
      foldMap[n] = i;
      foldMapEnd[n] = i + len;
    }
    i += len;
  }
  const s = parts.join('');
  return { s, m: { base: from, to, map: foldMap, mapEnd: foldMapEnd, length: n, lo: 0, hi: s.length } };
}

/** Normalises `src[from, to)` for matching. */
export function normalizeForMatch(src: string, from = 0, to = src.length): NormalizedText {
  const b = scratchBuilder(0, to - from + 8);
  appendNormalized(b, src, from, to, nextNonAscii(src, from));
  return finish(b, true);
}

/** Normalises several ranges of `src` into one haystack, separated by a space. */
export function normalizeRanges(src: string, ranges: readonly { start: number; end: number }[]): NormalizedText {
  return finish(buildRanges(src, ranges), true);
}

/**
 * `normalizeRanges` without copying the offsets out: `starts` and `ends` are views of a scratch
 * buffer that the next `normalizeForMatch`, `normalizeRanges` or `normalizeRangesScratch` call
 * overwrites (`normalizeTextForMatch` does not). For a caller that is done with them before then.
 */
export function normalizeRangesScratch(src: string, ranges: readonly { start: number; end: number }[]): NormalizedText {
  return finish(buildRanges(src, ranges), false);
}

/** Builder of `normalizeTextForMatch`, apart from builder 0 so that it leaves scratch views intact. */
let textBuilder = new Builder(256);

/** The normalised text of `src` alone, without source offsets (for key steps). */
export function normalizeTextForMatch(src: string): string {
  if (textBuilder.codes.length > MAX_KEPT_SCRATCH) textBuilder = new Builder(256);
  const b = textBuilder.reset(src.length + 8);
  appendNormalized(b, src, 0, src.length, nextNonAscii(src, 0));
  return builtText(b);
}

function buildRanges(src: string, ranges: readonly { start: number; end: number }[]): Builder {
  let size = 8;
  for (const r of ranges) size += r.end - r.start + 1;
  const b = scratchBuilder(0, size);
  // one forward scan serves every later range that starts before the next non-ASCII character
  let scannedFrom = Infinity;
  let nonAscii = -1;
  for (const r of ranges) {
    if (r.start < scannedFrom || nonAscii < r.start) {
      scannedFrom = r.start;
      nonAscii = nextNonAscii(src, r.start);
    }
    appendNormalized(b, src, r.start, r.end, nonAscii);
    b.space(r.end, r.end);
  }
  return b;
}

const NON_ASCII = /[^\0-\x7f]/g;

/** Index of the first non-ASCII code unit at or after `from`, or the length when there is none. */
function nextNonAscii(src: string, from: number): number {
  NON_ASCII.lastIndex = from;
  const m = NON_ASCII.exec(src);
  return m === null ? src.length : m.index;
}

function finish(b: Builder, copy: boolean): NormalizedText {
  const n = b.length;
  const text = builtText(b);
  if (!copy) return { text, starts: b.starts.subarray(0, n), ends: b.ends.subarray(0, n) };
  return { text, starts: b.starts.slice(0, n), ends: b.ends.slice(0, n) };
}

// Building the output string: `String.fromCharCode.apply` costs ~5 ns a code unit; a TextDecoder
// copies natively, for ASCII from bytes (windows-1252 is ASCII below 0x80) and otherwise from
// UTF-16 when there is no surrogate (the decoder would replace a lone one with U+FFFD).
const SHORT_TEXT = 64;
const CHUNK = 8192;
const ASCII_DECODER = decoder('latin1', {});
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const UTF16_DECODER = LITTLE_ENDIAN ? decoder('utf-16le', { ignoreBOM: true }) : null;
let bytes = new Uint8Array(256);

function decoder(label: string, options: { ignoreBOM?: boolean }): InstanceType<typeof TextDecoder> | null {
  try {
    return new TextDecoder(label, options);
  } catch {
    return null; // a runtime without that encoding: fromCharCode below still works
  }
}

function builtText(b: Builder): string {
  const n = b.length;
  if (n >= SHORT_TEXT) {
    if (!b.wide && ASCII_DECODER) {
      if (bytes.length < n) bytes = new Uint8Array(Math.max(n, bytes.length * 2));
      bytes.set(b.codes.subarray(0, n));
      const text = ASCII_DECODER.decode(bytes.subarray(0, n));
      if (bytes.length > MAX_KEPT_SCRATCH) bytes = new Uint8Array(256);
      return text;
    }
    if (!b.surrogates && UTF16_DECODER) return UTF16_DECODER.decode(b.codes.subarray(0, n));
  }
  let text = '';
  for (let k = 0; k < n; k += CHUNK) {
    text += String.fromCharCode.apply(null, b.codes.subarray(k, Math.min(n, k + CHUNK)) as unknown as number[]);
  }
  return text;
}

/** `nonAscii`: the first non-ASCII index at or after `from` (ASCII text is walked in place). */
function appendNormalized(b: Builder, src: string, from: number, to: number, nonAscii: number): void {
  if (nonAscii >= to) {
    walk(b, src, from, to, { base: 0, to, map: null, mapEnd: null, length: 0, lo: from, hi: to }, 0);
    return;
  }
  const { s, m } = foldCase(src, from, to);
  walk(b, s, 0, s.length, m, 0);
}

/** Stage 2 over `s[i, end)`: the case-folded string, or ASCII source lower-cased as it is read. */
function walk(b: Builder, s: string, i: number, end: number, m: SourceMap, depth: number): void {
  while (i < end) {
    let c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if ((c >= 97 && c <= 122) || c === 61 || c === 43 || c === 40 || c === 41) {
      // letters and common operators: the hot path
      if (m.map === null) {
        i = b.asciiRun(s, i, end, m.base);
        continue;
      }
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
    if (isDigit(c) || (c === 46 && i + 1 < end && isDigit(s.charCodeAt(i + 1)) && !(i > m.lo && isDigit(s.charCodeAt(i - 1))))) {
      i = number(b, s, i, end, m);
      continue;
    }
    const sym = c > 127 ? SYMBOLS.get(s[i]!) : undefined;
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
    const ch = i + 1 < m.hi ? s.charCodeAt(i + 1) : -1;
    if (ch === 37 /* % */) b.emit('%', at(m, i), atEnd(m, i + 1));
    else if (ch === 44 || ch === 59 || ch === 58 || ch === 32 || ch === 33 /* , ; : space ! */) b.space(at(m, i), atEnd(m, i + 1));
    return Math.min(end, i + 2);
  }
  const name = s.slice(i + 1, j).toLowerCase();
  if (depth < MAX_FRAC_DEPTH && FRAC_COMMANDS.has(name)) {
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
  const mapped = LATEX_COMMANDS.get(name);
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
  const sub = scratchBuilder(depth + 1, g.end - g.start + 8);
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

/**
 * Canonical number: thousands commas removed, leading/trailing zeros dropped, `.5` → `0.5`.
 * Emitted digit by digit from `s`; every output unit spans the whole source number.
 */
function number(b: Builder, s: string, i: number, end: number, m: SourceMap): number {
  let j = i;
  while (j < end && isDigit(s.charCodeAt(j))) j++;
  const runEnd = j;
  let groups = 0;
  if (j - i >= 1 && j - i <= 3) {
    // 1,000,000: groups of exactly three digits after a first group of one to three
    while (
      j + 3 < end &&
      s.charCodeAt(j) === 44 &&
      isDigit(s.charCodeAt(j + 1)) &&
      isDigit(s.charCodeAt(j + 2)) &&
      isDigit(s.charCodeAt(j + 3)) &&
      !(j + 4 < end && isDigit(s.charCodeAt(j + 4)))
    ) {
      groups++;
      j += 4;
    }
  }
  let fracStart = 0;
  let fracEnd = 0;
  if (j + 1 < end && s.charCodeAt(j) === 46 && isDigit(s.charCodeAt(j + 1))) {
    let k = j + 1;
    while (k < end && isDigit(s.charCodeAt(k))) k++;
    let last = k;
    while (last > j + 1 && s.charCodeAt(last - 1) === 48) last--;
    fracStart = j + 1;
    fracEnd = last;
    j = k;
  }
  const start = at(m, i);
  const stop = atEnd(m, j - 1);
  // the integer digits are s[i, runEnd) followed by each group's three digits (after its comma)
  const run = runEnd - i;
  const intLength = run + 3 * groups;
  if (intLength === 0) {
    b.emitCode(48, start, stop);
  } else {
    let lead = 0;
    while (lead < intLength - 1 && intDigit(s, i, runEnd, lead) === 48) lead++;
    for (let k = lead; k < intLength; k++) b.emitCode(intDigit(s, i, runEnd, k), start, stop);
  }
  if (fracEnd > fracStart) {
    b.emitCode(46, start, stop);
    for (let k = fracStart; k < fracEnd; k++) b.emitCode(s.charCodeAt(k), start, stop);
  }
  return j;
}

/** The k-th integer digit of a number whose first digit run is s[i, runEnd), followed by `,ddd` groups. */
function intDigit(s: string, i: number, runEnd: number, k: number): number {
  const run = runEnd - i;
  return k < run ? s.charCodeAt(i + k) : s.charCodeAt(runEnd + 1 + 4 * (((k - run) / 3) | 0) + ((k - run) % 3));
}
