// The loose fields people write (front matter, a comment block, a rollout record): which one holds
// the chain, and the reward engine's RewardReference read from the others, with each problem named
// by the field it came from. Shared by the annotations and the importers.
import { parseKeySteps } from './key-steps';
import type { RewardReference } from './reward-types';

/** Fields that hold the sampled chain, in the order they are tried (TRL, OpenRLHF, verl, ours). */
export const CHAIN_FIELDS = ['completion', 'output', 'response', 'text', 'chain'] as const;

export interface FieldProblem {
  /** The field as the user wrote it, e.g. `key_steps`. */
  field: string;
  message: string;
}

export interface ReadReference {
  reference: RewardReference;
  problems: FieldProblem[];
}

const ANSWER_FIELDS = ['answer', 'ground_truth', 'gold'] as const;
const SOLUTION_FIELDS = ['solution'] as const;
const KEY_STEP_FIELDS = ['key_steps', 'keySteps', 'keysteps'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstPresent(record: Record<string, unknown>, names: readonly string[]): [string, unknown] | undefined {
  for (const name of names) if (record[name] !== undefined && record[name] !== null) return [name, record[name]];
  return undefined;
}

/**
 * Reads answer / solution / key steps from a mapping. A nested `reference` object (the trainer's
 * rollout events) is read too; top-level fields win.
 */
export function readReferenceFields(source: Record<string, unknown>, where: string): ReadReference {
  const problems: FieldProblem[] = [];
  const reference: RewardReference = {};
  const scopes: Record<string, unknown>[] = [source];
  if (isRecord(source['reference'])) scopes.push(source['reference']);

  const pick = (names: readonly string[]) => {
    for (const scope of scopes) {
      const hit = firstPresent(scope, names);
      if (hit) return { name: scope === source ? hit[0] : `reference.${hit[0]}`, value: hit[1] };
    }
    return undefined;
  };

  const answer = pick(ANSWER_FIELDS);
  if (answer) {
    if (typeof answer.value === 'string' || typeof answer.value === 'number') reference.answer = String(answer.value);
    else problems.push({ field: answer.name, message: `${where} field \`${answer.name}\` must be a string or a number, not ${describe(answer.value)}.` });
  }
  const solution = pick(SOLUTION_FIELDS);
  if (solution) {
    if (typeof solution.value === 'string') reference.solution = solution.value;
    else problems.push({ field: solution.name, message: `${where} field \`${solution.name}\` must be a string, not ${describe(solution.value)}.` });
  }
  const keySteps = pick(KEY_STEP_FIELDS);
  if (keySteps) {
    try {
      reference.keySteps = parseKeySteps(keySteps.value, `${where} field \`${keySteps.name}\``);
    } catch (err) {
      problems.push({ field: keySteps.name, message: err instanceof Error ? err.message : String(err) });
    }
  }
  return { reference, problems };
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}

export function hasReference(reference: RewardReference): { answer: boolean; keySteps: boolean } {
  return { answer: reference.answer !== undefined || reference.solution !== undefined, keySteps: reference.keySteps !== undefined };
}
