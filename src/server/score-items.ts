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

/**
 * Longest chain, answer or solution text the server scores (UTF-16 code units, as JavaScript counts).
 * Scoring is linear in the text but not free (r1vl's Math-Verify pass is about 1.5 µs a character on
 * adversarial LaTeX), and one text is scored without a turn of the event loop: this bound keeps that
 * turn near 100 ms. 64 Ki characters is about 16 k tokens.
 */
export const DEFAULT_MAX_TEXT_CHARS = 65_536;

const TEXT_FIELDS = ['completion', 'answer', 'solution'] as const;

/** An item with its defaults (`base`, already resolved for the request) applied. */
export function resolveItem(item: ScoreItem, base: RewardConfig, where = '', maxTextChars = DEFAULT_MAX_TEXT_CHARS): ResolvedItem {
  for (const field of TEXT_FIELDS) {
    const length = item[field]?.length ?? 0;
    if (length > maxTextChars) {
      throw new RequestFieldError(issue(`${where}${field}`, `${length} characters, the limit is ${maxTextChars} (--max-text-chars); split or truncate the text`));
    }
  }
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

const WEIGHTS = ['alpha', 'w_acc', 'w_val'] as const;

/**
 * The item's rewards, or a RequestFieldError when a number in them is not finite (`alpha: 1e308`
 * overflows the total): JSON has no Infinity, so such a number would reach a run file as `null`. The
 * field named is the weight of largest magnitude, the one that overflowed.
 */
export function scoreResolved(item: ResolvedItem, where = ''): RewardBreakdown {
  const rewards = scoreChain(item.completion, item.reference, item.config);
  const bad = (['total', 'r_acc', 'r_val', 'key_step_ratio'] as const).find((k) => !Number.isFinite(rewards[k]));
  if (bad === undefined) return rewards;
  const weight = WEIGHTS.reduce((a, b) => (Math.abs(item.config[b]) > Math.abs(item.config[a]) ? b : a));
  throw new RequestFieldError(issue(`${where}config.${weight}`, `the ${bad === 'total' ? 'total reward' : bad} is not finite (${weight} ${item.config[weight]})`));
}
