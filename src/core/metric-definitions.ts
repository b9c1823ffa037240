// The metric vocabulary (DESIGN §3, §4): one row per metric name — what it measures, in words, its
// unit and its chart group. step-metrics.ts computes the rollout and update rows from these
// formulas; the Metrics view shows the descriptions; docs/metrics.md is rendered from this table.
//
// Why core/: the trainer, the reward server's recorder and the webview all read it, and core/ is
// the one floor all three may import (DESIGN §2: webview → {protocol, core}); protocol/ holds types
// and guards only, and this is data plus the formulas that go with it, pure TS either way.
//
// TRL's meaning where TRL has the name (trl/trainer/grpo_trainer.py at v1.9.0):
// - `reward_std`: `nanstd(rewards)` over every reward of the step (all prompts × G), with Bessel's
//   correction (n − 1). TRL ≤ 0.26 logged the mean of the per-group stds instead
//   (`std_grouped_rewards.mean()`); 0.27 changed it to the batch std, and v1.9.0 keeps that.
// - `frac_reward_zero_std`: `is_std_zero.float().mean()` — per completion, whether its group's std
//   is 0 (`torch.isclose`, absolute tolerance 1e-8), averaged over completions.
// - `completions/mean_length`: mean completion length in tokens (EOS included).
// - `kl`, `entropy`: masked means over completion tokens; `clip_ratio` (TRL's Liger path; the
//   default path splits it into `clip_ratio/region_mean` and its halves): share of tokens clipped.

export type MetricGroupName = 'Reward' | 'Learning curves' | 'Policy' | 'SFT' | 'Eval' | 'Speed' | 'Memory' | 'Chains';

/** Chart groups in display order (DESIGN §3 order); a name in none goes to Other. */
export const METRIC_GROUPS: readonly MetricGroupName[] = ['Reward', 'Learning curves', 'Policy', 'SFT', 'Eval', 'Speed', 'Memory', 'Chains'];

export interface MetricDefinition {
  /** The metric's name, or for a family (`prefix` set) a pattern such as `violations/<code>`. */
  name: string;
  /** Names starting with this belong to the family this row defines. */
  prefix?: string;
  group: MetricGroupName;
  unit: string;
  formula: string;
  description: string;
  /** Computed from the run's own reward definition (weights, α, mode): runs whose definitions differ cannot be compared on it. */
  rewardDependent?: boolean;
  /** Who writes it: rollout = anyone holding scored groups (trainer, reward server, importers); the rest the trainer only. */
  source: 'rollout' | 'update' | 'trainer' | 'eval';
}

export const METRICS: readonly MetricDefinition[] = [
  {
    name: 'reward',
    group: 'Reward',
    unit: 'reward',
    source: 'rollout',
    rewardDependent: true,
    formula: 'mean over every chain of the step of total = w_acc · r_acc + w_val · r_val',
    description: 'Mean total reward of the sampled chains.',
  },
  {
    name: 'reward_std',
    group: 'Reward',
    unit: 'reward',
    source: 'rollout',
    rewardDependent: true,
    formula: 'standard deviation (n − 1) of the totals of every chain of the step, all groups together (TRL v1.9.0: nanstd(rewards))',
    description: 'Spread of the total reward over the whole step (not within groups: frac_reward_zero_std says how many groups carry no signal).',
  },
  {
    name: 'rewards/step_rar/mean',
    group: 'Reward',
    unit: 'reward',
    source: 'rollout',
    rewardDependent: true,
    formula: 'mean of r_acc = 1[answer correct] + α · key-step ratio',
    description: 'StepRAR: the accuracy reward with its key-step bonus.',
  },
  {
    name: 'rewards/step_rvr/mean',
    group: 'Reward',
    unit: 'fraction',
    source: 'rollout',
    formula: 'mean of r_val (1 for a complete, logically ordered chain, else 0)',
    description: 'StepRVR: the share of chains that are complete and logically ordered.',
  },
  {
    name: 'rewards/answer/mean',
    group: 'Reward',
    unit: 'fraction',
    source: 'rollout',
    formula: 'mean of 1[answer correct]',
    description: 'Answer accuracy: share of sampled chains whose final answer matches the reference.',
  },
  {
    name: 'key_step_recall',
    group: 'Reward',
    unit: 'fraction',
    source: 'rollout',
    formula: 'mean of key_step_ratio (matched key-step groups / groups)',
    description: 'Key-step recall: share of the reference key steps found in the chains (the reward mode’s matching).',
  },
  {
    name: 'validity_rate',
    group: 'Reward',
    unit: 'fraction',
    source: 'rollout',
    formula: 'mean of validity (0 or 1)',
    description: 'Share of chains with every section, in order, steps numbered 1..n.',
  },
  {
    name: 'frac_reward_zero_std',
    group: 'Reward',
    unit: 'fraction',
    source: 'rollout',
    rewardDependent: true,
    formula: 'share of chains whose group’s totals have std (n − 1) ≤ 1e-8; a group of one counts as zero std (TRL: is_std_zero.float().mean())',
    description: 'Share of chains in groups whose chains all got the same reward: no advantage, no gradient.',
  },
  {
    name: 'rewards/<function>/<statistic>',
    prefix: 'rewards/',
    group: 'Reward',
    unit: 'reward',
    source: 'rollout',
    rewardDependent: true,
    formula: 'another trainer’s per-reward-function statistic (TRL: rewards/<function>/mean and /std)',
    description: 'A reward function’s statistic as another trainer logs it.',
  },
  {
    name: 'engine/<name>',
    prefix: 'engine/',
    group: 'Reward',
    unit: 'engine’s',
    source: 'rollout',
    rewardDependent: true,
    formula: 'mean over the step’s chains of the engine’s own per-chain number',
    description: 'An imported run’s own score (verl’s score, TRL’s reward columns), beside ours.',
  },
  {
    name: 'kl',
    group: 'Policy',
    unit: 'nats',
    source: 'update',
    formula: 'mean over completion tokens of the k3 estimate exp(ref − logp) − (ref − logp) − 1',
    description: 'KL(policy ‖ reference), the reference being the SFT checkpoint; weighted by β in the loss.',
  },
  {
    name: 'policy_loss',
    group: 'Policy',
    unit: 'loss',
    source: 'update',
    formula: '−[min(ρA, clip(ρ, 1−ε_low, 1+ε_high)A) − β·KL], per-sequence mean then batch mean (or token mean)',
    description: 'Clipped policy-gradient loss of the update.',
  },
  {
    name: 'entropy',
    group: 'Policy',
    unit: 'nats',
    source: 'update',
    formula: 'mean over completion tokens of the entropy of softmax(logits / T)',
    description: 'Per-token entropy of the policy at the sampling temperature.',
  },
  {
    name: 'clip_ratio',
    group: 'Policy',
    unit: 'fraction',
    source: 'update',
    formula: 'share of completion tokens where min() took the clipped term',
    description: 'Share of tokens whose probability ratio was clipped: 0 with one update per batch (the ratio is 1).',
  },
  {
    name: 'completions/mean_length',
    group: 'Policy',
    unit: 'tokens',
    source: 'rollout',
    formula: 'mean over chains of the completion’s token count (EOS included); absent when a chain’s count is unknown',
    description: 'Mean completion length in tokens.',
  },
  {
    name: 'completions/<statistic>',
    prefix: 'completions/',
    group: 'Policy',
    unit: 'tokens',
    source: 'rollout',
    formula: 'another trainer’s completion statistic (TRL: completions/min_length, /max_length, /clipped_ratio)',
    description: 'A completion statistic as another trainer logs it.',
  },
  {
    name: 'grad_norm',
    group: 'Policy',
    unit: '',
    source: 'update',
    formula: 'global L2 norm of the gradient before clipping',
    description: 'Gradient norm before clipping.',
  },
  {
    name: 'lr',
    group: 'Policy',
    unit: '',
    source: 'update',
    formula: 'the optimizer’s learning rate for the step',
    description: 'Learning rate of the step (after warm-up / decay).',
  },
  {
    name: 'loss',
    group: 'SFT',
    unit: 'nats',
    source: 'trainer',
    formula: 'mean cross-entropy per demonstration token',
    description: 'SFT loss: cross-entropy on the demonstrations.',
  },
  {
    name: 'eval/accuracy',
    group: 'Eval',
    unit: 'fraction',
    source: 'eval',
    formula: 'mean of 1[answer correct] over greedy chains of the first N held-out prompts',
    description: 'Held-out answer accuracy (greedy).',
  },
  {
    name: 'eval/accuracy_se',
    group: 'Eval',
    unit: 'fraction',
    source: 'eval',
    formula: '√(p(1 − p) / n), p = eval/accuracy, n = eval/prompts',
    description: 'Binomial standard error of eval/accuracy.',
  },
  {
    name: 'eval/accuracy_full_chain',
    group: 'Eval',
    unit: 'fraction',
    source: 'eval',
    formula: 'eval/accuracy with the first header after the image description forced to "### Rationales:", then greedy',
    description: 'The chain-mode control: accuracy once the full chain is forced. What greedy accuracy gains over it is more than a choice of mode.',
  },
  {
    name: 'eval/faithfulness',
    group: 'Eval',
    unit: 'fraction',
    source: 'eval',
    formula: 'correct chains with key_step_ratio = 1 / correct chains (0 when none is correct)',
    description: 'Right for the right reasons: correct answers whose chain also holds every key step.',
  },
  { name: 'eval/prompts', group: 'Eval', unit: 'count', source: 'eval', formula: 'held-out prompts evaluated', description: 'Number of held-out prompts in the evaluation.' },
  {
    name: 'eval/<metric>',
    prefix: 'eval/',
    group: 'Eval',
    unit: 'as <metric>',
    source: 'eval',
    formula: '<metric>’s formula over greedy chains of the first N held-out prompts (reward, validity_rate, key_step_recall)',
    description: 'Held-out evaluation (greedy) of the metric of the same name.',
  },
  {
    name: 'tokens_per_second',
    group: 'Speed',
    unit: 'tokens/s',
    source: 'trainer',
    formula: 'completion tokens of the step (RL) or demonstration tokens (SFT) / step_time',
    description: 'Throughput of the step.',
  },
  { name: 'step_time', group: 'Speed', unit: 's', source: 'trainer', formula: 'wall time of the step', description: 'Wall time of the step.' },
  {
    name: 'time/<phase>',
    prefix: 'time/',
    group: 'Speed',
    unit: 's',
    source: 'trainer',
    formula: 'wall time of one phase of the RL step (sample, score, logprobs, update)',
    description: 'Seconds of the step spent in this phase.',
  },
  {
    name: 'memory/rss_mb',
    prefix: 'memory/',
    group: 'Memory',
    unit: 'MiB',
    source: 'trainer',
    formula: 'getrusage maxRSS / 2^20 bytes',
    description: 'Peak resident memory of the trainer process so far, in MiB: the most it has held, so it never goes down. Written by the trainer only.',
  },
  { name: 'chains', group: 'Chains', unit: 'count', source: 'rollout', formula: 'chains scored in the step', description: 'Chains scored in the step.' },
  { name: 'groups', group: 'Chains', unit: 'count', source: 'rollout', formula: 'groups (prompts) in the step', description: 'Groups (prompts) in the step.' },
  {
    name: 'key_steps/<k>/match_rate',
    prefix: 'key_steps/',
    group: 'Learning curves',
    unit: 'fraction',
    source: 'rollout',
    formula:
      'chains that matched the k-th key step of their reference / chains whose reference has a k-th key step (core/learning-curves.ts; computed by the Metrics view from rollouts.jsonl)',
    description: 'How often the step’s chains found the k-th key step. Click a point to open the chains that matched it at that step.',
  },
  {
    name: 'violation_rate/<code>',
    prefix: 'violation_rate/',
    group: 'Learning curves',
    unit: 'fraction',
    source: 'rollout',
    formula: 'chains with at least one violation of this code / the step’s chains (core/learning-curves.ts; computed by the Metrics view from rollouts.jsonl)',
    description: 'How often the step’s chains broke this rule of the chain format. Click a point to open the chains that broke it at that step.',
  },
  {
    name: 'violations/<code>',
    prefix: 'violations/',
    group: 'Chains',
    unit: 'count',
    source: 'rollout',
    formula: 'violations with this code over the step’s chains',
    description: 'How often the step’s chains broke this rule of the chain format.',
  },
];

const isFamily = (m: MetricDefinition): boolean => m.name.includes('<');
const exactRow = (name: string): MetricDefinition | undefined => METRICS.find((m) => m.name === name && !isFamily(m));
const familyRow = (name: string): MetricDefinition | undefined => METRICS.find((m) => m.prefix !== undefined && name.startsWith(m.prefix));

/**
 * The row defining `name`: its own, else for `eval/x` and `sft/x` (TensorBoard's names for SFT)
 * the row of `x`, else the family its prefix names.
 */
export function metricDefinition(name: string): MetricDefinition | undefined {
  const base = /^(eval|sft)\//.test(name) ? exactRow(name.slice(name.indexOf('/') + 1)) : undefined;
  return exactRow(name) ?? base ?? familyRow(name);
}

/** The chart group of `name` (`eval/x` is Eval whatever x is); undefined for a name of no group (Other). */
export function metricGroup(name: string): MetricGroupName | undefined {
  return (exactRow(name) ?? familyRow(name))?.group;
}
