// What a new run starts from (`initFrom`): a run checkpoint (its weights, family state and
// tokenizer) or a PEFT LoRA adapter folder, e.g. one SFT-trained with TRL, whose A/B weights start a
// LoRA run of the same base model with the same rank, alpha and target modules.
import fs from 'node:fs';
import path from 'node:path';
import type { ParamValues } from '../model/params';
import type { TokenizerJSON } from '../model/tokenizer';
import { loadWeights } from './checkpoint';
import { checkpointState } from './checkpoint-state';
import type { TrainConfig } from './config';
import { readHfConfig, resolveHfModel } from './hf-folder';
import { isHfModel } from './hf-settings';
import { PEFT_CONFIG_FILE, readPeftAdapter, readPeftAdapterConfig } from './peft-adapter';
import type { FamilyState } from './policy-family';

export interface InitSource {
  params: ParamValues;
  /** A checkpoint's family state and tokenizer; absent for an adapter (the run's config opens the model). */
  from?: { policy: FamilyState; tokenizer: TokenizerJSON | null };
  /** One line for the run log. */
  describe: string;
}

/** Why `dir` cannot start a run, or null when it is a run checkpoint or a PEFT adapter folder. */
export function notAnInitSource(dir: string): string | null {
  if (fs.existsSync(path.join(dir, 'state.json')) || fs.existsSync(path.join(dir, PEFT_CONFIG_FILE))) return null;
  return `${dir} is neither a checkpoint folder (no state.json) nor a PEFT adapter folder (no ${PEFT_CONFIG_FILE})`;
}

/** The weights (and, for a checkpoint, the family state) `config.initFrom` names; errors name the folder and the field. */
export function loadInitFrom(config: TrainConfig, log: (message: string, level?: 'info' | 'warn') => void): InitSource {
  const dir = config.initFrom!;
  if (fs.existsSync(path.join(dir, 'state.json'))) {
    const init = loadWeights(dir);
    const state = checkpointState(init.state, path.join(dir, 'state.json'));
    return { params: init.params, from: { policy: state.policy, tokenizer: state.tokenizer }, describe: `checkpoint ${dir}` };
  }
  const notOne = notAnInitSource(dir);
  if (notOne) throw new Error(`initFrom: ${notOne}`);
  const model = config.model;
  if (!isHfModel(model)) throw new Error(`initFrom ${dir} is a PEFT adapter: it starts a Hugging Face model trained with LoRA; set model.hf to its base model`);
  if (!model.lora) throw new Error(`initFrom ${dir} is a PEFT adapter, but model.lora is null (full fine-tuning): set model.lora to the adapter's settings`);
  const { lora, baseModel } = readPeftAdapterConfig(dir);
  const mismatches = [
    lora.rank !== model.lora.rank && `model.lora.rank is ${model.lora.rank}, the adapter's r ${lora.rank}`,
    lora.alpha !== model.lora.alpha && `model.lora.alpha is ${model.lora.alpha}, the adapter's lora_alpha ${lora.alpha}`,
    [...lora.targetModules].sort().join() !== [...model.lora.targetModules].sort().join() &&
      `model.lora.targetModules is [${model.lora.targetModules.join(', ')}], the adapter's target_modules [${lora.targetModules.join(', ')}]`,
  ].filter((m): m is string => typeof m === 'string');
  if (mismatches.length) throw new Error(`initFrom ${dir}: the run would train another adapter than this one: ${mismatches.join('; ')}`);
  const modelDir = resolveHfModel(model.hf);
  if (baseModel && baseModel !== model.hf && !sameFolder(baseModel, modelDir)) {
    log(`initFrom ${dir}: the adapter names ${baseModel} as its base model; this run trains ${model.hf}`, 'warn');
  }
  const adapter = readPeftAdapter(dir, readHfConfig(modelDir));
  return { params: adapter.values, describe: `PEFT adapter ${dir} (LoRA rank ${lora.rank})` };
}

/** Whether `spec` (a folder or a cached model id) resolves to `dir`; an id not in the cache does not. */
function sameFolder(spec: string, dir: string): boolean {
  try {
    return path.resolve(resolveHfModel(spec)) === path.resolve(dir);
  } catch {
    return false;
  }
}
