// Chain records as other tools write them, for Import Rollouts' tests: `stepgrpo score` input
// ({completion, answer, key_steps}), its output (+ rewards), verl dumps ({output, gts}) and
// records with a prompt or question.
import { scoreChain } from '../../src/core/reward';
import { CHAIN_KINDS, fixtureChain, fixtureRollouts, problemOf, referenceOf, type ChainKind } from './rollout-fixtures';

export type ImportRecord = Record<string, unknown>;

export const promptOf = (i: number): string => {
  const p = problemOf(i);
  return `A basket holds ${p.a} apples and ${p.b} are green. How many are not green?`;
};

/** A `stepgrpo score` input record for problem `i`, with a prompt unless `prompt: undefined` is given. */
export function chainRecord(i: number, kind: ChainKind, extra: ImportRecord = {}): ImportRecord {
  const ref = referenceOf(problemOf(i));
  const record: ImportRecord = { prompt: promptOf(i), completion: fixtureChain(kind, problemOf(i)), answer: ref.answer, key_steps: ref.keySteps, ...extra };
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete record[k];
  return record;
}

/** The same record as `stepgrpo score` writes it back: with its `rewards`. */
export function scoredRecord(i: number, kind: ChainKind, extra: ImportRecord = {}): ImportRecord {
  const r = chainRecord(i, kind, extra);
  return { ...r, rewards: scoreChain(r.completion as string, { answer: r.answer as string, keySteps: referenceOf(problemOf(i)).keySteps }, 'stepgrpo') };
}

/** A verl dump record: `{output, gts}`, no prompt. */
export function verlRecord(i: number, kind: ChainKind): ImportRecord {
  const ref = referenceOf(problemOf(i));
  return { output: fixtureChain(kind, problemOf(i)), gts: { answer: ref.answer, key_steps: ref.keySteps } };
}

/** One group of G = 4 records per problem, one record per chain kind. */
export function promptGroups(problems: readonly number[], kinds: readonly ChainKind[] = CHAIN_KINDS): ImportRecord[] {
  return problems.flatMap((i) => kinds.map((k) => chainRecord(i, k)));
}

export const jsonl = (lines: readonly (ImportRecord | string)[]): string => lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';

export { fixtureRollouts };
