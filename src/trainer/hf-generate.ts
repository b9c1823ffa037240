// Text from an HF model on this machine, for `stepgrpo generate`: a model folder or cached model id,
// a PEFT adapter folder (its base model + the adapter), a run checkpoint (its base model + the
// trained adapter or weights) or a run directory (its latest checkpoint). The prompt goes through
// the model's chat template unless asked not to; sampling is the trainer's own KV-cache loop.
import fs from 'node:fs';
import path from 'node:path';
import { HfChainCodec } from '../model/hf/chain-codec';
import type { LoraConfig } from '../model/hf/decoder';
import { HfPolicy } from '../model/hf/hf-policy';
import type { ParamValues } from '../model/params';
import { loadHfCheckpoint, resolveCheckpointDir } from './hf-export';
import { type HfFolder, loadHfFolder, resolveHfModel } from './hf-folder';
import { loadHfWeights } from './hf-weights';
import { PEFT_CONFIG_FILE, readPeftAdapter, readPeftAdapterConfig } from './peft-adapter';

export interface HfInferenceModel {
  folder: HfFolder;
  /** Every base weight (a full fine-tuning checkpoint's own). */
  base: ParamValues;
  adapter: { lora: LoraConfig; values: ParamValues } | null;
  /** The chat settings the model was trained with (a checkpoint's), else none. */
  chat: boolean | null;
  systemPrompt: string | null;
  /** One line saying what was loaded. */
  describe: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const isDir = (p: string): boolean => fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;

/** Opens what `spec` names (see the file comment), weights included. */
export function openHfModel(spec: string, env: Env = process.env): HfInferenceModel {
  const local = path.resolve(spec);
  if (isDir(local) && (fs.existsSync(path.join(local, 'state.json')) || fs.existsSync(path.join(local, 'checkpoints')))) {
    const ckpt = resolveCheckpointDir(local);
    const { state, values } = loadHfCheckpoint(ckpt);
    const folder = loadHfFolder(state.dir);
    if (JSON.stringify(folder.config) !== JSON.stringify(state.config)) throw new Error(`${state.dir}/config.json no longer describes the model ${ckpt} trained`);
    const lora = state.settings.lora;
    const base = lora ? loadHfWeights(state.dir, folder.config) : values;
    return {
      folder,
      base,
      adapter: lora ? { lora, values } : null,
      chat: state.settings.chat,
      systemPrompt: state.settings.systemPrompt,
      describe: `${ckpt} (${lora ? `LoRA rank ${lora.rank} over ${state.dir}` : `full fine-tuning of ${state.dir}`})`,
    };
  }
  if (isDir(local) && fs.existsSync(path.join(local, PEFT_CONFIG_FILE)) && !fs.existsSync(path.join(local, 'config.json'))) {
    const { baseModel } = readPeftAdapterConfig(local);
    if (!baseModel) throw new Error(`${path.join(local, PEFT_CONFIG_FILE)}: base_model_name_or_path is empty, so the base model is unknown`);
    const dir = resolveHfModel(baseModel, env);
    const folder = loadHfFolder(dir);
    const adapter = readPeftAdapter(local, folder.config);
    return {
      folder,
      base: loadHfWeights(dir, folder.config),
      adapter: { lora: adapter.lora, values: adapter.values },
      chat: null,
      systemPrompt: null,
      describe: `${local} (PEFT LoRA rank ${adapter.lora.rank} over ${dir})`,
    };
  }
  const dir = resolveHfModel(spec, env);
  const folder = loadHfFolder(dir);
  return { folder, base: loadHfWeights(dir, folder.config), adapter: null, chat: null, systemPrompt: null, describe: dir };
}

export interface GenerateOptions {
  prompt: string;
  maxNewTokens: number;
  /** 0 = greedy. Default: generation_config.json's, else 1. */
  temperature?: number;
  /** Default: generation_config.json's, else 1. */
  topP?: number;
  /** 0 = off. Default: generation_config.json's, else 0. */
  topK?: number;
  /** 1 = off. Default: generation_config.json's, else 1. */
  repetitionPenalty?: number;
  seed?: number;
  /** Wrap the prompt in the chat template (default: the checkpoint's setting, else on when the model has a template). */
  chat?: boolean;
  /** The system turn (default: the checkpoint's, else none). null = none. */
  system?: string | null;
}

export interface Generated {
  text: string;
  /** The generated ids (without the prompt), ending with the end-of-sequence id when it stopped there. */
  tokens: number[];
  stoppedAtEos: boolean;
  promptTokens: number;
}

export async function generateWith(model: HfInferenceModel, o: GenerateOptions): Promise<Generated> {
  const { folder } = model;
  const c = folder.config;
  const chat = (o.chat ?? model.chat ?? true) && folder.chatTemplate !== null;
  if (o.chat === true && folder.chatTemplate === null) throw new Error(`${folder.dir} has no chat template; use --no-chat`);
  const codec = new HfChainCodec(folder.tokenizer, {
    chat,
    chatTemplate: folder.chatTemplate,
    chatTemplateSource: folder.chatTemplateSource,
    systemPrompt: o.system !== undefined ? o.system : model.systemPrompt,
    eosTokenIds: folder.eosTokenIds,
  });
  const prompt = codec.promptIds(o.prompt);
  if (prompt.length === 0) throw new Error('the prompt is empty after tokenization');
  if (prompt.length >= c.maxPositions) throw new Error(`the prompt has ${prompt.length} tokens; the model takes at most ${c.maxPositions} (max_position_embeddings)`);
  const maxTextLen = Math.max(2, Math.min(c.maxPositions, prompt.length + o.maxNewTokens));
  const eos = folder.eosTokenIds;
  const policy = new HfPolicy(c, {
    base: model.base,
    training: model.adapter ? 'lora' : 'full',
    ...(model.adapter ? { lora: model.adapter.lora, adapter: model.adapter.values } : {}),
    maxTextLen,
    tokens: { pad: folder.tokenizer.pad ?? eos[0]!, eos },
  });
  try {
    const r = await policy.sample({
      prompts: [prompt],
      seeds: [o.seed ?? 0],
      temperature: o.temperature ?? folder.generation.temperature ?? 1,
      topP: o.topP ?? folder.generation.topP ?? 1,
      topK: o.topK ?? folder.generation.topK ?? 0,
      repetitionPenalty: o.repetitionPenalty ?? folder.generation.repetitionPenalty ?? 1,
      maxNewTokens: o.maxNewTokens,
    });
    const tokens = r.completions[0]!;
    return { text: codec.chainText(tokens), tokens, stoppedAtEos: r.stoppedAtEos[0]!, promptTokens: prompt.length };
  } finally {
    await policy.release();
  }
}
