// A prompt's history over training (pure): per step, how its chains did. The Rollout viewer draws
// these points above the prompt's groups (issue 18 item 3).
import type { RewardBreakdown } from './reward-types';

export interface PromptHistoryPoint {
  step: number;
  chains: number;
  /** Share of the chains whose final answer is correct. */
  answerRate: number;
  /** Mean over the chains of the share of the reference's key steps they matched (StepRAR's key_step_ratio). */
  keyStepRecall: number;
  /** Mean total reward. */
  meanReward: number;
}

/** One point per step (ascending) from the chains the prompt got at that step; steps without chains are left out. */
export function promptHistory(groups: readonly { step: number; samples: readonly { rewards: RewardBreakdown }[] }[]): PromptHistoryPoint[] {
  const byStep = new Map<number, RewardBreakdown[]>();
  for (const g of groups) {
    const list = byStep.get(g.step) ?? [];
    for (const s of g.samples) list.push(s.rewards);
    byStep.set(g.step, list);
  }
  const points: PromptHistoryPoint[] = [];
  for (const [step, rewards] of byStep) {
    if (rewards.length === 0) continue;
    const mean = (f: (r: RewardBreakdown) => number): number => rewards.reduce((a, r) => a + f(r), 0) / rewards.length;
    points.push({
      step,
      chains: rewards.length,
      answerRate: mean((r) => (r.answer_correct ? 1 : 0)),
      keyStepRecall: mean((r) => r.key_step_ratio),
      meanReward: mean((r) => r.total),
    });
  }
  return points.sort((a, b) => a.step - b.step);
}
