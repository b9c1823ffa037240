// Where the answer is inside an answer text. Two readings:
// * an answer section (the final-answer paragraph of a chain, or a short reference answer): the
//   boxes, else what follows an answer lead or a copula ("… is $5$"), else the math;
// * a free-form prediction (a whole model output, as Math-Verify's suite passes it): the same,
//   and when the answer is only in prose, the last number of that prose.
// The chain reward uses the first reading only (DESIGN §5: never "the last number anywhere").
import { isSpaceCode } from '../chain-parser';
import { boxes, mathSpans, type Segment } from './latex-scan';

export interface LocateOptions {
  /** The text is a whole model output, not an answer section (see checkFreeFormAnswer). */
  freeForm?: boolean;
}

const ANSWER_LEADS = ['final answer is', 'the answer is', 'answer is', 'final answer:', 'answer:'];

/**
 * The answer inside a short answer text or a whole solution: whichever comes last of the last
 * group of boxes (boxes joined only by "and", commas, `\quad` or a `y_2 =` label form one list
 * answer) and the sentence after the last answer lead; with neither, the math of the text.
 */
export function answerCore(raw: string, opts: LocateOptions = {}): string {
  const freeForm = opts.freeForm ?? false;
  const bx = boxes(raw);
  const group = lastGroup(raw, bx);
  const lead = lastLead(raw);
  if (lead >= 0 && (group === null || lead > group.start)) {
    const found = regionAnswer(sentence(raw, lead), freeForm, true);
    if (found.length > 0) return found;
  }
  if (group) return group.content;
  if (freeForm) return freeFormAnswer(raw);
  return regionAnswer(raw, false, false);
}

/**
 * The answer in one sentence or paragraph. After a lead or a copula: the first math there (with
 * the segments joined to it by connectives), else the words. Otherwise: its only math, its last
 * math when the text is long, else the text itself.
 */
function regionAnswer(region: string, freeForm: boolean, afterLead: boolean): string {
  const copula = afterCopula(region, mathSpans(region));
  const tail = copula === null ? null : sentence(copula, 0);
  const r = tail ?? region;
  const segs = mathSpans(r).filter((m) => m.content.trim().length > 0);
  if (segs.length > 0) {
    if (tail !== null || afterLead) return firstGroup(r, segs).content;
    const last = lastGroup(r, segs)!;
    if (segs.length === 1 || r.length > 80 || last.start === segs[0]!.start) return last.content;
  }
  const text = stripPunctuation(r);
  // "… is 12 distinct sequences": a copula's value is the number that opens it
  const counted = tail !== null ? /^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\/\d+)?%?(?=\s+[A-Za-z]{2,})/.exec(text) : null;
  if (counted) return counted[0];
  if (freeForm && isProse(text)) return lastNumber(text, []) ?? text;
  // "Final Answer: Jane started growing Sphere 3 hours ago.": after a lead, the one number stated
  if (afterLead && isProse(text)) return onlyNumber(text) ?? text;
  return text;
}

/** The number of a prose sentence that has exactly one, else null. */
function onlyNumber(s: string): string | null {
  PROSE_NUMBER.lastIndex = 0;
  const first = PROSE_NUMBER.exec(s);
  if (!first) return null;
  return PROSE_NUMBER.exec(s) === null ? first[0] : null;
}

/** Free text with neither a box nor a lead: its last math segment or its last prose number, whichever is later. */
function freeFormAnswer(raw: string): string {
  const math = mathSpans(raw);
  const segs = math.filter((m) => m.content.trim().length > 0);
  const last = segs[segs.length - 1];
  const num = isProse(raw) ? lastNumberSpan(raw, math) : null;
  if (num && (!last || num.start >= last.end)) return num.content;
  if (last) return lastGroup(raw, segs)!.content;
  return stripPunctuation(raw);
}

/** The last run of segments separated only by connectives, joined as a list (duplicates once). */
function lastGroup(text: string, segs: Segment[]): Segment | null {
  if (segs.length === 0) return null;
  let i = segs.length - 1;
  while (i > 0 && isConnective(text.slice(segs[i - 1]!.end, segs[i]!.start))) i--;
  return joined(segs.slice(i));
}

/** The first segment and those joined to it by connectives. */
function firstGroup(text: string, segs: Segment[]): Segment {
  let i = 0;
  while (i + 1 < segs.length && isConnective(text.slice(segs[i]!.end, segs[i + 1]!.start))) i++;
  return joined(segs.slice(0, i + 1));
}

function joined(run: Segment[]): Segment {
  const parts: string[] = [];
  for (const s of run) {
    const c = s.content.trim();
    if (!parts.includes(c)) parts.push(c);
  }
  return { content: parts.join(', '), start: run[0]!.start, end: run[run.length - 1]!.end };
}

/**
 * Text that only joins two answers into one list: punctuation, spacing and math delimiters, or a
 * short phrase (no full stop) with a conjunction — `, `, `\quad \text{and} \quad`, ` papers and `,
 * `\) and \( y_2 = `. Two boxes with other prose between them are separate answers (the last counts).
 */
function isConnective(sep: string): boolean {
  if (sep.length > 48) return false;
  const t = sep
    .replace(/\\(?:text|mathrm|textbf)\s*\{([^{}]*)\}/g, ' $1 ')
    .replace(/\\(?:qquad|quad|[,;:! ()[\]])/g, ' ')
    .replace(/\$/g, ' ');
  if (/[.!?](?:\s|$)|\n\s*\n/.test(t)) return false;
  if (!/[A-Za-z]/.test(t)) return true;
  return /(?:^|[\s,;])(?:and|or)(?:$|[\s,;])/i.test(t) && t.trim().split(/\s+/).length <= 6;
}

/** Start of the text after the last answer lead, or -1. */
function lastLead(raw: string): number {
  const lower = raw.toLowerCase();
  let at = -1;
  for (const l of ANSWER_LEADS) {
    const k = lower.lastIndexOf(l);
    if (k >= 0 && k + l.length > at) at = k + l.length;
  }
  return at;
}

/**
 * The sentence starting at `from` (leading colons and blank lines skipped), ended by a line break
 * or a full stop outside math. Never cut at a length: two answers that differ only after a long
 * shared start must stay different (the scan is linear).
 */
function sentence(raw: string, from: number): string {
  let b = from;
  while (b < raw.length && (isSpaceCode(raw.charCodeAt(b)) || raw[b] === ':')) b++;
  const s = raw.slice(b);
  const math = mathSpans(s);
  let k = 0;
  for (let i = 0; i < s.length; i++) {
    while (k < math.length && math[k]!.end <= i) k++;
    const m = math[k];
    if (m && i >= m.start && i < m.end) {
      i = m.end - 1;
      continue;
    }
    const c = s[i]!;
    if (c === '\n') return s.slice(0, i);
    if ((c === '.' || c === '!' || c === '?') && (i + 1 === s.length || isSpaceCode(s.charCodeAt(i + 1)))) return s.slice(0, i);
  }
  return s;
}

const COPULA = /(?:^|\s)(?:is|are|equals|was|be)\s+/g;
const VALUE_START = /^(?:\$|\\\(|\\\[|\\boxed|[-+]?\.?\d|\()/;

/** What follows the last "is"/"are"/"equals" outside math when a value starts there, else null. */
function afterCopula(region: string, math: Segment[]): string | null {
  const masked = mask(region, math);
  let tail: number | null = null;
  COPULA.lastIndex = 0;
  for (let m = COPULA.exec(masked); m; m = COPULA.exec(masked)) {
    const at = m.index + m[0].length;
    if (VALUE_START.test(region.slice(at, at + 8))) tail = at;
  }
  return tail === null ? null : region.slice(tail);
}

/** The text with math segments blanked out (same length), so prose patterns skip math. */
function mask(s: string, math: Segment[]): string {
  if (math.length === 0) return s;
  const out: string[] = [];
  let from = 0;
  for (const m of math) {
    out.push(s.slice(from, m.start), ' '.repeat(m.end - m.start));
    from = m.end;
  }
  out.push(s.slice(from));
  return out.join('');
}

/** Words of running text (three letters or more, not a connective and not a function name before `(`). */
function isProse(s: string): boolean {
  return /(?:^|\s)(?!(?:and|or)\b)[A-Za-zÀ-ÿ]{3,}(?=[\s.,;:!?]|$)/.test(s);
}

// A number as prose writes it: thousands groups, a decimal point or comma, a fraction, a percent.
const PROSE_NUMBER = /(?<=^|[\s(:=$])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:[.,]\d+)?(?:\/\d+)?%?(?=$|[\s.,;:!?)€$£¥%A-Za-z²³])/g;

function lastNumberSpan(s: string, math: Segment[]): Segment | null {
  const masked = mask(s, math);
  let last: Segment | null = null;
  PROSE_NUMBER.lastIndex = 0;
  for (let m = PROSE_NUMBER.exec(masked); m; m = PROSE_NUMBER.exec(masked)) last = { content: m[0], start: m.index, end: m.index + m[0].length };
  return last;
}

function lastNumber(s: string, math: Segment[]): string | null {
  return lastNumberSpan(s, math)?.content ?? null;
}

function stripPunctuation(s: string): string {
  let e = s.length;
  while (e > 0 && (isSpaceCode(s.charCodeAt(e - 1)) || '.。,;:!'.includes(s[e - 1]!))) e--;
  let b = 0;
  while (b < e && (isSpaceCode(s.charCodeAt(b)) || s[b] === ':')) b++;
  return s.slice(b, e);
}
