// The run config: every knob of a run, with defaults beside it. The resolved config is written to
// config.json before step 0 and into every checkpoint.
import type { RewardConfig } from '../core/reward-types';
import type { RewardPresetName } from '../core/reward';
import { POLICY_DEFAULTS, type PolicyConfigInput } from '../model/config';
import { MICRO_BATCH_DEFAULT } from '../model/policy';
import type { GrpoLossConfig } from '../model/loss';
import type { ExecutionProvider, ProviderOptions } from '../engine';
import type { DataConfig } from './data/task-source';
import { type HfModelSettings, resolveHfModelSettings } from './hf-settings';
import type { RunPresetName } from '../protocol/run-presets';
import { checkRunConfig, describeIssues } from '../protocol/run-config-check';

export interface SftConfig {
  steps: number;
  batchSize: number;
  lr: number;
}

export interface RlConfig {
  steps: number;
  /** Prompts per step; each is sampled `groupSize` times. */
  promptsPerStep: number;
  /** G in the paper (R1-VL: 4). */
  groupSize: number;
  /** Sampling temperature for RL groups (R1-VL: 1.2). */
  temperature: number;
  topP: number;
  /** Keep the k most probable tokens (0 = off), before top-p. */
  topK: number;
  /** transformers' repetition_penalty for RL sampling (1 = off). */
  repetitionPenalty: number;
  maxNewTokens: number;
  lr: number;
  /** KL coefficient β (R1-VL: 0.04). */
  beta: number;
  epsLow: number;
  epsHigh: number;
  aggregation: 'sequence' | 'token';
  /** false = Dr.GRPO (no std scaling of advantages). */
  scaleStd: boolean;
  /** Added to the group std (R1-VL: 1e-4). */
  advantageEps: number;
  /** 'sequence' as in the paper; 'step' adds each matched key step's credit to its step's tokens. */
  advantage: 'sequence' | 'step';
  /** RL learning-rate warm-up: linear over this many steps, then constant. */
  warmupSteps: number;
  /** Policy updates per sampled batch (R1-VL: 1). With more than one, old log-probs are computed and the ratio is clipped. */
  updatesPerBatch: number;
  /**
   * Adam's ε for RL steps. A batch's policy gradient is mostly sampling noise per parameter; with a
   * tiny ε Adam scales every parameter's step to about ±lr whatever its gradient, so noise moves the
   * weights as far as signal does. An ε near the typical gradient (~1e-4 here) damps parameters with
   * small gradients: at lr 2e-4 it kept validation accuracy from drifting (docs/trainer.md).
   */
  adamEps: number;
}

export interface EvalConfig {
  /** Evaluate every N RL steps (0 = only at the end). */
  every: number;
  /** Held-out prompts per evaluation (greedy decoding). */
  prompts: number;
}

export interface RuntimeConfig {
  executionProvider: ExecutionProvider;
  /** The GPU the cuda provider uses. */
  deviceId: number;
  /** Handed to the provider as they are (webgpu's option names; onnxruntime-node takes none for cuda). */
  providerOptions: ProviderOptions;
  threads: number;
  microBatch: number;
}

/** The tiny policy's sizes in a run config. */
export type TinyModelSettings = Omit<Partial<PolicyConfigInput>, 'vocabSize'>;

export interface TrainConfig {
  seed: number;
  data: DataConfig;
  /**
   * The tiny policy's sizes (vocabSize comes from the fitted tokenizer, image size from the data),
   * or a Hugging Face model: `{hf, lora, maxTextLen, chat, systemPrompt}` (hf-settings.ts).
   */
  model: TinyModelSettings | HfModelSettings;
  /** How the graphs run; it changes memory and speed, not results (beyond float summation order). */
  runtime: RuntimeConfig;
  sft: SftConfig;
  rl: RlConfig;
  /** A reward preset name or a full reward config (DESIGN §5). */
  reward: RewardPresetName | Partial<RewardConfig>;
  eval: EvalConfig;
  /** Write a checkpoint every N RL steps (0 = only at the end). */
  checkpointEvery: number;
  /** Write a checkpoint every N SFT steps (0 = only when SFT ends); `--resume` continues mid-SFT from it. */
  sftCheckpointEvery: number;
  /** Start from this checkpoint's parameters and tokenizer instead of a fresh policy (null = fresh). */
  initFrom: string | null;
}

export const TRAIN_DEFAULTS: TrainConfig = {
  seed: 0,
  data: { kind: 'synthetic' },
  // The policy's sizes, written out so config.json records them (the shipped SFT checkpoint is
  // matched on them); the numbers live in src/model/config.ts.
  model: {
    dModel: POLICY_DEFAULTS.dModel,
    nLayers: POLICY_DEFAULTS.nLayers,
    nHeads: POLICY_DEFAULTS.nHeads,
    dFF: POLICY_DEFAULTS.dFF,
    maxTextLen: POLICY_DEFAULTS.maxTextLen,
    image: { patchSize: POLICY_DEFAULTS.image.patchSize },
  },
  runtime: { executionProvider: 'cpu', deviceId: 0, providerOptions: {}, threads: 0, microBatch: MICRO_BATCH_DEFAULT },
  sft: { steps: 3000, batchSize: 16, lr: 2e-3 },
  // RL defaults measured on the default task (docs/trainer.md): R1-VL's G = 4, T = 1.2, α = 0.1
  // and one update per batch at lr 2e-5 left held-out accuracy where SFT put it. Here G = 8 and 16
  // prompts per step for a less noisy gradient, T = 1.3 because the SFT policy is confident
  // (entropy ~0.03 nat/token at T = 1; at 1.3, pass@8 is 87 % against 57 % greedy), lr 5e-5 after a
  // 10-step warm-up (2e-4 drifted, KL 0.27, and lost 12 points), β = 0.04 as in the paper.
  rl: {
    steps: 60,
    promptsPerStep: 16,
    groupSize: 8,
    temperature: 1.3,
    topP: 1,
    topK: 0,
    repetitionPenalty: 1,
    maxNewTokens: 200,
    lr: 5e-5,
    beta: 0.04,
    epsLow: 0.2,
    epsHigh: 0.2,
    aggregation: 'sequence',
    scaleStd: true,
    advantageEps: 1e-4,
    advantage: 'sequence',
    updatesPerBatch: 1,
    warmupSteps: 10,
    adamEps: 1e-8,
  },
  // StepRAR with α = 3 (the paper: 0.1): at 0.1 the key steps carry under 0.1 % of the within-group
  // reward variance, so a chain that skips them loses nothing; at 3 they outweigh the answer.
  reward: { mode: 'robust', alpha: 3 },
  // The whole held-out split: 64-prompt evaluations swing by ±5–15 points.
  eval: { every: 10, prompts: 200 },
  checkpointEvery: 10,
  // A checkpoint is ~18 MB for the default policy; 500 steps is ~3 minutes of the CPU warm-up.
  sftCheckpointEvery: 500,
  initFrom: null,
};

/** The loss settings the policy's GRPO graphs take: the one source is the run's rl config. */
export function grpoLossConfig(rl: Pick<RlConfig, 'beta' | 'epsLow' | 'epsHigh' | 'aggregation'>): GrpoLossConfig {
  return { beta: rl.beta, epsLow: rl.epsLow, epsHigh: rl.epsHigh, aggregation: rl.aggregation };
}

/** Presets a user picks by name (CLI `--preset`, the palette's Start StepGRPO Run). */
export const TRAIN_PRESETS: Record<RunPresetName, (base: TrainConfig) => TrainConfig> = {
  /** The embedded default: real learning in a couple of minutes on a laptop CPU. */
  demo: (b) => b,
  /** A quick functional check: seconds, no claim of learning. */
  smoke: (b) => ({
    ...b,
    data: { kind: 'synthetic', trainSize: 64, evalSize: 8 },
    model: { dModel: 32, nLayers: 1, nHeads: 2, dFF: 64, maxTextLen: 160, image: { patchSize: 8 } },
    sft: { steps: 3, batchSize: 4, lr: 1e-3 },
    rl: { ...b.rl, steps: 2, promptsPerStep: 2, groupSize: 2, maxNewTokens: 16 },
    eval: { every: 0, prompts: 2 },
    checkpointEvery: 1,
    sftCheckpointEvery: 1,
  }),
  /** Outcome-only GRPO baseline on the same budget, for comparison with StepGRPO. */
  'grpo-outcome': (b) => ({ ...b, reward: 'grpo-outcome' }),
  /** Full-chain demonstrations only: SFT alone gets the task's counting right about as far as RL can. */
  clean: (b) => ({ ...b, data: { kind: 'synthetic', directAnswers: 0 } }),
  /** The harder task: 4×4 grid of 12 px cells, four colours, up to 9 shapes (patches still one per cell). */
  hard: (b) => ({
    ...b,
    data: { kind: 'synthetic', grid: 4, colors: ['red', 'green', 'blue', 'yellow'], maxShapes: 9 },
    model: { ...b.model, image: { patchSize: 12 } },
  }),
};

/** The preset of that name applied to the defaults; an error naming the known presets otherwise. */
export function presetConfig(name: string): TrainConfig {
  if (!Object.hasOwn(TRAIN_PRESETS, name)) throw new Error(`unknown preset "${name}" (expected ${Object.keys(TRAIN_PRESETS).join(', ')})`);
  return TRAIN_PRESETS[name as RunPresetName](TRAIN_DEFAULTS);
}

const isPlainObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * A user config laid over `base` (a preset). Both the user config and the result must pass the run
 * config check (src/protocol/run-config-check.ts), so a preset, a flag or a file cannot produce a
 * config the editor would refuse; the error lists every problem by its dotted field.
 */
export function resolveTrainConfig(user: unknown = {}, base: TrainConfig = TRAIN_DEFAULTS): TrainConfig {
  const own = checkRunConfig(user);
  if (own.length) throw new Error(describeIssues(own));
  const merged = mergeConfig(base as unknown as Record<string, unknown>, user as Record<string, unknown>, '') as unknown as TrainConfig;
  const resolved = checkRunConfig(merged);
  if (resolved.length) throw new Error(describeIssues(resolved));
  return merged;
}

// Sections a user value replaces or extends as a whole instead of field by field: the data source
// (another kind has other fields), a reward preset name, the model (a Hugging Face model replaces
// the tiny sizes) and the provider options.
const OPEN_SECTIONS = new Set(['data', 'reward', 'model', 'runtime.providerOptions']);

/** Deep merge of a checked user config over `base`. */
function mergeConfig(base: Record<string, unknown>, user: Record<string, unknown>, at: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(user)) {
    const field = at ? `${at}.${key}` : key;
    const b = base[key];
    if (field === 'model' && isPlainObject(value) && 'hf' in value) out[key] = resolveHfModelSettings(value as Parameters<typeof resolveHfModelSettings>[0]);
    else if (OPEN_SECTIONS.has(field)) out[key] = isPlainObject(value) && isPlainObject(b) && field !== 'data' ? { ...b, ...value } : value;
    else out[key] = isPlainObject(value) && isPlainObject(b) ? mergeConfig(b, value, field) : value;
  }
  return out;
}
