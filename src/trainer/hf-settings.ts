// The run config's `model` section when it names a Hugging Face model (`model.hf`): defaults beside
// their rules, every field checked with its dotted path.
import { LORA_DEFAULTS, LORA_MODULES, type LoraConfig, type LoraModule } from '../model/hf/decoder';
import { R1VL_SYSTEM_PROMPT } from '../model/hf/chain-codec';

export interface HfModelSettings {
  /** A model folder, or a model id (`org/name[@revision]`) found in the Hugging Face cache. */
  hf: string;
  /** LoRA adapters over the frozen model; null = full fine-tuning. */
  lora: LoraConfig | null;
  /** Longest sequence (prompt + completion) in tokens. */
  maxTextLen: number;
  /** Wrap questions in the model's chat template (false: plain text). */
  chat: boolean;
  /** The system turn before each question (null: none). Defaults to the R1-VL chain-format instruction. */
  systemPrompt: string | null;
}

export const HF_MODEL_DEFAULTS: Omit<HfModelSettings, 'hf'> = { lora: LORA_DEFAULTS, maxTextLen: 512, chat: true, systemPrompt: R1VL_SYSTEM_PROMPT };

export const isHfModel = (model: unknown): model is HfModelSettings => typeof model === 'object' && model !== null && 'hf' in model;

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

export function resolveHfModelSettings(user: Record<string, unknown>): HfModelSettings {
  const fail = (field: string, message: string): never => {
    throw new Error(`config: model.${field}: ${message}`);
  };
  const known = ['hf', 'lora', 'maxTextLen', 'chat', 'systemPrompt'];
  for (const k of Object.keys(user)) if (!known.includes(k)) fail(k, `unknown field for a Hugging Face model (expected one of ${known.join(', ')})`);
  if (typeof user.hf !== 'string' || user.hf.trim() === '')
    fail('hf', `expected a model folder or a model id such as "HuggingFaceTB/SmolLM2-135M-Instruct", got ${JSON.stringify(user.hf)}`);
  const out: HfModelSettings = { ...HF_MODEL_DEFAULTS, hf: user.hf as string };
  if (user.lora === null) out.lora = null;
  else if (user.lora !== undefined) {
    if (!isObject(user.lora)) fail('lora', `expected {rank, alpha, targetModules} or null (full fine-tuning), got ${JSON.stringify(user.lora)}`);
    const l = user.lora as Record<string, unknown>;
    for (const k of Object.keys(l)) if (!['rank', 'alpha', 'targetModules'].includes(k)) fail(`lora.${k}`, 'unknown field (expected rank, alpha, targetModules)');
    const rank = l.rank ?? LORA_DEFAULTS.rank;
    const alpha = l.alpha ?? LORA_DEFAULTS.alpha;
    const targets = l.targetModules ?? LORA_DEFAULTS.targetModules;
    if (!Number.isInteger(rank) || (rank as number) < 1) fail('lora.rank', `must be a positive integer, got ${JSON.stringify(rank)}`);
    if (typeof alpha !== 'number' || !(alpha > 0) || !Number.isFinite(alpha)) fail('lora.alpha', `must be a number > 0, got ${JSON.stringify(alpha)}`);
    if (!Array.isArray(targets) || targets.length === 0) fail('lora.targetModules', `must be a non-empty list of ${LORA_MODULES.join(', ')}`);
    for (const t of targets as unknown[]) if (!LORA_MODULES.includes(t as LoraModule)) fail('lora.targetModules', `${JSON.stringify(t)} is not one of ${LORA_MODULES.join(', ')}`);
    out.lora = { rank: rank as number, alpha: alpha as number, targetModules: [...new Set(targets as LoraModule[])] };
  }
  if (user.maxTextLen !== undefined) {
    if (!Number.isInteger(user.maxTextLen) || (user.maxTextLen as number) < 2) fail('maxTextLen', `must be an integer ≥ 2, got ${JSON.stringify(user.maxTextLen)}`);
    out.maxTextLen = user.maxTextLen as number;
  }
  if (user.chat !== undefined) {
    if (typeof user.chat !== 'boolean') fail('chat', `must be true or false, got ${JSON.stringify(user.chat)}`);
    out.chat = user.chat as boolean;
  }
  if (user.systemPrompt !== undefined) {
    if (user.systemPrompt !== null && typeof user.systemPrompt !== 'string') fail('systemPrompt', `must be a string or null, got ${JSON.stringify(user.systemPrompt)}`);
    out.systemPrompt = user.systemPrompt as string | null;
  }
  return out;
}
