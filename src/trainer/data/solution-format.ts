// Writes reference chains in the exact section format of R1-VL (the headers its StepRVR checks).
export const HEADERS = {
  description: '### Image Description:',
  rationale: '### Rationales:',
  think: "### Let's think step by step.",
  step: (n: number) => `### Step ${n}:`,
  answer: '### The final answer is:',
} as const;

export interface Reasoning {
  /** What the image shows, e.g. "The image shows 3 red circles and 1 blue square." */
  description: string;
  rationale: string;
  steps: string[];
  answer: string;
}

export function formatSolution(r: Reasoning): string {
  if (r.steps.length === 0) throw new RangeError('a reference solution needs at least one step');
  const lines = [HEADERS.description, r.description, HEADERS.rationale, r.rationale, HEADERS.think];
  r.steps.forEach((s, i) => lines.push(HEADERS.step(i + 1), s));
  lines.push(`${HEADERS.answer} ${r.answer}`);
  return lines.join('\n');
}

/** A chain that skips the reasoning: description, then the final answer (StepRVR finds it incomplete). */
export function formatDirectAnswer(r: Pick<Reasoning, 'description' | 'answer'>): string {
  return [HEADERS.description, r.description, `${HEADERS.answer} ${r.answer}`].join('\n');
}

/** The text after the first final-answer header, first line only, trimmed (as R1-VL reads the gold answer). */
export function finalAnswerOf(solution: string): string | null {
  const at = solution.indexOf(HEADERS.answer);
  if (at < 0) return null;
  const rest = solution.slice(at + HEADERS.answer.length).replace(/^\s*\n?/, '');
  return rest.split('\n', 1)[0]!.trim();
}
