// Proof of learning for a Hugging Face model: a tiny Llama-shaped folder with random weights and the
// task's own byte-level BPE (scripts/task-bpe.ts, trained on the training split only) goes through
// the same pipeline as the tiny policy — `runTraining` with `model: {hf: <folder>, lora: null}` (full
// fine-tuning) on the synthetic task's text form, SFT then StepGRPO — and the held-out accuracy after
// SFT and after RL is read from the run's own eval metrics. Afterwards both checkpoints are scored
// again prompt by prompt (greedy, the same prompts) on the held-out split and on a validation split
// (the next 200 training-distribution prompts after the 4,000 the run trains on), for paired changes.
//
//   node --import tsx scripts/hf-learning.ts '{"out":"/tmp/hf-run","model":{"hidden":160,"layers":4},"config":{"sft":{"steps":600}}}'
//
// Options: out (run folder; the model folder is <out>-model), model {hidden, layers, heads, kvHeads,
// intermediate, seed, merges}, config (a run config's sections, over the defaults below), paired
// (default true), record (a JSON file to write the result to).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveRewardConfig } from '../src/core/reward';
import type { SafeTensorInput } from '../src/engine';
import { hfParamSpecs, parseHfConfig } from '../src/model/hf/config';
import { Rng } from '../src/model/rng';
import type { TrainerEvent } from '../src/protocol/trainer-messages';
import { resolveTrainConfig } from '../src/trainer/config';
import type { Example } from '../src/trainer/data/example';
import { createTaskSource } from '../src/trainer/data/task-source';
import { loadHfFolder } from '../src/trainer/hf-folder';
import { openPolicy } from '../src/trainer/open-policy';
import { greedySampling, rollout } from '../src/trainer/rollout';
import { runTraining } from '../src/trainer/run';
import { writeSafetensorsModel } from '../src/trainer/safetensors-files';
import { writeTaskTokenizer } from './task-bpe';

interface ModelOptions {
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  intermediate: number;
  seed: number;
  merges: number;
}

const MODEL_DEFAULTS: ModelOptions = { hidden: 160, layers: 4, heads: 4, kvHeads: 2, intermediate: 432, seed: 1, merges: 1000 };

/** Writes the tokenizer and a Llama-shaped folder with N(0, 0.02) weights (output projections scaled by 1/√(2·layers)). */
export function writeTinyTaskModel(dir: string, m: ModelOptions): { vocabSize: number; params: number } {
  const bpe = writeTaskTokenizer(dir, m.merges);
  // Exactly the tokenizer's ids: padding rows could be sampled in RL, and the tokenizer cannot decode them.
  const vocabSize = bpe.vocabSize;
  const configJson = {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: m.hidden,
    intermediate_size: m.intermediate,
    num_hidden_layers: m.layers,
    num_attention_heads: m.heads,
    num_key_value_heads: m.kvHeads,
    head_dim: m.hidden / m.heads,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    max_position_embeddings: 512,
    tie_word_embeddings: false,
    vocab_size: vocabSize,
    bos_token_id: bpe.ids.endoftext,
    eos_token_id: bpe.ids.imEnd,
    pad_token_id: bpe.ids.endoftext,
    hidden_act: 'silu',
    initializer_range: 0.02,
    attention_bias: false,
    mlp_bias: false,
    pretraining_tp: 1,
    rope_scaling: null,
    torch_dtype: 'float32',
    use_cache: true,
    transformers_version: '4.51.0',
  };
  fs.writeFileSync(path.join(dir, 'config.json'), `${JSON.stringify(configJson, null, 2)}\n`);
  const generation = { eos_token_id: [bpe.ids.imEnd, bpe.ids.endoftext], pad_token_id: bpe.ids.endoftext, do_sample: false, transformers_version: '4.51.0' };
  fs.writeFileSync(path.join(dir, 'generation_config.json'), `${JSON.stringify(generation, null, 2)}\n`);
  const config = parseHfConfig(configJson, path.join(dir, 'config.json'));
  const rng = new Rng(m.seed);
  const tensors = new Map<string, SafeTensorInput>();
  let params = 0;
  for (const spec of hfParamSpecs(config)) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (/norm\.weight$/.test(spec.name)) data.fill(1);
    else {
      const std = /(o_proj|down_proj)\.weight$/.test(spec.name) ? 0.02 / Math.sqrt(2 * m.layers) : 0.02;
      for (let i = 0; i < n; i++) data[i] = std * rng.normal();
    }
    tensors.set(spec.name, { shape: spec.shape, data, dtype: 'F32' });
    params += n;
  }
  writeSafetensorsModel(dir, tensors, {
    tensors: new Map([...tensors.keys()].map((k) => [k, { file: 'model.safetensors', dtype: 'F32' as const }])),
    fileMetadata: new Map([['model.safetensors', { format: 'pt' }]]),
  });
  loadHfFolder(dir); // the folder must load as any HF model does
  return { vocabSize, params };
}

/** The run config of the experiment (before the caller's overrides). */
const RUN_DEFAULTS = {
  seed: 0,
  data: { kind: 'synthetic', sceneInPrompt: true },
  sft: { steps: 600, batchSize: 16, lr: 2e-3 },
  rl: { steps: 40, promptsPerStep: 16, groupSize: 8, maxNewTokens: 200 },
  eval: { every: 0, prompts: 200 },
  checkpointEvery: 0,
};

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isObj(v) && isObj(a[k]) ? deepMerge(a[k] as Record<string, unknown>, v) : v;
  return out;
}

interface PairedSet {
  label: string;
  examples: Example[];
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as {
    out?: string;
    model?: Partial<ModelOptions>;
    config?: Record<string, unknown>;
    paired?: boolean;
    record?: string;
    tune?: boolean;
  };
  // Tuning runs look at the validation split only: the run's own held-out evaluation shrinks to one prompt.
  if (args.tune) args.config = deepMerge(args.config ?? {}, { eval: { prompts: 1 } });
  const out = path.resolve(args.out ?? '/tmp/hf-learning');
  const modelDir = `${out}-model`;
  const m = { ...MODEL_DEFAULTS, ...args.model };
  fs.rmSync(out, { recursive: true, force: true });
  fs.rmSync(modelDir, { recursive: true, force: true });
  const written = writeTinyTaskModel(modelDir, m);
  console.log(
    `model ${modelDir}: llama ${m.hidden}d × ${m.layers} layers, ${m.heads}/${m.kvHeads} heads, ffn ${m.intermediate}, vocabulary ${written.vocabSize}, ${(written.params / 1e6).toFixed(2)} M parameters`,
  );
  const userConfig = deepMerge(RUN_DEFAULTS, args.config ?? {});
  const runConfig = deepMerge(userConfig, { model: { hf: modelDir, lora: null, maxTextLen: 320, systemPrompt: null, ...(isObj(userConfig.model) ? userConfig.model : {}) } });
  const config = resolveTrainConfig(runConfig);

  const started = Date.now();
  const loads: number[][] = [];
  const evals: { step: number; values: Record<string, number> }[] = [];
  const sftSteps: number[] = [];
  const rlSteps: number[] = [];
  const lastSft: Record<string, number>[] = [];
  const rlMetrics: { step: number; values: Record<string, number> }[] = [];
  const loadTimer = setInterval(() => loads.push(os.loadavg()), 30_000);
  const onEvent = (e: TrainerEvent): void => {
    const t = ((Date.now() - started) / 1000).toFixed(0);
    if (e.type === 'log') console.log(`[${t}s] ${e.message}`);
    if (e.type !== 'metrics') return;
    const v = e.values;
    if (e.phase === 'sft') {
      sftSteps.push(v.step_time!);
      lastSft.push(v);
      if (e.step % 25 === 0 || e.step <= 3)
        console.log(`[${t}s] sft ${e.step}: loss ${v.loss!.toFixed(4)}, ${v.step_time!.toFixed(2)} s/step, ${v.tokens_per_second!.toFixed(0)} tok/s`);
    } else if (e.phase === 'rl') {
      rlSteps.push(v.step_time!);
      rlMetrics.push({ step: e.step, values: v });
      console.log(
        `[${t}s] rl ${e.step}: answers ${v['rewards/answer/mean']?.toFixed(3)}, key steps ${v.key_step_recall?.toFixed(3)}, tied ${v.frac_reward_zero_std?.toFixed(2)}, KL ${v.kl?.toFixed(4)}, ${v.step_time!.toFixed(1)} s`,
      );
    } else {
      evals.push({ step: e.step, values: v });
      console.log(
        `[${t}s] eval @${e.step}: accuracy ${(100 * v['eval/accuracy']!).toFixed(1)} ± ${(100 * v['eval/accuracy_se']!).toFixed(1)} %, validity ${v['eval/validity_rate']?.toFixed(3)}, key steps ${v['eval/key_step_recall']?.toFixed(3)}`,
      );
    }
  };
  const summary = await runTraining({ outDir: out, config: runConfig, onEvent });
  const trainSeconds = (Date.now() - started) / 1000;
  clearInterval(loadTimer);
  console.log(`run ${summary.status} in ${trainSeconds.toFixed(0)} s`);

  // Paired: both checkpoints on the same prompts, greedy (what the run's eval does, per prompt).
  let paired: Record<string, unknown> | null = null;
  if (args.paired !== false) {
    const data = await createTaskSource(config.data);
    const n = args.tune ? 200 : config.eval.prompts;
    const validationStart = Math.max(data.trainSize, 4000);
    const extended = await createTaskSource({ ...config.data, trainSize: validationStart + n } as typeof config.data);
    const sets: PairedSet[] = [
      ...(args.tune ? [] : [{ label: 'held-out', examples: Array.from({ length: Math.min(n, data.evalSize) }, (_, i) => data.evalAt(i)) }]),
      { label: 'validation', examples: Array.from({ length: n }, (_, i) => extended.trainAt(validationStart + i)) },
    ];
    const sftDir = path.join(out, 'checkpoints', `step-${String(config.sft.steps).padStart(6, '0')}`);
    const reward = resolveRewardConfig(config.reward);
    const correctness = async (ckpt: string): Promise<Record<string, boolean[]>> => {
      const opened = await openPolicy({ checkpoint: ckpt, config });
      const res: Record<string, boolean[]> = {};
      try {
        for (const s of sets) {
          const r = await rollout({ policy: opened.policy, codec: opened.codec, examples: s.examples, sampling: greedySampling(config.rl.maxNewTokens), reward });
          res[s.label] = r.rewards.map((x) => x.answer_correct);
        }
      } finally {
        await opened.policy.release();
      }
      return res;
    };
    const before = config.rl.steps > 0 ? await correctness(sftDir) : null;
    const after = await correctness(summary.checkpoint!);
    paired = {};
    for (const s of sets) {
      const b = after[s.label]!;
      const a = before?.[s.label] ?? b;
      const k = a.length;
      const up = b.filter((c, i) => c && !a[i]).length;
      const down = b.filter((c, i) => !c && a[i]).length;
      const diff = (up - down) / k;
      const se = Math.sqrt(((up + down) / k - diff * diff) / k);
      const acc = (x: boolean[]): number => x.filter(Boolean).length / k;
      paired[s.label] = { prompts: k, sft: acc(a), rl: acc(b), change: diff, changeSe: se, up, down };
      console.log(
        `${s.label}: SFT ${(100 * acc(a)).toFixed(1)} % → RL ${(100 * acc(b)).toFixed(1)} %, change ${(100 * diff).toFixed(1)} ± ${(100 * se).toFixed(1)} points (paired; ${up} up, ${down} down)`,
      );
    }
  }

  const mean = (x: number[]): number => (x.length ? x.reduce((a, b) => a + b, 0) / x.length : NaN);
  const result = {
    model: { ...m, vocabSize: written.vocabSize, params: written.params },
    config,
    evals,
    sftLossLast25: mean(lastSft.slice(-25).map((v) => v.loss!)),
    rl: rlMetrics,
    paired,
    wallSeconds: { train: trainSeconds, total: (Date.now() - started) / 1000 },
    stepSeconds: { sftMean: mean(sftSteps), rlMean: mean(rlSteps) },
    loadAverage1m: { mean: mean(loads.map((l) => l[0]!)), max: Math.max(...loads.map((l) => l[0]!)), samples: loads.length },
    cpus: os.cpus().length,
    date: new Date().toISOString(),
  };
  const record = args.record ?? path.join(out, 'hf-learning.json');
  fs.writeFileSync(record, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${record}`);
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
  });
}
