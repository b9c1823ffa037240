// The reward flags shared by subcommands that score: --preset, --mode, --scope, --alpha, --w-acc, --w-val.
import { REWARD_PRESETS, resolveRewardConfig, type RewardPresetName } from '../../core/reward';
import type { RewardConfig } from '../../core/reward-types';
import { UsageError, numberOption, stringOption, type OptionValues } from '../args';

export const REWARD_OPTIONS = {
  preset: stringOption,
  mode: stringOption,
  scope: stringOption,
  alpha: numberOption,
  'w-acc': numberOption,
  'w-val': numberOption,
  tolerance: numberOption,
} as const;

export const REWARD_FLAGS_USAGE = `  --preset NAME     ${Object.keys(REWARD_PRESETS).join(' | ')} (default stepgrpo)
  --mode MODE       robust | r1vl (overrides the preset)
  --scope SCOPE     steps | chain: where key steps are searched (robust mode)
  --alpha A         weight of the key-step ratio in r_acc (paper: 0.1)
  --w-acc W         weight of r_acc in the total
  --w-val W         weight of r_val in the total
  --tolerance T     relative tolerance for numeric answers
`;

export function rewardConfigFromFlags(values: OptionValues<typeof REWARD_OPTIONS>): RewardConfig {
  const presetName = values.preset ?? 'stepgrpo';
  if (!Object.prototype.hasOwnProperty.call(REWARD_PRESETS, presetName)) {
    throw new UsageError(`--preset: unknown preset "${presetName}" (expected ${Object.keys(REWARD_PRESETS).join(', ')})`);
  }
  const base = REWARD_PRESETS[presetName as RewardPresetName];
  const overrides: Partial<RewardConfig> = { ...base };
  // resolveRewardConfig checks mode and scope, so they pass through as given.
  if (values.mode !== undefined) overrides.mode = values.mode as RewardConfig['mode'];
  if (values.scope !== undefined) overrides.scope = values.scope as RewardConfig['scope'];
  if (values.alpha !== undefined) overrides.alpha = values.alpha;
  if (values['w-acc'] !== undefined) overrides.w_acc = values['w-acc'];
  if (values['w-val'] !== undefined) overrides.w_val = values['w-val'];
  if (values.tolerance !== undefined) overrides.numericTolerance = values.tolerance;
  try {
    return resolveRewardConfig(overrides);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
