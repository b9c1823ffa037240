// The reward flags shared by subcommands that score: --preset, --mode, --scope, --alpha, --w-acc, --w-val.
import { REWARD_PRESETS, resolveRewardConfig, type RewardPresetName } from '../../core/reward';
import type { RewardConfig } from '../../core/reward-types';
import { UsageError, type ParsedArgs } from '../args';

export const REWARD_VALUE_FLAGS = ['preset', 'mode', 'scope', 'alpha', 'w-acc', 'w-val', 'tolerance'] as const;

export const REWARD_FLAGS_USAGE = `  --preset NAME     ${Object.keys(REWARD_PRESETS).join(' | ')} (default stepgrpo)
  --mode MODE       robust | r1vl (overrides the preset)
  --scope SCOPE     steps | chain: where key steps are searched (robust mode)
  --alpha A         weight of the key-step ratio in r_acc (paper: 0.1)
  --w-acc W         weight of r_acc in the total
  --w-val W         weight of r_val in the total
  --tolerance T     relative tolerance for numeric answers
`;

export function rewardConfigFromFlags(args: ParsedArgs): RewardConfig {
  const presetName = args.flags.get('preset') ?? 'stepgrpo';
  if (!Object.prototype.hasOwnProperty.call(REWARD_PRESETS, presetName)) {
    throw new UsageError(`--preset: unknown preset "${presetName}" (expected ${Object.keys(REWARD_PRESETS).join(', ')})`);
  }
  const base = REWARD_PRESETS[presetName as RewardPresetName];
  const num = (flag: string): number | undefined => {
    const v = args.flags.get(flag);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag}: expected a number, got "${v}"`);
    return n;
  };
  const overrides: Partial<RewardConfig> = { ...base };
  const mode = args.flags.get('mode');
  const scope = args.flags.get('scope');
  if (mode !== undefined) overrides.mode = mode as RewardConfig['mode'];
  if (scope !== undefined) overrides.scope = scope as RewardConfig['scope'];
  const numeric: [string, keyof RewardConfig][] = [['alpha', 'alpha'], ['w-acc', 'w_acc'], ['w-val', 'w_val'], ['tolerance', 'numericTolerance']];
  for (const [flag, key] of numeric) {
    const v = num(flag);
    if (v !== undefined) (overrides as Record<string, unknown>)[key] = v;
  }
  try {
    return resolveRewardConfig(overrides);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
