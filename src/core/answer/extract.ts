// Where the answer is: the final-answer section of a chain (robust), the first line after the
// first `### The final answer is:` (r1vl). Inside an answer text, see locate.ts.
import type { ParsedChain } from '../chain-types';
import type { RewardMode } from '../reward-types';
import { R1VL_FINAL, trimSpan } from '../chain-parser';
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

export { braceGroup, boxedContents, mathSegments } from './latex-scan';
export { answerCore } from './locate';
