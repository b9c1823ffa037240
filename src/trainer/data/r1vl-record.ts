// One record of a dataset in the R1-VL-10K layout, checked field by field. Field names follow the
// released R1-VL GRPO script (`image_path`, `problem`, `solution`, `key_steps` with `Steps`), with the
// common aliases `image`/`images` and `question`/`prompt` accepted as well.
import type { KeyStepGroup } from '../../core/reward-types';
import type { Issue } from '../../protocol/schema';
import { finalAnswerOf } from './solution-format';

export interface R1vlRecord {
  /** As written in the file (resolved against the image root by the loader), or null for text-only records. */
  imagePath: string | null;
  problem: string;
  solution: string;
  answer: string;
  keySteps: KeyStepGroup[];
  /** The record's own `id`, if it has one (kept as metadata; promptIds are content-derived). */
  id?: string;
}

export const IMAGE_FIELDS = ['image_path', 'image', 'images'] as const;
export const PROBLEM_FIELDS = ['problem', 'question', 'prompt'] as const;

const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`.slice(0, 60);

function firstField(rec: Record<string, unknown>, names: readonly string[]): [string, unknown] | null {
  for (const n of names) if (rec[n] !== undefined) return [n, rec[n]];
  return null;
}

function readImage(rec: Record<string, unknown>, errors: Issue[]): string | null {
  const found = firstField(rec, IMAGE_FIELDS);
  if (!found || found[1] === null) return null;
  const [field, v] = found;
  const paths = Array.isArray(v) ? v : [v];
  if (paths.length > 1) errors.push({ path: field, message: `has ${paths.length} images; one image per record is supported` });
  else if (paths.length === 0) return null;
  else if (typeof paths[0] !== 'string' || paths[0].trim() === '') errors.push({ path: field, message: `expected an image path, got ${describe(paths[0])}` });
  else return paths[0];
  return null;
}

/** `key_steps` as R1-VL-10K writes it ({"Steps": [...]}), a bare list, or either one serialised as a JSON string. */
export function readKeySteps(v: unknown, errors: Issue[]): KeyStepGroup[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      errors.push({ path: 'key_steps', message: 'is a string that is not JSON; expected {"Steps": [...]}' });
      return [];
    }
  }
  let field = 'key_steps';
  let steps = v;
  if (!Array.isArray(v)) {
    if (typeof v !== 'object' || v === null) {
      errors.push({ path: field, message: `expected {"Steps": [...]}, got ${describe(v)}` });
      return [];
    }
    field = 'key_steps.Steps';
    steps = (v as Record<string, unknown>).Steps;
    // As in the released code (`key_step.get("Steps", [])`): no Steps means no key steps.
    if (steps === undefined) return [];
  }
  if (!Array.isArray(steps)) {
    errors.push({ path: field, message: `must be a list, got ${describe(steps)}` });
    return [];
  }
  const groups: KeyStepGroup[] = [];
  steps.forEach((g, i) => {
    if (typeof g === 'string') groups.push(g);
    else if (Array.isArray(g)) {
      const bad = g.findIndex((alt) => typeof alt !== 'string');
      if (bad >= 0) errors.push({ path: `${field}[${i}][${bad}]`, message: `alternative must be a string, got ${describe(g[bad])}` });
      else groups.push(g as string[]);
    } else errors.push({ path: `${field}[${i}]`, message: `must be a string or a list of strings, got ${describe(g)}` });
  });
  return groups;
}

export function readR1vlRecord(value: unknown): { record: R1vlRecord | null; errors: Issue[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { record: null, errors: [{ path: '(record)', message: `expected a JSON object, got ${describe(value)}` }] };
  }
  const rec = value as Record<string, unknown>;
  const errors: Issue[] = [];
  const imagePath = readImage(rec, errors);

  const problemField = firstField(rec, PROBLEM_FIELDS);
  let problem = '';
  if (!problemField) errors.push({ path: 'problem', message: `missing (looked for ${PROBLEM_FIELDS.join(', ')})` });
  else if (typeof problemField[1] !== 'string' || problemField[1].trim() === '') {
    errors.push({ path: problemField[0], message: `expected a non-empty string, got ${describe(problemField[1])}` });
  } else problem = problemField[1];

  let solution = '';
  if (rec.solution === undefined) errors.push({ path: 'solution', message: 'missing' });
  else if (typeof rec.solution !== 'string' || rec.solution.trim() === '') errors.push({ path: 'solution', message: `expected a non-empty string, got ${describe(rec.solution)}` });
  else solution = rec.solution;

  // The gold answer as R1-VL reads it: after the final-answer header, or the whole solution when it has none.
  let answer = '';
  if (rec.answer !== undefined) {
    if (typeof rec.answer === 'string' || typeof rec.answer === 'number') answer = String(rec.answer).trim();
    if (answer === '') errors.push({ path: 'answer', message: `expected a non-empty string or number, got ${describe(rec.answer)}` });
  } else if (solution !== '') {
    answer = finalAnswerOf(solution) ?? solution.trim();
    if (answer === '') errors.push({ path: 'solution', message: 'the final-answer section is empty' });
  }

  const keySteps = readKeySteps(rec.key_steps, errors);
  if (errors.length > 0) return { record: null, errors };
  const out: R1vlRecord = { imagePath, problem, solution, answer, keySteps };
  if (typeof rec.id === 'string' || typeof rec.id === 'number') out.id = String(rec.id);
  return { record: out, errors };
}
