// Where the answer is: the final-answer section of a chain (robust), the first line after the
// first `### The final answer is:` (r1vl), and inside an answer, the `\boxed{}` / `$…$` content.
import type { ParsedChain } from '../chain-types';
import type { RewardMode } from '../reward-types';
import { R1VL_FINAL, isSpaceCode, trimSpan } from '../chain-parser';
import { answerParagraphEnd } from '../step-rvr';

export interface ExtractedAnswer {
  text: string;
  start: number;
  end: number;
}

/** The raw answer of a chain, or null when it has none. */
export function extractChainAnswer(chain: ParsedChain, mode: RewardMode): ExtractedAnswer | null {
  const { text } = chain;
  if (mode === 'r1vl') {
    const at = text.indexOf(R1VL_FINAL);
    if (at < 0) return null;
    const from = at + R1VL_FINAL.length;
    let lineEnd = text.indexOf('\n', from);
    if (lineEnd < 0) lineEnd = text.length;
    const span = trimSpan(text, from, lineEnd);
    return { text: text.slice(span.start, span.end), start: span.start, end: span.end };
  }
  const section = chain.sections.find((s) => s.kind === 'answer');
  if (!section || section.body.end === section.body.start) return null;
  const span = trimSpan(text, section.body.start, answerParagraphEnd(text, section.body.start, section.body.end));
  return { text: text.slice(span.start, span.end), start: span.start, end: span.end };
}

/** The gold answer of a reference: `answer` as given, else the final answer of `solution` (or the solution itself). */
export function referenceAnswer(reference: { answer?: string; solution?: string }, parse: (t: string) => ParsedChain, mode: RewardMode): string | null {
  if (typeof reference.answer === 'string') {
    if (mode !== 'r1vl') return reference.answer.trim();
    const line = reference.answer.split('\n')[0] ?? '';
    return line.trim();
  }
  if (typeof reference.solution !== 'string') return null;
  const found = extractChainAnswer(parse(reference.solution), mode);
  if (found) return found.text;
  return mode === 'r1vl' ? null : reference.solution.trim();
}

/** Content of the `{…}` group opening at `open` (balanced), or null. Linear, escape-aware. */
export function braceGroup(s: string, open: number): { content: string; end: number } | null {
  if (s.charCodeAt(open) !== 123) return null;
  let level = 0;
  for (let k = open; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 92) {
      k++;
      continue;
    }
    if (c === 123) level++;
    else if (c === 125 && --level === 0) return { content: s.slice(open + 1, k), end: k + 1 };
  }
  return null;
}

/** Contents of every `\boxed{…}` / `\fbox{…}` in `s`, in order. */
export function boxedContents(s: string): string[] {
  const out: string[] = [];
  let i = s.indexOf('\\boxed');
  let guard = 0;
  while (i >= 0 && guard++ < 64) {
    let j = i + 6;
    while (j < s.length && s.charCodeAt(j) === 32) j++;
    const g = braceGroup(s, j);
    if (g) {
      out.push(g.content);
      i = s.indexOf('\\boxed', g.end);
    } else {
      i = s.indexOf('\\boxed', i + 6);
    }
  }
  return out;
}

/** Math segments `$…$`, `$$…$$`, `\(…\)`, `\[…\]` of free text, in order (linear scan). */
export function mathSegments(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length && out.length < 256) {
    const c = s.charCodeAt(i);
    if (c === 92 /* \ */ && (s[i + 1] === '(' || s[i + 1] === '[')) {
      const close = s[i + 1] === '(' ? '\\)' : '\\]';
      const end = s.indexOf(close, i + 2);
      if (end < 0) break;
      out.push(s.slice(i + 2, end));
      i = end + 2;
      continue;
    }
    if (c === 92) {
      i += 2;
      continue;
    }
    if (c === 36 /* $ */) {
      const dbl = s.charCodeAt(i + 1) === 36;
      const open = dbl ? 2 : 1;
      let end = i + open;
      while (end < s.length) {
        if (s.charCodeAt(end) === 92) {
          end += 2;
          continue;
        }
        if (s.charCodeAt(end) === 36) break;
        end++;
      }
      if (end >= s.length) break;
      out.push(s.slice(i + open, end));
      i = end + (dbl && s.charCodeAt(end + 1) === 36 ? 2 : 1);
      continue;
    }
    i++;
  }
  return out;
}

const ANSWER_LEADS = ['final answer is', 'the answer is', 'answer is', 'final answer:', 'answer:'];

/**
 * The answer inside a short answer text or a whole free-text solution: the `\boxed{}` contents
 * (several boxes are a list), else what follows the last "answer is", else the last math segment,
 * else the text itself.
 */
export function answerCore(raw: string): string {
  const boxed = boxedContents(raw);
  if (boxed.length > 0) return boxed.join(', ');
  const lower = raw.toLowerCase();
  let lead = -1;
  let leadLen = 0;
  for (const l of ANSWER_LEADS) {
    const at = lower.lastIndexOf(l);
    if (at > lead) {
      lead = at;
      leadLen = l.length;
    }
  }
  let s = raw;
  if (lead >= 0) {
    s = raw.slice(lead + leadLen);
    const nl = s.indexOf('\n', 1);
    if (nl > 0) s = s.slice(0, nl);
  }
  const segs = mathSegments(s);
  if (segs.length > 0 && (lead >= 0 || s.length > 80 || segs.length === 1)) {
    const withContent = segs.filter((x) => x.trim().length > 0);
    if (withContent.length > 0) return withContent[withContent.length - 1]!;
  }
  return stripPunctuation(s);
}

function stripPunctuation(s: string): string {
  let e = s.length;
  while (e > 0 && (isSpaceCode(s.charCodeAt(e - 1)) || '.。,;:!'.includes(s[e - 1]!))) e--;
  let b = 0;
  while (b < e && (isSpaceCode(s.charCodeAt(b)) || s[b] === ':')) b++;
  return s.slice(b, e);
}
