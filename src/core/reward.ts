// Reward composition (DESIGN §5): r_acc = 1[answer correct] + α·key-step ratio (StepRAR),
// r_val = StepRVR, total = w_acc·r_acc + w_val·r_val. Presets and config resolution live here.
import type { RewardBreakdown, RewardConfig, RewardMode, RewardReference, KeyStepScope } from './reward-types';
import { parseChain } from './chain-parser';
import { checkValidity } from './step-rvr';
import { matchKeySteps } from './step-rar';
import { extractChainAnswer, referenceAnswer } from './answer/extract';
import { checkAnswer } from './answer/equivalence';
import { r1vlAnswer } from './answer/r1vl/accuracy';

export type RewardPresetName = 'stepgrpo' | 'grpo-outcome' | 'r1vl-official';

export const REWARD_PRESETS: Record<RewardPresetName, RewardConfig> = {
  /** Both rewards, robust parsing and matching (the default). */
  stepgrpo: { mode: 'robust', alpha: 0.1, w_acc: 1, w_val: 1, scope: 'steps', numericTolerance: 1e-6 },
  /** Outcome-only GRPO: the answer alone (no key-step credit, no validity term). */
  'grpo-outcome': { mode: 'robust', alpha: 0, w_acc: 1, w_val: 0, scope: 'steps', numericTolerance: 1e-6 },
  /** The released R1-VL code: literal headers, substring key steps, α = 0.1, weights 1/1. */
  'r1vl-official': { mode: 'r1vl', alpha: 0.1, w_acc: 1, w_val: 1, scope: 'steps', numericTolerance: 1e-6 },
};

const MODES: readonly RewardMode[] = ['r1vl', 'robust'];
const SCOPES: readonly KeyStepScope[] = ['steps', 'chain'];
const NUMERIC_FIELDS = ['alpha', 'w_acc', 'w_val', 'numericTolerance'] as const;

/** A preset name, or a partial config over the `stepgrpo` preset (or over `preset` if given). */
export function resolveRewardConfig(config?: Partial<RewardConfig> | RewardPresetName): RewardConfig {
  if (config === undefined) return { ...REWARD_PRESETS.stepgrpo };
  if (typeof config === 'string') {
    const preset = REWARD_PRESETS[config as RewardPresetName];
    if (!preset || !Object.prototype.hasOwnProperty.call(REWARD_PRESETS, config)) {
      throw new Error(`reward preset: unknown preset "${config}" (expected one of ${Object.keys(REWARD_PRESETS).join(', ')})`);
    }
    return { ...preset };
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new Error(`reward config: expected an object or a preset name, got ${Array.isArray(config) ? 'array' : typeof config}`);
  }
  const base = config.mode === 'r1vl' ? REWARD_PRESETS['r1vl-official'] : REWARD_PRESETS.stepgrpo;
  const known = new Set<string>(['mode', 'scope', ...NUMERIC_FIELDS]);
  for (const key of Object.keys(config)) {
    if (!known.has(key)) throw new Error(`reward config: unknown field "${key}" (expected ${[...known].join(', ')})`);
  }
  const out: RewardConfig = { ...base };
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue;
    if (key === 'mode') {
      if (!MODES.includes(value as RewardMode)) throw new Error(`reward config: mode must be one of ${MODES.join(', ')}, got ${JSON.stringify(value)}`);
      out.mode = value as RewardMode;
    } else if (key === 'scope') {
      if (!SCOPES.includes(value as KeyStepScope)) throw new Error(`reward config: scope must be one of ${SCOPES.join(', ')}, got ${JSON.stringify(value)}`);
      out.scope = value as KeyStepScope;
    } else {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`reward config: ${key} must be a finite number, got ${JSON.stringify(value)}`);
      if (key === 'numericTolerance' && value < 0) throw new Error(`reward config: numericTolerance must be ≥ 0, got ${value}`);
      out[key as (typeof NUMERIC_FIELDS)[number]] = value;
    }
  }
  return out;
}

/** Scores one chain against its reference: the RewardBreakdown of DESIGN §3. */
export function scoreChain(text: string, reference: RewardReference, config?: Partial<RewardConfig> | RewardPresetName): RewardBreakdown {
  const cfg = resolveRewardConfig(config);
  const chain = parseChain(text, cfg.mode);
  const validity = checkValidity(chain, cfg.mode);
  const keySteps = matchKeySteps(chain, reference.keySteps, cfg.mode, cfg.scope);
  const extracted = extractChainAnswer(chain, cfg.mode);
  let correct = false;
  if (cfg.mode === 'r1vl') {
    // the released accuracy_reward reads the whole completion against the whole solution column
    const solution = reference.solution ?? reference.answer;
    correct = solution !== undefined && r1vlAnswer(text, solution).correct;
  } else {
    const gold = referenceAnswer(reference, (t) => parseChain(t, cfg.mode));
    correct = extracted !== null && gold !== null && extracted.text.length > 0 && checkAnswer(extracted.text, gold, { tolerance: cfg.numericTolerance }).correct;
  }
  const r_acc = (correct ? 1 : 0) + cfg.alpha * keySteps.ratio;
  const r_val = validity.r_val;
  return {
    total: cfg.w_acc * r_acc + cfg.w_val * r_val,
    r_acc,
    r_val,
    answer_correct: correct,
    answer: extracted ? extracted.text : null,
    key_step_ratio: keySteps.ratio,
    validity: validity.r_val,
    mode: cfg.mode,
    violations: validity.violations,
    key_steps: keySteps.results,
  };
}
