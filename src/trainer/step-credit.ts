// Dense step-level credit (DESIGN §6, `advantage: "step"`, beyond the paper): each matched key step's
// share of the reward, α·w_acc / K, less what the group earns on that step on average and scaled
// like the group's advantages, is added to the tokens of the step section that earned it, on top of
// the sequence-level advantage.
import { parseChain } from '../core/chain-parser';
import type { RewardBreakdown, RewardConfig } from '../core/reward-types';
import type { ChainCodec } from '../model/family';

/** Start offset of every token in `tok.chainText(ids)`, plus the end: offsets.length === ids.length + 1. */
export function tokenCharOffsets(tok: ChainCodec, ids: readonly number[]): number[] {
  const offsets = [0];
  for (let k = 1; k <= ids.length; k++) offsets.push(tok.chainText(ids.slice(0, k)).length);
  return offsets;
}

/** Character range that earns key step `index`'s credit: the step section (header + body) holding its first match. */
export function creditedRange(text: string, rewards: RewardBreakdown, index: number): [number, number] | null {
  const first = rewards.key_steps[index]?.matched ? rewards.key_steps[index]!.spans[0] : undefined;
  if (!first) return null;
  const step = parseChain(text, rewards.mode).sections.find((s) => s.kind === 'step' && first[0] >= s.header.start && first[0] < Math.max(s.body.end, s.header.end));
  return step ? [step.header.start, step.body.end] : first;
}

/** Character ranges that earn credit, one per matched key step. */
export function creditedRanges(text: string, rewards: RewardBreakdown): [number, number][] {
  return rewards.key_steps.map((_, i) => creditedRange(text, rewards, i)).filter((r): r is [number, number] => r !== null);
}

/**
 * Per-completion-token advantages: the sequence advantage plus, for every key step this chain
 * matched, its reward share α·w_acc / K times (1 − the share of the group that matched it), over
 * the group's scale. A step the whole group gets earns nothing extra: without that baseline, every
 * matched step of every chain was pushed up, by thousands when a group's rewards were all equal
 * and the scale was ε.
 */
export function stepCreditAdvantages(
  tok: ChainCodec,
  completion: readonly number[],
  text: string,
  rewards: RewardBreakdown,
  sequenceAdvantage: number,
  scale: number,
  reward: RewardConfig,
  groupMatchRate: readonly number[],
): number[] {
  const out = new Array<number>(completion.length).fill(sequenceAdvantage);
  const K = rewards.key_steps.length;
  if (K === 0) return out;
  const share = (reward.alpha * reward.w_acc) / K / scale;
  const offsets = tokenCharOffsets(tok, completion);
  rewards.key_steps.forEach((k, index) => {
    const range = k.matched ? creditedRange(text, rewards, index) : null;
    if (!range) return;
    const credit = share * (1 - (groupMatchRate[index] ?? 0));
    for (let t = 0; t < completion.length; t++) if (offsets[t]! < range[1] && offsets[t + 1]! > range[0]) out[t]! += credit;
  });
  return out;
}

/** For each key step, the share of the group's chains that matched it. */
export function groupMatchRates(group: readonly RewardBreakdown[]): number[] {
  const K = group[0]?.key_steps.length ?? 0;
  return Array.from({ length: K }, (_, k) => group.filter((r) => r.key_steps[k]?.matched).length / group.length);
}
