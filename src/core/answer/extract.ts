// Where the answer is: the final-answer section of a chain (robust), the first non-blank line after
// the first `### The final answer is:` (r1vl, as the released regex reads it). Inside an answer
// text, see locate.ts.
import type { ParsedChain } from '../chain-types';
import type { RewardMode } from '../reward-types';
import { trimSpan } from '../chain-parser';
import { r1vlAnswerLine } from './r1vl/accuracy';
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
    const line = r1vlAnswerLine(text);
    return line.header ? { text: line.text, start: line.start, end: line.end } : null;
  }
  const section = chain.sections.find((s) => s.kind === 'answer');
  if (!section || section.body.end === section.body.start) return null;
  // The first paragraph, unless the section boxes its answer further down ("solutions are:" then a
  // display with \boxed{}): a box is an explicit answer mark, so the whole section is read.
  const paragraphEnd = answerParagraphEnd(text, section.body.start, section.body.end);
  const boxedLater = paragraphEnd < section.body.end && hasBox(text, paragraphEnd, section.body.end);
  const span = trimSpan(text, section.body.start, boxedLater ? section.body.end : paragraphEnd);
  return { text: text.slice(span.start, span.end), start: span.start, end: span.end };
}

function hasBox(text: string, from: number, to: number): boolean {
  const b = text.indexOf('\\boxed', from);
  const f = text.indexOf('\\fbox', from);
  return (b >= 0 && b < to) || (f >= 0 && f < to);
}

/** The gold answer of a reference (robust mode): `answer` as given, else the final answer of `solution` (or the solution itself). */
export function referenceAnswer(reference: { answer?: string; solution?: string }, parse: (t: string) => ParsedChain): string | null {
  if (typeof reference.answer === 'string') return reference.answer.trim();
  if (typeof reference.solution !== 'string') return null;
  const found = extractChainAnswer(parse(reference.solution), 'robust');
  return found ? found.text : reference.solution.trim();
}

export { braceGroup, boxedContents, mathSegments } from './latex-scan';
export { answerCore } from './locate';
