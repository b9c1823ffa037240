// Splits a reasoning chain into its R1-VL sections (DESIGN §5) with UTF-16 spans. Both modes use
// hand-written linear scanners: no regex with nested quantifiers ever sees chain text.
//   robust: headers at the start of a line, `#`–`####` or bold, any case, optional colon, aliases.
//   r1vl:   the literal, case-sensitive headers the released R1-VL code looks for, anywhere.
import type { ChainSection, ParsedChain, SectionKind, Span } from './chain-types';
import type { RewardMode } from './reward-types';
import { readDecimalDigits } from './decimal-digits';

interface HeaderMatch {
  kind: SectionKind;
  start: number;
  end: number;
  step?: number;
  stepDigits?: Span;
}

/** Parses `text` into sections in document order. Never throws; any string is a chain. */
export function parseChain(text: string, mode: RewardMode = 'robust'): ParsedChain {
  const headers = mode === 'r1vl' ? findR1vlHeaders(text) : findRobustHeaders(text);
  const sections: ChainSection[] = [];
  for (let h = 0; h < headers.length; h++) {
    const header = headers[h]!;
    const limit = h + 1 < headers.length ? headers[h + 1]!.start : text.length;
    const section: ChainSection = {
      kind: header.kind,
      header: { start: header.start, end: header.end },
      body: trimSpan(text, header.end, limit),
    };
    if (header.step !== undefined) section.step = header.step;
    if (header.stepDigits) section.stepDigits = header.stepDigits;
    sections.push(section);
  }
  const firstStart = headers.length > 0 ? headers[0]!.start : text.length;
  const pre = trimSpan(text, 0, firstStart);
  return { text, sections, preamble: pre.end > pre.start ? pre : null };
}

/** Whitespace as Python's `str.strip()` / `\s` see it (JS `\s` plus the separators \x1c–\x1f). */
export function isSpaceCode(c: number): boolean {
  if (c === 32 || (c >= 9 && c <= 13)) return true;
  if (c < 28) return false;
  if (c <= 31) return true;
  if (c < 0x85) return false;
  return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** The span [start, end) with surrounding whitespace removed (empty spans collapse to `start`). */
export function trimSpan(text: string, start: number, end: number): Span {
  let s = start;
  let e = end;
  while (s < e && isSpaceCode(text.charCodeAt(s))) s++;
  while (e > s && isSpaceCode(text.charCodeAt(e - 1))) e--;
  return { start: s, end: e };
}

// ---------------------------------------------------------------------------------------------
// robust mode

interface HeaderName {
  /** Lower-case spelling matched against the text. */
  name: string;
  kind: SectionKind;
  /** May the body start on the header line when no colon follows the name? */
  inlineWithoutColon: boolean;
}

// Longest spellings first so that `image description` wins over `description`.
const ROBUST_NAMES: HeaderName[] = [
  { name: 'image description', kind: 'description', inlineWithoutColon: false },
  { name: 'description', kind: 'description', inlineWithoutColon: false },
  { name: 'rationales', kind: 'rationale', inlineWithoutColon: false },
  { name: 'rationale', kind: 'rationale', inlineWithoutColon: false },
  { name: "let's think step by step", kind: 'think', inlineWithoutColon: false },
  { name: 'let\u2019s think step by step', kind: 'think', inlineWithoutColon: false },
  { name: 'the final answer is', kind: 'answer', inlineWithoutColon: true },
  { name: 'final answer is', kind: 'answer', inlineWithoutColon: true },
  { name: 'the final answer', kind: 'answer', inlineWithoutColon: true },
  { name: 'final answer', kind: 'answer', inlineWithoutColon: true },
  { name: 'step', kind: 'step', inlineWithoutColon: true },
];
const LONGEST_NAME = Math.max(...ROBUST_NAMES.map((n) => n.name.length));

function findRobustHeaders(text: string): HeaderMatch[] {
  const out: HeaderMatch[] = [];
  const n = text.length;
  // Line ends by native search; a text with lone CR line breaks takes the per-character path.
  const crOnly = text.indexOf('\r') >= 0;
  let lineStart = 0;
  while (lineStart <= n) {
    let lineEnd: number;
    if (crOnly) {
      lineEnd = lineStart;
      while (lineEnd < n) {
        const c = text.charCodeAt(lineEnd);
        if (c === 10 || c === 13) break;
        lineEnd++;
      }
    } else {
      lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd < 0) lineEnd = n;
    }
    const m = mayBeHeader(text, lineStart, lineEnd) ? matchRobustHeader(text, lineStart, lineEnd) : null;
    if (m) out.push(m);
    if (lineEnd >= n) break;
    lineStart = lineEnd + 1;
  }
  return out;
}

/** Cheap pre-check: the first non-blank character of the line is `#` or `*`. */
function mayBeHeader(text: string, lineStart: number, lineEnd: number): boolean {
  let i = lineStart;
  while (i < lineEnd) {
    const c = text.charCodeAt(i);
    if (c === 35 || c === 42) return true;
    if (!isHorizontalSpace(c)) return false;
    i++;
  }
  return false;
}

function isHorizontalSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 0xa0 || c === 0x3000;
}

function isWordCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
}

function matchRobustHeader(text: string, lineStart: number, lineEnd: number): HeaderMatch | null {
  let i = lineStart;
  while (i < lineEnd && isHorizontalSpace(text.charCodeAt(i))) i++;
  const start = i;
  let hashes = 0;
  while (i < lineEnd && text.charCodeAt(i) === 35 /* # */) {
    hashes++;
    i++;
    if (hashes > 4) return null;
  }
  while (i < lineEnd && isHorizontalSpace(text.charCodeAt(i))) i++;
  let bold = false;
  if (text.startsWith('**', i)) {
    bold = true;
    i += 2;
    while (i < lineEnd && isHorizontalSpace(text.charCodeAt(i))) i++;
  }
  if (hashes === 0 && !bold) return null;
  const head = text.slice(i, Math.min(lineEnd, i + LONGEST_NAME)).toLowerCase();
  for (const cand of ROBUST_NAMES) {
    if (!head.startsWith(cand.name)) continue;
    let j = i + cand.name.length;
    let step: number | undefined;
    let stepDigits: Span | undefined;
    if (cand.kind === 'step') {
      while (j < lineEnd && isHorizontalSpace(text.charCodeAt(j))) j++;
      const digits = readDecimalDigits(text, j, lineEnd);
      if (!digits) continue;
      step = digits.value;
      stepDigits = { start: j, end: digits.end };
      j = digits.end;
    } else if (j < lineEnd && isWordCode(text.charCodeAt(j))) {
      continue; // `### Descriptions`, `### Stepping`: not a header
    }
    const end = closeHeader(text, j, lineEnd, cand, bold);
    if (end < 0) continue;
    const match: HeaderMatch = { kind: cand.kind, start, end };
    if (step !== undefined) match.step = step;
    if (stepDigits) match.stepDigits = stepDigits;
    return match;
  }
  return null;
}

/** Consumes `[**] [:|.] [**]` after a header name; returns the header end or -1 if it is no header. */
function closeHeader(text: string, j: number, lineEnd: number, cand: HeaderName, bold: boolean): number {
  let k = j;
  if (bold && text.startsWith('**', k)) k += 2;
  while (k < lineEnd && isHorizontalSpace(text.charCodeAt(k))) k++;
  let colon = false;
  let headerEnd = bold ? k : j;
  const c = text.charCodeAt(k);
  if (c === 58 /* : */ || c === 0xff1a /* ： */ || (c === 46 /* . */ && cand.kind !== 'step')) {
    colon = c !== 46;
    k++;
    headerEnd = k;
    while (k < lineEnd && isHorizontalSpace(text.charCodeAt(k))) k++;
  }
  if (bold && text.startsWith('**', k)) {
    k += 2;
    headerEnd = k;
  }
  if (colon || cand.inlineWithoutColon) return headerEnd;
  while (k < lineEnd && isHorizontalSpace(text.charCodeAt(k))) k++;
  return k >= lineEnd ? headerEnd : -1;
}

// ---------------------------------------------------------------------------------------------
// r1vl mode: the literal strings of the released code.

export const R1VL_DESCRIPTION = '### Image Description:';
export const R1VL_RATIONALES = '### Rationales:';
export const R1VL_THINK = "### Let's think step by step";
export const R1VL_STEP_PREFIX = '### Step ';
export const R1VL_FINAL = '### The final answer is:';

/** `### Step (\d+):` at `i` (Python `\d`); returns the match or null. */
export function matchR1vlStepHeader(text: string, i: number): HeaderMatch | null {
  if (!text.startsWith(R1VL_STEP_PREFIX, i)) return null;
  const d0 = i + R1VL_STEP_PREFIX.length;
  const digits = readDecimalDigits(text, d0);
  if (!digits || text.charCodeAt(digits.end) !== 58) return null;
  return { kind: 'step', start: i, end: digits.end + 1, step: digits.value, stepDigits: { start: d0, end: digits.end } };
}

function findR1vlHeaders(text: string): HeaderMatch[] {
  const out: HeaderMatch[] = [];
  let i = text.indexOf('### ');
  while (i >= 0) {
    let m: HeaderMatch | null = matchR1vlStepHeader(text, i);
    if (!m) {
      if (text.startsWith(R1VL_DESCRIPTION, i)) m = { kind: 'description', start: i, end: i + R1VL_DESCRIPTION.length };
      else if (text.startsWith(R1VL_RATIONALES, i)) m = { kind: 'rationale', start: i, end: i + R1VL_RATIONALES.length };
      else if (text.startsWith(R1VL_FINAL, i)) m = { kind: 'answer', start: i, end: i + R1VL_FINAL.length };
      else if (text.startsWith(R1VL_THINK, i)) {
        let end = i + R1VL_THINK.length;
        if (text.charCodeAt(end) === 46 || text.charCodeAt(end) === 58) end++;
        m = { kind: 'think', start: i, end };
      }
    }
    if (m) out.push(m);
    i = text.indexOf('### ', m ? m.end : i + 1);
  }
  return out;
}
