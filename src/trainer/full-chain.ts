// The chain-mode control of evaluation: a policy that answers directly after the image
// description ("### The final answer is:") is forced onto the full chain by replacing that one
// header with "### Rationales:" and decoding on greedily. What greedy accuracy gains over this
// control is what training changed beyond picking the mode (issue 20).
import type { ChainCodec } from '../model/family';
import { HEADERS } from './data/solution-format';

/** Headers that may follow the description; the first one the policy writes decides the mode. */
const NEXT_HEADERS = [HEADERS.rationale, HEADERS.think, HEADERS.step(1), HEADERS.answer];

/** A header's ids on its own (completionIds ends with the end-of-sequence id). */
const headerIds = (codec: ChainCodec, header: string): number[] => codec.completionIds(header).slice(0, -1);

function indexOfRun(ids: readonly number[], run: readonly number[]): number {
  outer: for (let i = 0; i + run.length <= ids.length; i++) {
    for (let k = 0; k < run.length; k++) if (ids[i + k] !== run[k]) continue outer;
    return i;
  }
  return -1;
}

/**
 * For each greedy completion, the ids to force instead: everything before the first header after
 * the description, then the Rationales header. null where the chain already continues with
 * Rationales or writes no such header (it stays as decoded). Headers are found as their own id runs
 * (single tokens for the tiny tokenizer); a family that merges a header with its neighbours leaves
 * its chains as decoded.
 */
export function fullChainPrefixes(codec: ChainCodec, completions: readonly (readonly number[])[]): (number[] | null)[] {
  const next = NEXT_HEADERS.map((h) => headerIds(codec, h));
  const rationale = next[0]!;
  return completions.map((ids) => {
    const found = next.map((run) => indexOfRun(ids, run)).map((at, h) => ({ at, h }));
    const first = found.filter((x) => x.at >= 0).sort((a, b) => a.at - b.at)[0];
    if (!first || first.h === 0) return null;
    return [...ids.slice(0, first.at), ...rationale];
  });
}
