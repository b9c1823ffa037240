// One sentence per metric (the names of DESIGN §3, after TRL), shown on hover over a chart's
// title. Unknown names (another trainer's) get none; `eval/…` and `sft/…` reuse the base name's.
const DOCS: Record<string, string> = {
  reward:
    'Mean total reward of the sampled chains (w_acc · r_acc + w_val · r_val): its definition depends on the run’s reward config, so compare it only between runs that share one.',
  reward_std: 'Mean within-group standard deviation of the total reward: zero means the group gives no learning signal.',
  'rewards/step_rar/mean': 'StepRAR: mean r_acc = 1[answer correct] + α · key-step ratio.',
  'rewards/step_rvr/mean': 'StepRVR: mean r_val, the share of chains that are complete and logically ordered.',
  'rewards/answer/mean': 'Answer accuracy: share of sampled chains whose final answer matches the reference.',
  accuracy: 'Answer accuracy: share of chains whose final answer matches the reference (greedy on held-out prompts for eval/).',
  key_step_recall: 'Key-step recall: share of the reference key steps found in the chains (soft matching).',
  validity_rate: 'StepRVR validity rate: share of chains with every section, in order, steps numbered 1..n.',
  faithfulness: 'Share of correct answers whose chain also holds every key step.',
  frac_reward_zero_std: 'Share of groups whose chains all got the same reward (no advantage, no gradient).',
  kl: 'k3 estimate of KL(policy ‖ reference), the SFT checkpoint; weighted by β in the loss.',
  policy_loss: 'Clipped policy-gradient loss (per-sequence mean, then batch mean).',
  loss: 'Loss of the step (SFT: cross-entropy on the demonstrations).',
  entropy: 'Mean per-token entropy of the policy at the sampling temperature.',
  clip_ratio: 'Share of tokens whose probability ratio was clipped (0 with one update per batch).',
  'completions/mean_length': 'Mean completion length in tokens.',
  grad_norm: 'Gradient norm before clipping.',
  lr: 'Learning rate of the step (after warm-up / decay).',
  tokens_per_second: 'Throughput: tokens processed per second of the step.',
  step_time: 'Wall time of the step, in seconds.',
  'memory/rss_mb':
    'Peak resident memory of the trainer process so far, in MiB (2^20 bytes; getrusage maxRSS): the most it has held, so it never goes down. Written by the trainer only.',
};

export function describeMetric(metric: string): string | undefined {
  const base = metric.replace(/^(eval|sft)\//, '');
  return DOCS[metric] ?? DOCS[base] ?? (metric.startsWith('time/') ? 'Seconds of the step spent in this phase.' : undefined);
}
