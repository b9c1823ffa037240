// StepRVR, the step-wise reasoning validity reward (DESIGN §5): r_val = 1 when the chain is
// complete and logical, else 0, with one violation per problem found.
import type { ChainSection, ParsedChain, SectionKind } from './chain-types';
import type { RewardMode, Violation, ViolationCode } from './reward-types';
import { R1VL_DESCRIPTION, R1VL_FINAL, R1VL_RATIONALES, isSpaceCode, matchR1vlStepHeader, trimSpan } from './chain-parser';

export interface ValidityResult {
  r_val: 0 | 1;
  violations: Violation[];
}

export function checkValidity(chain: ParsedChain, mode: RewardMode): ValidityResult {
  const violations = mode === 'r1vl' ? r1vlViolations(chain.text) : robustViolations(chain);
  return { r_val: violations.length === 0 ? 1 : 0, violations };
}

const violation = (code: ViolationCode, message: string, start: number, end: number): Violation => ({ code, message, start, end });

// ---------------------------------------------------------------------------------------------
// r1vl: the released code's completeness and logic checks, literally.

interface R1vlStep {
  start: number;
  end: number;
  digitsStart: number;
  digitsEnd: number;
  value: number;
}

/** All non-overlapping matches of `### Step (\d+):`, left to right (Python `re.finditer`). */
export function r1vlStepHeaders(text: string): R1vlStep[] {
  const out: R1vlStep[] = [];
  let i = text.indexOf('### Step ');
  while (i >= 0) {
    const m = matchR1vlStepHeader(text, i);
    if (m) out.push({ start: m.start, end: m.end, digitsStart: m.stepDigits!.start, digitsEnd: m.stepDigits!.end, value: m.step! });
    i = text.indexOf('### Step ', m ? m.end : i + 1);
  }
  return out;
}

function r1vlViolations(text: string): Violation[] {
  const out: Violation[] = [];
  const whole = trimSpan(text, 0, text.length);
  for (const literal of [R1VL_DESCRIPTION, R1VL_RATIONALES, '### Step 1:', R1VL_FINAL]) {
    if (!text.includes(literal)) {
      out.push(violation('MISSING_SECTION', `The text does not contain the literal header "${literal}" (r1vl mode is case- and space-sensitive).`, whole.start, whole.start));
    }
  }
  const steps = r1vlStepHeaders(text);
  const finalAt = text.indexOf(R1VL_FINAL);
  // (no slice: the text may be megabytes)
  const endsWithFinal = whole.end - R1VL_FINAL.length >= whole.start && text.startsWith(R1VL_FINAL, whole.end - R1VL_FINAL.length);
  if (!endsWithFinal && finalAt >= 0) {
    const last = steps[steps.length - 1];
    if (!last) {
      out.push(
        violation(
          'R1VL_EXCEPTION',
          'The released R1-VL code raises an exception on this chain (a final answer but no "### Step N:" header); scored invalid.',
          finalAt,
          finalAt + R1VL_FINAL.length,
        ),
      );
      return out;
    }
    if (finalAt < last.end) {
      out.push(violation('ORDER', `"${R1VL_FINAL}" first appears before the last step header ("### Step ${last.value}:").`, finalAt, finalAt + R1VL_FINAL.length));
    }
  }
  if (steps.length === 0) return out; // "### Step 1:" is missing: reported above
  for (let k = 0; k < steps.length; k++) {
    const s = steps[k]!;
    if (s.value === k + 1) continue;
    const code: ViolationCode = k === 0 ? 'STEP_START' : steps.slice(0, k).some((p) => p.value === s.value) ? 'STEP_DUPLICATE' : 'STEP_GAP';
    out.push(violation(code, `Step headers must be numbered 1, 2, …, n in order: header ${k + 1} is "Step ${s.value}", expected "Step ${k + 1}".`, s.digitsStart, s.digitsEnd));
    break; // the released code compares the whole list once; one mismatch makes it invalid
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// robust

const RANK: Record<SectionKind, number> = { description: 0, rationale: 1, think: 2, step: 3, answer: 4 };
const LABEL: Record<SectionKind, string> = {
  description: 'Image Description',
  rationale: 'Rationales',
  think: "Let's think step by step",
  step: 'Step',
  answer: 'Final answer',
};
const REQUIRED: SectionKind[] = ['description', 'rationale', 'step', 'answer'];

function sectionName(s: ChainSection): string {
  return s.kind === 'step' ? `Step ${s.step}` : LABEL[s.kind];
}

function robustViolations(chain: ParsedChain): Violation[] {
  const { text, sections } = chain;
  const out: Violation[] = [];

  for (const kind of REQUIRED) {
    if (sections.some((s) => s.kind === kind)) continue;
    const at = insertionPoint(chain, kind);
    const what = kind === 'step' ? 'step (### Step 1: …)' : `"${LABEL[kind]}" section`;
    out.push(violation('MISSING_SECTION', `The chain has no ${what}; expected order: Image Description, Rationales, Step 1..n, Final answer.`, at, at));
  }

  for (const s of sections) {
    if (s.kind !== 'think' && s.body.end === s.body.start) {
      out.push(violation('EMPTY_SECTION', `"${sectionName(s)}" has a header but no content.`, s.header.start, s.header.end));
    }
  }

  // Order of sections; anything after the first final answer is reported as ANSWER_NOT_LAST.
  let maxRank = -1;
  let maxSection: ChainSection | null = null;
  let firstAnswer: ChainSection | null = null;
  for (const s of sections) {
    if (s.kind === 'answer') {
      if (firstAnswer) out.push(violation('MULTIPLE_ANSWERS', 'A second final answer: a chain must give exactly one.', s.header.start, s.header.end));
      else firstAnswer = s;
      continue;
    }
    if (firstAnswer) {
      out.push(
        violation(
          'ANSWER_NOT_LAST',
          `"${sectionName(s)}" comes after the final answer; the final answer must be the last section.`,
          firstAnswer.header.start,
          firstAnswer.header.end,
        ),
      );
      continue;
    }
    const rank = RANK[s.kind];
    if (rank < maxRank && maxSection) {
      out.push(
        violation(
          'ORDER',
          `"${sectionName(s)}" comes after "${sectionName(maxSection)}"; expected order: Image Description, Rationales, Steps, Final answer.`,
          s.header.start,
          s.header.end,
        ),
      );
    } else if (rank > maxRank) {
      maxRank = rank;
      maxSection = s;
    }
  }

  // Step numbering: 1..n, no gap, no duplicate.
  const seen = new Set<number>();
  let expected = 1;
  for (const s of sections) {
    if (s.kind !== 'step') continue;
    const n = s.step!;
    const digits = s.stepDigits ?? s.header;
    if (seen.size === 0 && n !== 1) {
      out.push(violation('STEP_START', `Steps must start at 1; the first step is numbered ${n}.`, digits.start, digits.end));
    } else if (seen.has(n)) {
      out.push(violation('STEP_DUPLICATE', `Step ${n} appears twice.`, digits.start, digits.end));
    } else if (seen.size > 0 && n !== expected) {
      out.push(violation('STEP_GAP', `Expected Step ${expected} here, found Step ${n}.`, digits.start, digits.end));
    }
    seen.add(n);
    expected = Math.max(expected, n + 1);
  }

  // Nothing but the answer after the final-answer header: a blank line ends the answer.
  if (firstAnswer && out.every((v) => v.code !== 'ANSWER_NOT_LAST' && v.code !== 'MULTIPLE_ANSWERS')) {
    const trailing = trailingAfterAnswer(text, firstAnswer);
    if (trailing) out.push(violation('TRAILING_CONTENT', 'Text follows the final answer; nothing but the answer may come after its header.', trailing.start, trailing.end));
  }
  return out;
}

/** Where a missing section would go: after the last section that must precede it, else before the first that follows. */
function insertionPoint(chain: ParsedChain, kind: SectionKind): number {
  const rank = RANK[kind];
  let at = -1;
  for (const s of chain.sections) {
    if (RANK[s.kind] < rank) at = s.body.end > s.header.end ? s.body.end : s.header.end;
  }
  if (at >= 0) return at;
  const next = chain.sections.find((s) => RANK[s.kind] > rank);
  return next ? next.header.start : trimSpan(chain.text, 0, chain.text.length).end;
}

/**
 * The answer is the first paragraph of the final-answer section; returns the span of whatever
 * follows it after a blank line (trimmed), or null.
 */
export function trailingAfterAnswer(text: string, answer: ChainSection): { start: number; end: number } | null {
  const para = answerParagraphEnd(text, answer.body.start, answer.body.end);
  if (para >= answer.body.end) return null;
  const rest = trimSpan(text, para, answer.body.end);
  return rest.end > rest.start ? rest : null;
}

/** End of the first paragraph in [start, end): the first line break followed by a blank line. */
export function answerParagraphEnd(text: string, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      const lineEnd = i;
      const j = i + (c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1);
      // blank line: only whitespace up to the next break
      let k = j;
      while (k < end && isSpaceCode(text.charCodeAt(k)) && text.charCodeAt(k) !== 10 && text.charCodeAt(k) !== 13) k++;
      if (k < end && (text.charCodeAt(k) === 10 || text.charCodeAt(k) === 13)) return lineEnd;
      i = j;
      continue;
    }
    i++;
  }
  return end;
}
