// Turns checked request items into what the reward engine scores: the chain text, its reference
// and the resolved config. Errors are RequestFieldErrors naming the request field, reusing the engine's
// own messages (parseKeySteps, resolveRewardConfig).
import { KeyStepFormatError, parseKeySteps } from '../core/key-steps';
import { REWARD_PRESETS, resolveRewardConfig, scoreChain, type RewardPresetName } from '../core/reward';
import type { RewardBreakdown, RewardConfig, RewardReference } from '../core/reward-types';
import type { ScoreItem } from '../protocol/reward-server';
import { issue } from '../protocol/schema';
import { RequestFieldError } from './request-error';

export interface ResolvedItem {
  completion: string;
  reference: RewardReference;
  config: RewardConfig;
  /** Where the chain belongs in a recorded run; never changes its reward. */
  meta: Pick<ScoreItem, 'prompt' | 'step' | 'group' | 'tokens'>;
}

const PRESET_NAMES = Object.keys(REWARD_PRESETS).join(', ');

/** `preset` then `config` over `base`; `where` prefixes field paths. */
export function resolveConfig(base: RewardConfig, preset: string | undefined, config: Partial<RewardConfig> | undefined, where = ''): RewardConfig {
  let start = base;
  if (preset !== undefined) {
    if (!Object.prototype.hasOwnProperty.call(REWARD_PRESETS, preset)) {
      throw new RequestFieldError(issue(`${where}preset`, `unknown preset ${JSON.stringify(preset)} (expected one of ${PRESET_NAMES})`));
    }
    start = REWARD_PRESETS[preset as RewardPresetName];
  }
  if (config === undefined) return start;
  // One field at a time, so that the error names the field at fault.
  for (const [key, value] of Object.entries(config)) {
    try {
      resolveRewardConfig({ ...start, [key]: value });
    } catch (err) {
      throw new RequestFieldError(issue(`${where}config.${key}`, (err as Error).message.replace(/^reward config: /, '')));
    }
  }
  return resolveRewardConfig({ ...start, ...config });
}

/** An item with its defaults (`base`, already resolved for the request) applied. */
export function resolveItem(item: ScoreItem, base: RewardConfig, where = ''): ResolvedItem {
  const reference: RewardReference = {};
  if (item.answer !== undefined) reference.answer = item.answer;
  if (item.solution !== undefined) reference.solution = item.solution;
  if (item.key_steps !== undefined) {
    try {
      reference.keySteps = parseKeySteps(item.key_steps, `${where}key_steps`);
    } catch (err) {
      if (err instanceof KeyStepFormatError) throw new RequestFieldError(issue(err.field, err.message.replace(`${err.field}: `, '')));
      throw err;
    }
  }
  const config = item.preset === undefined && item.config === undefined ? base : resolveConfig(base, item.preset, item.config, where);
  const meta: ResolvedItem['meta'] = {};
  for (const key of ['prompt', 'step', 'group', 'tokens'] as const) if (item[key] !== undefined) (meta as Record<string, unknown>)[key] = item[key];
  return { completion: item.completion, reference, config, meta };
}

export function scoreResolved(item: ResolvedItem): RewardBreakdown {
  return scoreChain(item.completion, item.reference, item.config);
}
