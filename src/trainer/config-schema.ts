// The JSON Schema of a run config file (`*.stepgrpo.json`, `--config`), generated from the config
// types and the defaults that live beside each component (TRAIN_DEFAULTS, POLICY_DEFAULTS,
// SYNTHETIC_DEFAULTS, R1VL_DEFAULTS, REWARD_PRESETS): this file adds only what a type cannot say,
// a description and a range per field. The docs are typed over the config interfaces, so a new
// field without a description does not compile. `npm run schema` writes media/run-config.schema.json,
// which VS Code uses through `jsonValidation`, and which src/protocol/run-config-check.ts runs (ajv)
// for the trainer, the CLI and the extension's pre-start check alike.
import { REWARD_PRESETS, type RewardPresetName } from '../core/reward';
import type { RewardConfig } from '../core/reward-types';
import { POLICY_DEFAULTS, type ImageConfig, type PolicyConfig } from '../model/config';
import { TRAIN_DEFAULTS, type EvalConfig, type RlConfig, type SftConfig, type TinyModelSettings, type TrainConfig } from './config';
import { IMAGE_FITS } from './data/image-decode';
import { HF_MODEL_DEFAULTS } from './hf-settings';
import { LORA_MODULES } from '../model/hf/decoder';
import { JSONL_TEXT_DEFAULTS, type JsonlTextLoadOptions } from './data/jsonl-text';
import { R1VL_DEFAULTS, type R1vlLoadOptions } from './data/r1vl-dataset';
import { COLORS, SHAPES } from './data/scene';
import { SYNTHETIC_DEFAULTS, type SyntheticTaskOptions } from './data/synthetic-task';
import { TEMPLATE_IDS } from './data/templates';
import { ENGINE_KINDS, ENGINE_VARIABLES } from '../protocol/engine-config';

export type JsonSchema = { [key: string]: unknown };

/** One leaf field: its JSON type and what the type cannot say. */
interface Leaf {
  type: 'integer' | 'number' | 'boolean' | 'string' | 'array' | 'object';
  description: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: readonly (string | number)[];
  items?: JsonSchema;
  /** An object's values (its keys are free). */
  additionalProperties?: JsonSchema;
  nullable?: boolean;
}

type Docs<T> = { [K in keyof T]-?: Leaf };

const int = (description: string, minimum?: number, maximum?: number): Leaf => ({ type: 'integer', description, minimum, maximum });
const num = (description: string, range: Pick<Leaf, 'minimum' | 'maximum' | 'exclusiveMinimum' | 'exclusiveMaximum'> = {}): Leaf => ({ type: 'number', description, ...range });
const choice = (description: string, values: readonly string[]): Leaf => ({ type: 'string', description, enum: values });

// Upper bounds are sanity limits, far above any run this project makes, so that a slipped digit
// (sft.batchSize 1e7, rl.groupSize 1e9) fails at once instead of after SFT or out of memory.
const MAX_STEPS = 10_000_000;
const MAX_BATCH = 65_536;
const MAX_TOKENS = 131_072;

const SFT: Docs<SftConfig> = {
  steps: int(
    'SFT warm-up steps on the demonstrations before RL (0 skips SFT, e.g. with initFrom). The demo preset reuses the shipped SFT checkpoint when these settings match it.',
    0,
    MAX_STEPS,
  ),
  batchSize: int('Demonstrations per SFT step.', 1, MAX_BATCH),
  lr: num('SFT learning rate (AdamW, cosine decay).', { exclusiveMinimum: 0, maximum: 1 }),
};

const RL: Docs<RlConfig> = {
  steps: int('StepGRPO steps after SFT.', 0, MAX_STEPS),
  promptsPerStep: int('Prompts per RL step; each is sampled groupSize times.', 1, MAX_BATCH),
  groupSize: int('G: completions sampled per prompt; advantages are relative to the group (R1-VL: 4). At least 2.', 2, 1024),
  temperature: num('Sampling temperature of RL groups (R1-VL: 1.2). Log-probs for the ratio and KL are taken at this temperature.', { exclusiveMinimum: 0, maximum: 10 }),
  topP: num('Nucleus sampling threshold (1 = off).', { exclusiveMinimum: 0, maximum: 1 }),
  topK: int(
    "Sample RL groups from the k most probable tokens only (0 = off), before top-p, as transformers' top_k (tokens tied with the k-th are kept). Log-probs stay the policy's, before truncation.",
    0,
    1_000_000,
  ),
  repetitionPenalty: num(
    "transformers' repetition_penalty for RL sampling (1 = off): the logit of every token already in the sequence, prompt included, is divided by it where positive and multiplied where negative. Log-probs stay the policy's.",
    { exclusiveMinimum: 0, maximum: 10 },
  ),
  maxNewTokens: int('Longest completion, in tokens.', 1, MAX_TOKENS),
  lr: num('RL learning rate (after the warm-up).', { exclusiveMinimum: 0, maximum: 1 }),
  beta: num('β: weight of the k3 KL estimate against the frozen reference (the SFT checkpoint) (R1-VL: 0.04).', { minimum: 0, maximum: 100 }),
  epsLow: num('Lower clip range of the probability ratio (1 − ε_low).', { minimum: 0, maximum: 1 }),
  epsHigh: num('Upper clip range of the probability ratio (1 + ε_high).', { minimum: 0, maximum: 10 }),
  aggregation: choice('Loss aggregation: per-sequence mean then batch mean (as in R1-VL), or one mean over all tokens.', ['sequence', 'token']),
  scaleStd: { type: 'boolean', description: 'Divide advantages by the group std (false = Dr.GRPO).' },
  advantageEps: num('ε added to the group std (R1-VL: 1e-4).', { minimum: 0, maximum: 1 }),
  advantage: choice('"sequence" as in the paper; "step" adds each matched key step\'s credit to the tokens of its step (dense credit; measure it, do not assume it is better).', [
    'sequence',
    'step',
  ]),
  warmupSteps: int('Linear learning-rate warm-up over this many RL steps, then constant.', 0, MAX_STEPS),
  updatesPerBatch: int('Policy updates per sampled batch (R1-VL: 1). With more than one, old log-probs are computed and the ratio is clipped.', 1, 64),
  adamEps: num(
    "Adam's ε for RL steps. With a tiny ε every parameter moves about ±lr per step whatever its (mostly noise) gradient; an ε near the typical gradient (~1e-4) damps parameters with small gradients and kept lr 2e-4 from drifting.",
    { exclusiveMinimum: 0, maximum: 1 },
  ),
};

const EVAL: Docs<EvalConfig> = {
  every: int('Evaluate every N RL steps (0 = only at the end).', 0, MAX_STEPS),
  prompts: int('Held-out prompts per evaluation (greedy decoding).', 0, 1_000_000),
};

const IMAGE: Docs<ImageConfig> = {
  channels: int('Image channels.', 1, 4),
  size: int('Image side in pixels. Set by the data source (its imageSize); leave it out.', 1, 4096),
  patchSize: int('Side of a square image patch; image.size must be a multiple of it.', 1, 4096),
};

const MODEL: Docs<Omit<PolicyConfig, 'vocabSize' | 'image'>> = {
  dModel: int('Width of the decoder (a multiple of nHeads).', 1, 16_384),
  nLayers: int('Transformer layers.', 1, 256),
  nHeads: int('Attention heads.', 1, 256),
  dFF: int('Width of the feed-forward layers.', 1, 65_536),
  maxTextLen: int('Text positions after the image patches (prompt + completion).', 1, MAX_TOKENS),
  lnEps: num('LayerNorm ε.', { exclusiveMinimum: 0 }),
  initStd: num('Std of the normal initialisation (residual projections are scaled by 1/√(2·nLayers)).', { exclusiveMinimum: 0 }),
};

const SYNTHETIC: Docs<SyntheticTaskOptions> = {
  seed: int('Seed of the generated task (scenes, questions, split).', 0, 2 ** 32 - 1),
  imageSize: int('Side of the square image in pixels (at least 8 × grid).', 16, 1024),
  grid: int('Cells per side of the shape grid.', 2, 8),
  minShapes: int('Fewest shapes in a scene.', 1, 64),
  maxShapes: int('Most shapes in a scene (at most grid²).', 1, 64),
  shapes: { type: 'array', description: 'Shapes that can appear.', items: { enum: [...SHAPES] } },
  colors: { type: 'array', description: 'Colours that can appear.', items: { enum: [...COLORS] } },
  templates: { type: 'array', description: 'Question templates (counting and arithmetic).', items: { enum: [...TEMPLATE_IDS] } },
  multipleChoice: num('Fraction of questions asked as multiple choice (A–D).', { minimum: 0, maximum: 1 }),
  points: { type: 'array', description: 'Inclusive range [lo, hi] for points per shape and for the number of copies.', items: { type: 'integer' } },
  jitter: int('Largest shift of a shape from its cell centre, in pixels (at most cell/8).', 0, 128),
  trainSize: int('Training prompts.', 1, MAX_STEPS),
  evalSize: int('Held-out prompts.', 1, MAX_STEPS),
  evalFraction: num('Share of scenes held out by salted hash.', { exclusiveMinimum: 0, maximum: 1 }),
  splitSalt: { type: 'string', description: 'Salt of the train/held-out split hash.' },
  directAnswers: num('Share of training demonstrations written as a direct answer (description, then the answer; no rationale or steps).', { minimum: 0, maximum: 1 }),
  sceneInPrompt: { type: 'boolean', description: 'The text form of the task: the scene is described in the prompt and no image is given (for text-only Hugging Face models).' },
};

const R1VL: Docs<R1vlLoadOptions> = {
  imageSize: int('Side of the square image the model sees; every image is resized to it.', 1),
  fit: choice('How the aspect ratio is kept: contain letterboxes on white, cover crops the centre.', IMAGE_FITS),
  evalPath: { type: 'string', description: 'A separate held-out file in the same layout. Without it, evalFraction of the images are held out by hash.' },
  evalFraction: num('Share of images held out when there is no evalPath.', { minimum: 0, exclusiveMaximum: 1 }),
  splitSalt: { type: 'string', description: 'Salt of the held-out split hash.' },
  imageRoot: { type: 'string', description: "Folder that relative image paths are resolved against (default: the dataset file's folder)." },
  onError: choice('skip: report bad records and load the rest; throw: stop at the first one.', ['skip', 'throw']),
};

const JSONL: Docs<JsonlTextLoadOptions> = {
  evalPath: { type: 'string', description: 'A separate held-out file in the same layout. Without it, evalFraction of the questions are held out by hash.' },
  evalFraction: num('Share of questions held out when there is no evalPath.', { minimum: 0, exclusiveMaximum: 1 }),
};

const REWARD: Docs<RewardConfig> = {
  mode: choice("robust: the paper's intent with the released code's problems fixed; r1vl: the released R1-VL code exactly.", ['robust', 'r1vl']),
  alpha: num('α: weight of the key-step ratio inside r_acc (paper: 0.1).', { minimum: 0 }),
  w_acc: num('Weight of r_acc (StepRAR) in the total reward.', { minimum: 0 }),
  w_val: num('Weight of r_val (StepRVR) in the total reward (0 = outcome-only GRPO).', { minimum: 0 }),
  scope: choice('Where StepRAR looks for key steps: the step bodies (as in the paper) or the whole chain.', ['steps', 'chain']),
  numericTolerance: num('Relative tolerance for numeric answers (robust mode).', { minimum: 0 }),
};

const TOP: Record<Exclude<keyof TrainConfig, 'data' | 'model' | 'runtime' | 'sft' | 'rl' | 'reward' | 'eval'>, Leaf> & { runtime: Docs<TrainConfig['runtime']> } = {
  seed: int('Seed of the policy initialisation and of sampling.', 0, 2 ** 32 - 1),
  checkpointEvery: int('Write a checkpoint every N RL steps (0 = only at the end). Checkpoint Now writes one at any step.', 0, MAX_STEPS),
  sftCheckpointEvery: int('Write a checkpoint every N SFT steps (0 = only when SFT ends), so a killed warm-up resumes mid-SFT.', 0, MAX_STEPS),
  initFrom: {
    type: 'string',
    nullable: true,
    description:
      "Start from this checkpoint folder's parameters and tokenizer, or from a PEFT LoRA adapter folder (an HF model trained with the adapter's rank, alpha and target modules in model.lora), instead of a fresh policy (null = fresh). Restart from Checkpoint sets it.",
  },
  runtime: {
    executionProvider: choice('onnxruntime execution provider. cuda needs onnxruntime-node installed with ONNXRUNTIME_NODE_INSTALL=cuda12; webgpu needs a GPU and Vulkan.', [
      'cpu',
      'cuda',
      'webgpu',
    ]),
    deviceId: int('GPU index for cuda (0 = the first). cpu ignores it; webgpu picks its adapter itself.', 0, 255),
    providerOptions: {
      type: 'object',
      description:
        'Options handed to the execution provider as they are. webgpu: its option names (e.g. validationMode, preferredLayout; onnxruntime-node refuses unknown ones). cuda: onnxruntime-node passes no option but the device id, so any key here is an error. cpu ignores them.',
      additionalProperties: { type: ['string', 'number', 'boolean'] },
    },
    threads: int("Intra-op threads (0 = onnxruntime's default).", 0, 1024),
    microBatch: int(
      'Most sequences one log-prob or train graph run takes. Larger batches are split by length and their gradients summed before one optimizer step: less memory, the same step up to float rounding.',
      1,
      MAX_BATCH,
    ),
  },
};

function leaf(doc: Leaf, value: unknown): JsonSchema {
  const { nullable, ...rest } = doc;
  const out: JsonSchema = { ...rest, type: nullable ? [doc.type, 'null'] : doc.type };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  if (value !== undefined) out.default = value;
  return out;
}

function section(description: string, docs: Record<string, Leaf>, defaults: Record<string, unknown>): JsonSchema {
  return {
    type: 'object',
    description,
    additionalProperties: false,
    properties: Object.fromEntries(Object.entries(docs).map(([k, d]) => [k, leaf(d, defaults[k])])),
  };
}

/** A data source: its required fields (`kind` first) ahead of its options. */
function withKind(schema: JsonSchema, required: Record<string, JsonSchema>): JsonSchema {
  return { ...schema, required: Object.keys(required), properties: { ...required, ...(schema.properties as JsonSchema) } };
}

/** `model` when it names a Hugging Face model (src/trainer/hf-settings.ts). */
function hfModelSchema(): JsonSchema {
  const h = HF_MODEL_DEFAULTS;
  const lora = h.lora!;
  return {
    type: 'object',
    description: 'A Hugging Face decoder (Llama, Qwen2, Qwen3, SmolLM2) from a local folder or the Hugging Face cache.',
    additionalProperties: false,
    required: ['hf'],
    properties: {
      hf: {
        type: 'string',
        pattern: '\\S',
        description:
          'A model folder (config.json, safetensors, tokenizer.json), or a model id such as "HuggingFaceTB/SmolLM2-135M-Instruct" found in the Hugging Face cache (never downloaded by a run).',
      },
      lora: {
        description: 'LoRA adapters over the frozen model; null trains every weight (full fine-tuning).',
        default: lora,
        oneOf: [
          {
            type: 'object',
            additionalProperties: false,
            properties: {
              rank: { type: 'integer', minimum: 1, maximum: 4096, default: lora.rank, description: 'Adapter rank r.' },
              alpha: { type: 'number', exclusiveMinimum: 0, default: lora.alpha, description: 'Scale α: the update is (α / r)·B·A.' },
              targetModules: {
                type: 'array',
                items: { enum: [...LORA_MODULES] },
                minItems: 1,
                uniqueItems: true,
                default: lora.targetModules,
                description: 'Linear modules to adapt (PEFT target_modules).',
              },
            },
          },
          { type: 'null' },
        ],
      },
      maxTextLen: { type: 'integer', minimum: 2, maximum: MAX_TOKENS, default: h.maxTextLen, description: 'Longest sequence (prompt + completion) in tokens.' },
      chat: { type: 'boolean', default: h.chat, description: "Wrap questions in the model's chat template (false: plain text)." },
      systemPrompt: {
        type: ['string', 'null'],
        default: h.systemPrompt,
        description: 'The system turn before each question (null: none); by default it asks for the R1-VL chain format.',
      },
    },
  };
}

/** `engine`: an external trainer launched by Start StepGRPO Run (src/protocol/engine-config.ts); the trainer refuses such a config. */
function engineSchema(): JsonSchema {
  const variables = Object.entries(ENGINE_VARIABLES)
    .map(([name, what]) => `\${${name}} (${what})`)
    .join(', ');
  const nonBlank = { type: 'string', pattern: '\\S' };
  return {
    type: 'object',
    description: `An external engine that Start StepGRPO Run launches in a terminal, with the reward server recording into the run folder and the environment pointing the engine's reward function at it (STEPGRPO_REWARD_URL, STEPGRPO_REWARD_TOKEN, STEPGRPO_RUN_DIR). Its strings may use ${variables}. The local trainer's fields do not apply to such a run.`,
    additionalProperties: false,
    required: ['kind', 'command'],
    properties: {
      kind: { enum: [...ENGINE_KINDS], description: 'Which engine: it picks the template and how its rollout dump is named.' },
      command: {
        type: 'array',
        items: nonBlank,
        minItems: 1,
        description: 'The program and its arguments, run without a shell (e.g. ["python3", "-m", "verl.trainer.main_ppo", …]).',
      },
      cwd: { ...nonBlank, description: 'Working directory of the command (default: the workspace folder).' },
      env: { type: 'object', additionalProperties: { type: 'string' }, description: "Environment variables added for the command (they override the reward server's)." },
    },
  };
}

/** The schema of a run config file: every field optional (it is laid over a preset), none unknown. */
export function runConfigSchema(): JsonSchema {
  const d = TRAIN_DEFAULTS;
  const tiny = d.model as TinyModelSettings;
  const modelDefaults = { ...POLICY_DEFAULTS, ...tiny };
  const { image: _image, ...modelDefaultsFlat } = modelDefaults;
  const model = section('Policy sizes (a small multimodal transformer). The vocabulary comes from the fitted tokenizer.', MODEL, modelDefaultsFlat);
  (model.properties as JsonSchema).image = section('Image patching.', IMAGE, { ...POLICY_DEFAULTS.image, ...tiny.image });
  const defaultReward = d.reward as Partial<RewardConfig>;
  const presetNames = Object.keys(REWARD_PRESETS) as RewardPresetName[];
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'StepGRPO run config',
    description: 'Fields laid over the chosen preset (demo by default). Every field is optional; unknown fields are errors.',
    type: 'object',
    additionalProperties: false,
    properties: {
      seed: leaf(TOP.seed, d.seed),
      data: {
        description: 'Where prompts come from: the embedded synthetic task, a dataset in the R1-VL-10K layout, or a text reasoning dataset (JSONL).',
        default: d.data,
        oneOf: [
          withKind(
            section('The embedded synthetic task (grids of coloured shapes, counting and arithmetic).', SYNTHETIC, SYNTHETIC_DEFAULTS as unknown as Record<string, unknown>),
            { kind: { const: 'synthetic', description: 'The embedded synthetic task.' } },
          ),
          withKind(section('A dataset in the R1-VL-10K layout (image path, problem, solution, key_steps).', R1VL, R1VL_DEFAULTS), {
            kind: { const: 'r1vl', description: 'A dataset in the R1-VL-10K layout.' },
            path: { type: 'string', description: 'The dataset file (JSON or JSONL records).' },
          }),
          withKind(section('A text reasoning dataset for language models (question, answer, optional solution and key_steps); no images.', JSONL, JSONL_TEXT_DEFAULTS), {
            kind: { const: 'jsonl', description: 'A text reasoning dataset.' },
            path: { type: 'string', description: 'The dataset file (JSONL records, or one JSON array).' },
          }),
        ],
      },
      model: {
        description: 'The policy: the tiny multimodal transformer (its sizes), or a Hugging Face decoder (`hf`: a folder or a cached model id).',
        oneOf: [model, hfModelSchema()],
      },
      runtime: section('Where the graphs run.', TOP.runtime, d.runtime as unknown as Record<string, unknown>),
      sft: section("The SFT warm-up on the task's demonstrations (the default synthetic task answers half of them directly).", SFT, d.sft as unknown as Record<string, unknown>),
      rl: section(
        'StepGRPO: groups of G sampled chains per prompt, group-relative advantages, clipped policy update with a KL penalty.',
        RL,
        d.rl as unknown as Record<string, unknown>,
      ),
      reward: {
        description: 'A reward preset name, or reward settings laid over the preset of their mode (robust → stepgrpo, r1vl → r1vl-official).',
        default: d.reward,
        anyOf: [
          { type: 'string', enum: presetNames, description: 'stepgrpo: StepRAR + StepRVR; grpo-outcome: the answer only; r1vl-official: the released R1-VL code.' },
          section('Reward settings.', REWARD, { ...REWARD_PRESETS.stepgrpo, ...defaultReward }),
        ],
      },
      eval: section('Held-out evaluation.', EVAL, d.eval as unknown as Record<string, unknown>),
      checkpointEvery: leaf(TOP.checkpointEvery, d.checkpointEvery),
      sftCheckpointEvery: leaf(TOP.sftCheckpointEvery, d.sftCheckpointEvery),
      initFrom: leaf(TOP.initFrom, d.initFrom),
      engine: engineSchema(),
    },
  };
}
