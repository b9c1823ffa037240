// Dense step-level credit (DESIGN §6, `advantage: "step"`, beyond the paper): each matched key step's
// share of the reward, α·w_acc / K, scaled like the group's advantages, is added to the tokens of
// the step section that earned it, on top of the sequence-level advantage.
import { parseChain } from '../core/chain-parser';
import type { RewardBreakdown, RewardConfig } from '../core/reward-types';
import type { Tokenizer } from '../model/tokenizer';

/** Start offset of every token in `tok.decode(ids)`, plus the end: offsets.length === ids.length + 1. */
export function tokenCharOffsets(tok: Tokenizer, ids: readonly number[]): number[] {
  const offsets = [0];
  for (let k = 1; k <= ids.length; k++) offsets.push(tok.decode(ids.slice(0, k)).length);
  return offsets;
}

/** Character ranges that earn credit: the step section (header + body) holding each key-step match. */
export function creditedRanges(text: string, rewards: RewardBreakdown): [number, number][] {
  const steps = parseChain(text, rewards.mode).sections.filter((s) => s.kind === 'step');
  const ranges: [number, number][] = [];
  for (const k of rewards.key_steps) {
    const first = k.matched ? k.spans[0] : undefined;
    if (!first) continue;
    const step = steps.find((s) => first[0] >= s.header.start && first[0] < Math.max(s.body.end, s.header.end));
    ranges.push(step ? [step.header.start, step.body.end] : first);
  }
  return ranges;
}

/**
 * Per-completion-token advantages: the sequence advantage plus, for every matched key step, its
 * reward share divided by the scale the group's advantages were divided by.
 */
export function stepCreditAdvantages(
  tok: Tokenizer,
  completion: readonly number[],
  text: string,
  rewards: RewardBreakdown,
  sequenceAdvantage: number,
  scale: number,
  reward: RewardConfig,
): number[] {
  const out = new Array<number>(completion.length).fill(sequenceAdvantage);
  const K = rewards.key_steps.length;
  if (K === 0) return out;
  const credit = (reward.alpha * reward.w_acc) / K / scale;
  const offsets = tokenCharOffsets(tok, completion);
  for (const [start, end] of creditedRanges(text, rewards)) {
    for (let t = 0; t < completion.length; t++) if (offsets[t]! < end && offsets[t + 1]! > start) out[t]! += credit;
  }
  return out;
}
