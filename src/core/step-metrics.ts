// The one computation of a step's metrics (formulas: metric-definitions.ts) from its scored groups,
// for the trainer's RL steps and evaluations and for the reward server's recorder and importers:
// each passes what it knows (the recorder has no update, and token counts only when the client sent
// them) and gets exactly the metrics that follow from it.
import { sampleStd } from './grpo';
import type { RewardBreakdown, Violation } from './reward-types';

/** The parts of a chain's rewards the metrics read (an importer keeps only these per chain). */
export type MetricRewards = Pick<RewardBreakdown, 'total' | 'r_acc' | 'r_val' | 'answer_correct' | 'key_step_ratio' | 'validity'> & {
  violations: readonly Pick<Violation, 'code'>[];
};

export interface ScoredChain {
  rewards: MetricRewards;
  /** Completion tokens, EOS included; absent when unknown. */
  tokens?: number;
}

/** The chains sampled for one prompt. */
export interface ScoredGroup {
  samples: readonly ScoredChain[];
}

/** What the policy update of the step reports (the trainer only). */
export interface UpdateStats {
  policyLoss: number;
  gradNorm: number;
  lr: number;
  kl: number;
  entropy: number;
  clipRatio: number;
}

export interface StepMetricInputs {
  update?: UpdateStats;
  /** Wall time of the whole step. */
  seconds?: number;
}

/** torch.isclose(std, 0)'s absolute tolerance, as TRL decides `is_std_zero`. */
const ZERO_STD = 1e-8;

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

const chainsOf = (groups: readonly ScoredGroup[]): ScoredChain[] => groups.flatMap((g) => g.samples);

/** Metrics that follow from the chains alone, named and defined as in the metric table. */
function chainMetrics(chains: readonly ScoredChain[]): Record<string, number> {
  const r = chains.map((c) => c.rewards);
  return {
    reward: mean(r.map((x) => x.total)),
    validity_rate: mean(r.map((x) => x.validity)),
    key_step_recall: mean(r.map((x) => x.key_step_ratio)),
  };
}

const answerRate = (chains: readonly ScoredChain[]): number => mean(chains.map((c) => (c.rewards.answer_correct ? 1 : 0)));

/** Total completion tokens, or undefined when some chain's count is unknown. */
function completionTokens(chains: readonly ScoredChain[]): number | undefined {
  return chains.every((c) => c.tokens !== undefined) ? chains.reduce((n, c) => n + c.tokens!, 0) : undefined;
}

/** The step's metrics: the rollout's always, the update's and the speed when given. */
export function stepMetrics(groups: readonly ScoredGroup[], inputs: StepMetricInputs = {}): Record<string, number> {
  const chains = chainsOf(groups);
  const totals = chains.map((c) => c.rewards.total);
  const zeroStdChains = groups.filter((g) => sampleStd(g.samples.map((s) => s.rewards.total)) <= ZERO_STD).reduce((n, g) => n + g.samples.length, 0);
  const { reward, validity_rate, key_step_recall } = chainMetrics(chains);
  const values: Record<string, number> = {
    reward: reward!,
    reward_std: sampleStd(totals),
    'rewards/step_rar/mean': mean(chains.map((c) => c.rewards.r_acc)),
    'rewards/step_rvr/mean': mean(chains.map((c) => c.rewards.r_val)),
    'rewards/answer/mean': answerRate(chains),
    key_step_recall: key_step_recall!,
    validity_rate: validity_rate!,
    frac_reward_zero_std: chains.length ? zeroStdChains / chains.length : 0,
    chains: chains.length,
    groups: groups.length,
  };
  for (const c of chains) for (const v of c.rewards.violations) values[`violations/${v.code}`] = (values[`violations/${v.code}`] ?? 0) + 1;
  const tokens = completionTokens(chains);
  if (tokens !== undefined && chains.length) values['completions/mean_length'] = tokens / chains.length;
  const u = inputs.update;
  if (u) Object.assign(values, { kl: u.kl, policy_loss: u.policyLoss, entropy: u.entropy, clip_ratio: u.clipRatio, grad_norm: u.gradNorm, lr: u.lr });
  if (inputs.seconds !== undefined) {
    if (tokens !== undefined) values.tokens_per_second = tokens / inputs.seconds;
    values.step_time = inputs.seconds;
  }
  return values;
}

/** Held-out evaluation: one greedy chain per prompt. */
export function evalMetrics(chains: readonly ScoredChain[]): Record<string, number> {
  const n = chains.length;
  if (n === 0) return {};
  const accuracy = answerRate(chains);
  const correct = chains.filter((c) => c.rewards.answer_correct);
  const { reward, validity_rate, key_step_recall } = chainMetrics(chains);
  return {
    'eval/reward': reward!,
    'eval/accuracy': accuracy,
    'eval/accuracy_se': Math.sqrt((accuracy * (1 - accuracy)) / n),
    'eval/validity_rate': validity_rate!,
    'eval/key_step_recall': key_step_recall!,
    'eval/faithfulness': correct.length ? correct.filter((c) => c.rewards.key_step_ratio === 1).length / correct.length : 0,
    'eval/prompts': n,
  };
}
