// The answer decision of the released R1-VL `accuracy_reward` (grpo.py), with Math-Verify 0.8.0:
// 1. `verify(parse(completion), parse(solution))`: the completion's values in the *gold* position;
// 2. if that is not a match, an exact string match of the first non-blank line after the first
//    `### The final answer is:` of each text (its regex `### The final answer is:\s*\n?(.*)`: the
//    `\s*` runs over blank lines), or of the whole stripped text when the header is absent.
import { mvParse } from './mv-parse';
import { isPySpace, mvVerify, pyStrip } from './mv-verify';

const HEADER = '### The final answer is:';

export type R1vlAnswerPath = 'math-verify' | 'string' | 'none';

export interface R1vlAnswerVerdict {
  correct: boolean;
  path: R1vlAnswerPath;
}

export function r1vlAnswer(completion: string, solution: string): R1vlAnswerVerdict {
  if (mvVerify(mvParse(completion), mvParse(solution))) return { correct: true, path: 'math-verify' };
  if (r1vlAnswerLine(completion).text === r1vlAnswerLine(solution).text) return { correct: true, path: 'string' };
  return { correct: false, path: 'none' };
}

/** The text the string fallback compares, with its span: the regex group, stripped (or the stripped text). */
export function r1vlAnswerLine(text: string): { text: string; start: number; end: number; header: boolean } {
  const at = text.indexOf(HEADER);
  if (at < 0) {
    const t = pyStrip(text);
    const start = t.length === 0 ? 0 : text.indexOf(t);
    return { text: t, start, end: start + t.length, header: false };
  }
  let b = at + HEADER.length;
  while (b < text.length && isPySpace(text[b]!)) b++;
  let e = text.indexOf('\n', b);
  if (e < 0) e = text.length;
  while (e > b && isPySpace(text[e - 1]!)) e--;
  return { text: text.slice(b, e), start: b, end: e, header: true };
}
