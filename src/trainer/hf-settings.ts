// The run config's `model` section when it names a Hugging Face model (`model.hf`) and its
// defaults; the run config check (src/protocol/run-config-check.ts) has checked its fields.
import { LORA_DEFAULTS, type LoraConfig } from '../model/hf/decoder';
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

/** The `model` section of a config the run config check passed (src/protocol/run-config-check.ts), with the defaults filled in. */
export function resolveHfModelSettings(user: Partial<HfModelSettings> & { hf: string }): HfModelSettings {
  return { ...HF_MODEL_DEFAULTS, ...user, lora: user.lora === null ? null : { ...LORA_DEFAULTS, ...user.lora } };
}
