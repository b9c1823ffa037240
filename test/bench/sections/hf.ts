// Hugging Face decoders on published shapes with random weights (speed and memory do not depend on
// the values), each measurement in its own process so its peak memory is its own:
// - one StepGRPO step's work on a SmolLM2-135M shape with LoRA (4 prompts × G 4 × 256 new tokens),
//   with the phase split;
// - sampling against llama.cpp (node-llama-cpp, same F32 weights as GGUF, same prompts) for one
//   sequence and a batch of 16, and the weight-streaming floor of one sequence;
// - one LoRA step on a Qwen2.5-0.5B shape (4 prompts × G 4 × 128 new tokens);
// - one fully fine-tuned SFT train step of the SmolLM2-135M shape on one micro-batch, with the
//   staged memory-saving gradients (its default at this size) and with the one gradient graph,
//   interleaved (one graph, staged, one graph, staged), medians printed.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { type BenchRow, type BenchSection, median } from '../bench-section';

function child<T>(script: string, args: object): T {
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', script), JSON.stringify(args)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}

interface StepResult {
  sample: number;
  logprobs: number;
  update: number;
  step: number;
  generated: number;
  params: number;
  peakRssMb: number;
}

interface TrainResult {
  seconds: number;
  peakRssMb: number;
}

/** Sequences × positions of the train micro-batch: HF_MICRO_BATCH_TOKENS (512) in one run. */
const TRAIN_BATCH = { training: 'full', sequences: 4, length: 128 } as const;

function trainRows(): BenchRow[] {
  const runs = [false, undefined, false, undefined].map((memorySaving) => ({ memorySaving, r: child<TrainResult>('hf-train-run.ts', { ...TRAIN_BATCH, memorySaving }) }));
  const of = (staged: boolean, key: keyof TrainResult): number => median(runs.filter((x) => (x.memorySaving === undefined) === staged).map((x) => x.r[key]));
  const what = `SmolLM2-135M shape, full fine-tuning, one SFT micro-batch of ${TRAIN_BATCH.sequences} × ${TRAIN_BATCH.length}`;
  const prefix = 'hf.smollm2_135m.train_full';
  return [
    { key: `${prefix}.peak_rss_mb`, value: of(true, 'peakRssMb'), note: `${what}, staged gradients: peak RSS, MiB (median of 2)` },
    { key: `${prefix}.one_graph_peak_rss_mb`, value: of(false, 'peakRssMb'), note: 'the same with the one gradient graph (memorySaving false)' },
    { key: `${prefix}.peak_rss_ratio`, value: of(true, 'peakRssMb') / of(false, 'peakRssMb'), note: 'staged ÷ one graph' },
    { key: `${prefix}.step_s`, value: of(true, 'seconds'), note: `${what}, staged: seconds, sessions built included (median of 2)` },
    { key: `${prefix}.one_graph_step_s`, value: of(false, 'seconds'), note: 'the same with the one gradient graph' },
    { key: `${prefix}.step_ratio`, value: of(true, 'seconds') / of(false, 'seconds'), note: 'staged ÷ one graph' },
  ];
}

interface SampleResult {
  floorTokensPerS: number;
  weightBytes: number;
  ours1: number;
  ours16: number;
  llama1: number;
  llama16: number;
  peakRssMb: number;
}

function stepRows(prefix: string, what: string, r: StepResult): BenchRow[] {
  return [
    { key: `${prefix}.step_s`, value: r.step, note: `${what}: sampling + reference log-probs + LoRA update, seconds` },
    { key: `${prefix}.step_split`, value: { sample: r.sample, logprobs: r.logprobs, update: r.update }, note: 'seconds per phase' },
    { key: `${prefix}.sample_tokens_per_s`, value: r.generated / r.sample, note: `${what}: generated tokens per second in the step` },
    { key: `${prefix}.peak_rss_mb`, value: r.peakRssMb, note: `${what}: peak resident memory, MiB (${(r.params / 1e6).toFixed(1)} M weights in float32)` },
  ];
}

const section: BenchSection = {
  name: 'hf',
  async run() {
    const load = os.loadavg()[0]!;
    const smol = child<StepResult>('hf-step-run.ts', { shape: 'smollm2-135m', prompts: 4, group: 4, newTokens: 256, promptTokens: 64 });
    const s = child<SampleResult>('hf-sample-run.ts', {});
    const qwen = child<StepResult>('hf-step-run.ts', { shape: 'qwen2.5-0.5b', prompts: 4, group: 4, newTokens: 128, promptTokens: 64 });
    const train = trainRows();
    return [
      ...stepRows('hf.smollm2_135m', 'SmolLM2-135M shape, LoRA r 16 on all 7 linears, 4 × G 4 × 256 tokens', smol),
      {
        key: 'hf.sample.floor_tokens_per_s',
        value: s.floorTokensPerS,
        note: `one read of all ${(s.weightBytes / 2 ** 20).toFixed(0)} MiB of weights per token: the bound on one sequence`,
      },
      { key: 'hf.sample.ours_1_tokens_per_s', value: s.ours1, note: 'ours, one sequence, greedy, 64-token prompt + 128 new' },
      { key: 'hf.sample.ours_1_vs_floor', value: s.ours1 / s.floorTokensPerS, note: 'fraction of the floor (target ≥ 0.5)' },
      { key: 'hf.sample.llama_cpp_1_tokens_per_s', value: s.llama1, note: 'llama.cpp (node-llama-cpp 3.21.1, CPU, F32 weights, F16 KV cache), same prompt' },
      { key: 'hf.sample.ours_vs_llama_cpp_1', value: s.ours1 / s.llama1, note: 'one sequence (target ≥ 0.5)' },
      { key: 'hf.sample.ours_16_tokens_per_s', value: s.ours16, note: 'ours, 16 sequences' },
      { key: 'hf.sample.llama_cpp_16_tokens_per_s', value: s.llama16, note: 'llama.cpp, 16 sequences in one context (its batching)' },
      { key: 'hf.sample.ours_vs_llama_cpp_16', value: s.ours16 / s.llama16, note: 'batch of 16 (target > 1)' },
      ...stepRows('hf.qwen25_05b', 'Qwen2.5-0.5B shape, LoRA r 16 on all 7 linears, 4 × G 4 × 128 tokens', qwen),
      ...train,
      { key: 'hf.load_average', value: load, note: '1-minute load average when the section started' },
      { key: 'hf.load_average_end', value: os.loadavg()[0]!, note: '1-minute load average when the section ended' },
    ];
  },
};

export default section;
