// Held-out evaluation: greedy chains for the first N eval prompts, scored like training chains.
import { scoreChain } from '../core/reward';
import type { RewardConfig } from '../core/reward-types';
import type { ChainCodec, PolicyRuntime } from '../model/family';
import type { TaskSource } from './data/example';
import { encodePrompt } from './sequences';

export async function evaluate(
  policy: PolicyRuntime,
  tok: ChainCodec,
  data: TaskSource,
  prompts: number,
  maxNewTokens: number,
  reward: RewardConfig,
): Promise<Record<string, number>> {
  const n = Math.min(prompts, data.evalSize);
  const examples = Array.from({ length: n }, (_, i) => data.evalAt(i));
  if (n === 0) return {};
  const out = await policy.sample({
    images: examples.map((e) => policy.imageFor(e.image)),
    prompts: examples.map((e) => encodePrompt(tok, e).ids.slice(0, policy.maxTextLen)),
    seeds: examples.map((_, i) => i),
    temperature: 0,
    maxNewTokens,
  });
  const scored = out.completions.map((ids, i) => scoreChain(tok.chainText(ids), { answer: examples[i]!.answer, keySteps: examples[i]!.keySteps }, reward));
  const mean = (f: (r: (typeof scored)[number]) => number): number => scored.reduce((a, r) => a + f(r), 0) / n;
  const accuracy = mean((r) => (r.answer_correct ? 1 : 0));
  const correct = scored.filter((r) => r.answer_correct);
  return {
    'eval/reward': mean((r) => r.total),
    'eval/accuracy': accuracy,
    // Binomial standard error over the n prompts evaluated.
    'eval/accuracy_se': Math.sqrt((accuracy * (1 - accuracy)) / n),
    'eval/validity_rate': mean((r) => r.validity),
    'eval/key_step_recall': mean((r) => r.key_step_ratio),
    // Right for the right reasons: correct answers whose chain also holds every key step.
    'eval/faithfulness': correct.length ? correct.filter((r) => r.key_step_ratio === 1).length / correct.length : 0,
    'eval/prompts': n,
  };
}
