// Reads one input record of `stepgrpo score` into (completion, reference), naming the bad field.
import { KeyStepFormatError, parseKeySteps } from '../../core/key-steps';
import type { RewardReference } from '../../core/reward-types';

export class RecordError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

export interface ScoreInput {
  completion: string;
  reference: RewardReference;
}

const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function optionalString(obj: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new RecordError(`${where}${key}: expected a string, got ${kind(v)}`, `${where}${key}`);
  return v;
}

/**
 * `{completion, solution?, answer?, key_steps?}` or a verl dump `{output, gts}` where `gts` is the
 * gold answer string or an object with the same optional fields.
 */
export function readScoreInput(record: unknown): ScoreInput {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new RecordError(`expected a JSON object, got ${kind(record)}`, '(record)');
  }
  const obj = record as Record<string, unknown>;
  const textKey = 'completion' in obj ? 'completion' : 'output' in obj ? 'output' : null;
  if (!textKey) throw new RecordError('missing field "completion" (or "output" as in verl dumps)', 'completion');
  const completion = obj[textKey];
  if (typeof completion !== 'string') throw new RecordError(`${textKey}: expected a string, got ${kind(completion)}`, textKey);

  let source = obj;
  let where = '';
  if (textKey === 'output' && 'gts' in obj) {
    const gts = obj.gts;
    if (typeof gts === 'string') return { completion, reference: { answer: gts, ...keySteps(obj, '') } };
    if (typeof gts !== 'object' || gts === null || Array.isArray(gts)) throw new RecordError(`gts: expected a string or an object, got ${kind(gts)}`, 'gts');
    source = gts as Record<string, unknown>;
    where = 'gts.';
  }
  const reference: RewardReference = {};
  const answer = optionalString(source, 'answer', where) ?? optionalString(source, 'ground_truth', where);
  const solution = optionalString(source, 'solution', where);
  if (answer !== undefined) reference.answer = answer;
  if (solution !== undefined) reference.solution = solution;
  Object.assign(reference, keySteps(source, where));
  if (where && !('key_steps' in source)) Object.assign(reference, keySteps(obj, ''));
  return { completion, reference };
}

function keySteps(source: Record<string, unknown>, where: string): Pick<RewardReference, 'keySteps'> {
  if (!('key_steps' in source)) return {};
  try {
    return { keySteps: parseKeySteps(source.key_steps, `${where}key_steps`) };
  } catch (err) {
    if (err instanceof KeyStepFormatError) throw new RecordError(err.message, err.field);
    throw err;
  }
}
