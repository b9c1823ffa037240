// Turns checked request items into what the reward engine scores: the chain text, its reference
// and the resolved config. Errors are RequestFieldErrors naming the request field, reusing the engine's
// own messages (parseKeySteps, resolveRewardConfig).
import { KeyStepFormatError, parseKeySteps } from '../core/key-steps';
import { REWARD_PRESETS, resolveRewardConfig, scoreChain, type RewardPresetName } from '../core/reward';
import type { RewardBreakdown, RewardConfig, RewardReference } from '../core/reward-types';
import type { ScoreItem } from '../protocol/reward-server';
import { issue } from '../protocol/schema';
import { DEFAULT_END_MARKERS, splitEndMarkers } from './end-markers';
import { RequestFieldError } from './request-error';

export interface ResolvedItem {
  /** The chain scored: the completion without its trailing end markers. */
  completion: string;
  /** The completion as sent, when end markers were cut from it. */
  raw?: string;
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
 * turn under 100 ms (about 50 ms at this bound). 32 Ki characters is about 8 k tokens; a
 * long-reasoning model's chains may need --max-text-chars raised, at that cost in latency.
 */
export const DEFAULT_MAX_TEXT_CHARS = 32_768;

const TEXT_FIELDS = ['completion', 'answer', 'solution'] as const;

/**
 * An item with its defaults applied: `base` (the config already resolved for the request) and
 * `endMarkers` (the request's or the server's), which its own `end_markers` replace.
 */
export function resolveItem(item: ScoreItem, base: RewardConfig, where = '', maxTextChars = DEFAULT_MAX_TEXT_CHARS, endMarkers = DEFAULT_END_MARKERS): ResolvedItem {
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
  const { text, suffix } = splitEndMarkers(item.completion, item.end_markers ?? endMarkers);
  return { completion: text, ...(suffix ? { raw: item.completion } : {}), reference, config, meta };
}

const WEIGHTS = ['alpha', 'w_acc', 'w_val'] as const;

/**
 * Largest reward magnitude the server accepts. JSON has no Infinity (a non-finite number reaches a
 * run file as null, and readers then drop the whole step), and a group's standard deviation squares
 * its rewards: under 1e100 the squares of thousands of samples stay finite.
 */
export const MAX_ABS_REWARD = 1e100;

/**
 * The item's rewards, or a RequestFieldError when one is not finite or beyond ±MAX_ABS_REWARD
 * (`alpha: 1e308`). The field named is the weight of largest magnitude, the one that overflowed.
 */
export function scoreResolved(item: ResolvedItem, where = ''): RewardBreakdown {
  const rewards = scoreChain(item.completion, item.reference, item.config);
  const bad = (['total', 'r_acc', 'r_val', 'key_step_ratio'] as const).find((k) => !(Math.abs(rewards[k]) <= MAX_ABS_REWARD));
  if (bad === undefined) return rewards;
  const weight = WEIGHTS.reduce((a, b) => (Math.abs(item.config[b]) > Math.abs(item.config[a]) ? b : a));
  const what = bad === 'total' ? 'the total reward' : bad;
  const why = Number.isFinite(rewards[bad]) ? `${what} ${rewards[bad]} is beyond ±${MAX_ABS_REWARD} (group statistics would overflow)` : `${what} is not finite`;
  throw new RequestFieldError(issue(`${where}config.${weight}`, `${why}; ${weight} is ${item.config[weight]}`));
}
