// Opening the policy a run trains, whichever family the config names: the tiny policy (tokenizer
// fitted to the task, sizes from the config) or a Hugging Face decoder (folder or cache, weights,
// tokenizer, chat template). What a checkpoint records to reopen it is the family state.
import { type PolicyConfig, resolvePolicyConfig } from '../model/config';
import type { ChainCodec, PolicyRuntime } from '../model/family';
import { HfChainCodec } from '../model/hf/chain-codec';
import type { HfDecoderConfig } from '../model/hf/config';
import { HfPolicy } from '../model/hf/hf-policy';
import { trainableSpecs } from '../model/hf/graphs';
import { paramSpecs } from '../model/params';
import { createPolicySessions } from '../model/policy';
import { Tokenizer, type TokenizerJSON } from '../model/tokenizer';
import { type TrainConfig, grpoLossConfig } from './config';
import { corpusDocuments } from './data/corpus';
import type { TaskSource } from './data/example';
import { loadHfFolder, resolveHfModel } from './hf-folder';
import { type HfModelSettings, isHfModel } from './hf-settings';
import { loadHfWeights } from './hf-weights';

/** How a checkpoint's state.json names an HF policy: the resolved folder and what was trained. */
export interface HfFamilyState {
  family: 'hf';
  /** The model folder, resolved (a cache id becomes its snapshot folder). */
  dir: string;
  settings: HfModelSettings;
  config: HfDecoderConfig;
}

/** state.json's `policy`: the tiny policy's resolved config, or an HF model's state. */
export type FamilyState = PolicyConfig | HfFamilyState;

export const isHfState = (s: FamilyState): s is HfFamilyState => (s as HfFamilyState).family === 'hf';

/** The tensors a checkpoint of this family holds, with their shapes. */
export function familyParamShapes(state: FamilyState): Map<string, number[]> {
  if (!isHfState(state)) return new Map(paramSpecs(state).map((s) => [s.name, s.shape]));
  const mode = { train: state.settings.lora ? ('lora' as const) : ('full' as const), lora: state.settings.lora ?? undefined };
  return new Map(trainableSpecs(state.config, mode).map((s) => [s.name, s.shape]));
}

export interface OpenedPolicy {
  policy: PolicyRuntime;
  codec: ChainCodec;
  state: FamilyState;
  /** The fitted tokenizer of the tiny policy (checkpoints keep it); null for HF models (their folder has it). */
  tokenizer: TokenizerJSON | null;
  /** One line for the run log. */
  describe: string;
}

export interface OpenPolicyOptions {
  config: TrainConfig;
  /** The task: a new tiny policy fits its tokenizer and image size to it (unused when `from` is given). */
  data?: TaskSource;
  /** A checkpoint's family state and tokenizer (resume, initFrom); absent = a new policy from the config. */
  from?: { policy: FamilyState; tokenizer: TokenizerJSON | null };
  log: (message: string) => void;
}

/** A policy of the config's family: new, or of a checkpoint's family state (its weights are the caller's to set). */
export async function openFamilyPolicy(o: OpenPolicyOptions): Promise<OpenedPolicy> {
  const { config } = o;
  const runtime = { seed: config.seed, runtime: config.runtime, grpo: grpoLossConfig(config.rl) };
  const from = o.from?.policy;
  if (from ? isHfState(from) : isHfModel(config.model)) {
    const settings = from && isHfState(from) ? from.settings : (config.model as HfModelSettings);
    const dir = from && isHfState(from) ? from.dir : resolveHfModel(settings.hf);
    const folder = loadHfFolder(dir);
    const started = performance.now();
    const base = loadHfWeights(dir, folder.config);
    const params = [...base.values()].reduce((n, v) => n + v.length, 0);
    o.log(`loaded ${(params / 1e6).toFixed(1)} M weights from ${dir} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const eos = folder.eosTokenIds;
    const pad = folder.tokenizer.pad ?? eos[0]!;
    const policy = new HfPolicy(folder.config, {
      ...runtime,
      base,
      // Read for the policy alone: full fine-tuning updates these arrays instead of a copy of them.
      handOverBase: true,
      training: settings.lora ? 'lora' : 'full',
      ...(settings.lora ? { lora: settings.lora } : {}),
      maxTextLen: Math.min(settings.maxTextLen, folder.config.maxPositions),
      tokens: { pad, eos },
    });
    const codec = new HfChainCodec(folder.tokenizer, {
      chat: settings.chat && folder.chatTemplate !== null,
      chatTemplate: folder.chatTemplate,
      chatTemplateSource: folder.chatTemplateSource,
      systemPrompt: settings.systemPrompt,
      eosTokenIds: eos,
    });
    if (settings.chat && folder.chatTemplate === null) o.log(`${dir} has no chat template: questions go to the model as plain text`);
    const c = folder.config;
    const what = settings.lora ? `LoRA rank ${settings.lora.rank} on ${settings.lora.targetModules.join(', ')}` : 'full fine-tuning';
    return {
      policy,
      codec,
      state: { family: 'hf', dir, settings, config: c },
      tokenizer: null,
      describe: `${c.architecture} ${c.hiddenSize}d × ${c.numLayers} layers (${(params / 1e6).toFixed(1)} M), vocabulary ${c.vocabSize}, ${what}`,
    };
  }
  const tokState = o.from?.tokenizer;
  const tiny = config.model as Exclude<TrainConfig['model'], HfModelSettings>;
  const data = o.data;
  if (!from && !data) throw new Error('a new tiny policy needs its task: the tokenizer and the image size are fitted to it');
  const tok = tokState ? Tokenizer.fromJSON(tokState) : Tokenizer.fit(corpusDocuments(data!));
  if (!from && data!.imageSize < 1)
    throw new Error('the tiny policy needs an image task (data.kind synthetic or r1vl); a text dataset (jsonl) trains a Hugging Face model: set model.hf');
  const policyConfig = from ? (from as PolicyConfig) : resolvePolicyConfig({ ...tiny, vocabSize: tok.vocabSize, image: { ...tiny.image, size: data!.imageSize } });
  const policy = await createPolicySessions(policyConfig, { ...runtime, tokens: { pad: tok.pad, eos: tok.eos } });
  return {
    policy,
    codec: tok,
    state: policyConfig,
    tokenizer: tok.toJSON(),
    describe: `vocabulary ${tok.vocabSize}, policy ${policyConfig.dModel}d × ${policyConfig.nLayers} layers`,
  };
}
