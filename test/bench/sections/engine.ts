// Bench section `engine` (DESIGN §11): MatMul peak through ORT, the fused train step's MFU and
// tokens/s, sampling tokens/s with and without the KV cache, and train-step peak RSS (measured in a
// child process so nothing else in the bench inflates it). The peak is also re-measured between train
// steps in that child (after an idle gap), and the larger of the two medians is the MFU denominator.
// Env: STEPGRPO_EP=cpu|cuda|webgpu, STEPGRPO_THREADS (0 = ORT default), STEPGRPO_BENCH_SAMPLE_N.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { EngineSession, type ExecutionProvider, Graph, matmul, toOnnxBytes } from '../../../src/engine';
import { buildTrainGraph, contextLength, countParams, createPolicySessions, type PolicySessions, resolvePolicyConfig } from '../../../src/model';
import { TRAIN_DEFAULTS, grpoLossConfig } from '../../../src/trainer/config';
import { type BenchRow, type BenchSection, median } from '../bench-section';
import { Rng } from '../../../src/model/rng';

/** Seeded so a failure replays: rerun this file. */
const testRng = new Rng(2020);

const EP = (process.env.STEPGRPO_EP ?? 'cpu') as ExecutionProvider;
const THREADS = Number(process.env.STEPGRPO_THREADS ?? 0);
const VOCAB = 512;
const TRAIN_BATCH = 16;
const runtime = { executionProvider: EP, threads: THREADS, graphOptimization: 'all' as const };
const now = (): number => performance.now();
/** Lets the other session's intra-op threads stop spinning before the next timed run. */
const idle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 150));

function randomImage(size: number, channels: number): Float32Array {
  return Float32Array.from({ length: channels * size * size }, () => testRng.next());
}

const PEAK_SHAPES = [
  [4096, 256, 1024],
  [4096, 1024, 256],
  [2048, 2048, 2048],
] as const;

interface PeakProbe {
  shape: string;
  flops: number;
  run: () => Promise<number>;
  release: () => Promise<void>;
}

async function peakProbe([m, k, n]: readonly [number, number, number]): Promise<PeakProbe> {
  const g = new Graph('float32', 'matmul-peak');
  g.output('c', matmul(g.input('a', [m, k]), g.input('b', [k, n])));
  const s = await EngineSession.create(toOnnxBytes(g), { ...runtime, label: 'matmul-peak' });
  const feeds = {
    a: { dtype: 'float32' as const, shape: [m, k], data: Float32Array.from({ length: m * k }, () => testRng.next()) },
    b: { dtype: 'float32' as const, shape: [k, n], data: Float32Array.from({ length: k * n }, () => testRng.next()) },
  };
  return {
    shape: `${m}×${k}×${n}`,
    flops: 2 * m * k * n,
    run: async () => {
      const t0 = now();
      await s.run(feeds);
      return now() - t0;
    },
    release: () => s.release(),
  };
}

/** The fastest MatMul shape through ORT (GFLOP/s) and a probe to re-measure it. */
async function matmulPeak(): Promise<{ gflops: number; probe: PeakProbe }> {
  let best: { gflops: number; probe: PeakProbe } | undefined;
  for (const shape of PEAK_SHAPES) {
    const probe = await peakProbe(shape);
    const times: number[] = [];
    for (let i = 0; i < 12; i++) {
      const ms = await probe.run();
      if (i >= 2) times.push(ms);
    }
    const gflops = probe.flops / (median(times) / 1e3) / 1e9;
    if (!best || gflops > best.gflops) {
      await best?.probe.release();
      best = { gflops, probe };
    } else await probe.release();
  }
  return best!;
}

interface TrainChildResult {
  medianMs: number;
  /**
   * MatMul GFLOP/s: the larger of the standalone median (fastest probed shape, 10 runs back to back)
   * and the median of that shape re-run between the train steps, so load that comes and goes during
   * the bench cannot shrink the denominator below what the MatMul reached on its own.
   */
  peakGflops: number;
  peakShape: string;
  flops: number;
  tokens: number;
  maxRssMb: number;
  params: number;
}

/** Runs in the child: default-size GRPO train steps, then reports timing and peak RSS. */
async function trainChild(): Promise<TrainChildResult> {
  const cfg = resolvePolicyConfig({ vocabSize: VOCAB });
  const policy = await createPolicySessions(cfg, { seed: 1, tokens: { pad: 0, eos: 2 }, grpo: grpoLossConfig(TRAIN_DEFAULTS.rl), runtime });
  const B = TRAIN_BATCH;
  const tokens = Array.from({ length: B }, () => Array.from({ length: cfg.maxTextLen }, () => 1 + Math.floor(testRng.next() * (VOCAB - 1))));
  const rows = (f: () => number): number[][] => tokens.map((t) => t.slice(1).map(f));
  const batch = {
    images: tokens.map(() => randomImage(cfg.image.size, cfg.image.channels)),
    tokens,
    lossMask: rows(() => 1),
    lr: 1e-4,
    objective: { kind: 'grpo' as const, oldLogp: rows(() => -6), refLogp: rows(() => -6), advantages: tokens.map(() => testRng.next() * 2 - 1) },
  };
  const { gflops: standalonePeak, probe } = await matmulPeak();
  const times: number[] = [];
  const peak: number[] = [];
  for (let i = 0; i < 8; i++) {
    await idle();
    const t0 = now();
    await policy.trainStep(batch);
    if (i < 2) continue; // arena warm-up
    times.push(now() - t0);
    await idle();
    for (let r = 0; r < 3; r++) peak.push(probe.flops / ((await probe.run()) / 1e3) / 1e9);
  }
  await probe.release();
  const flops = buildTrainGraph(cfg, B, { kind: 'grpo', loss: grpoLossConfig(TRAIN_DEFAULTS.rl), advantage: 'sequence', onPolicy: false }).matmulFlops();
  return {
    medianMs: median(times),
    peakGflops: Math.max(standalonePeak, median(peak)),
    peakShape: probe.shape,
    flops,
    tokens: B * contextLength(cfg),
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    params: countParams(cfg),
  };
}

/** Generated tokens per second for n sequences from a 1-token prompt to the full context. */
async function sampleRate(policy: PolicySessions, n: number, useCache: boolean, repeats: number): Promise<number> {
  const c = policy.config;
  const req = {
    images: Array.from({ length: n }, () => randomImage(c.image.size, c.image.channels)),
    prompts: Array.from({ length: n }, () => [1]),
    seeds: Array.from({ length: n }, (_, i) => i),
    maxNewTokens: c.maxTextLen - 1,
    stopAtEos: false,
    temperature: 1,
    useCache,
  };
  await policy.sample({ ...req, maxNewTokens: 2 }); // builds the sessions
  const rates: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = now();
    const out = await policy.sample(req);
    const generated = out.completions.reduce((s, x) => s + x.length, 0);
    rates.push(generated / ((now() - t0) / 1e3));
  }
  return median(rates);
}

const section: BenchSection = {
  name: 'engine',
  async run() {
    const load = os.loadavg()[0]!;
    const child = spawnSync(process.execPath, ['--import', 'tsx', __filename], {
      env: { ...process.env, STEPGRPO_ENGINE_BENCH_CHILD: '1' },
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    const line = child.stdout.trim().split('\n').pop() ?? '';
    if (child.status !== 0 || !line.startsWith('{')) throw new Error(`train child failed: ${child.stderr.slice(-800)}`);
    const train = JSON.parse(line) as TrainChildResult;
    const achieved = train.flops / (train.medianMs / 1e3) / 1e9;
    const n = Number(process.env.STEPGRPO_BENCH_SAMPLE_N ?? 8);
    const policy = await createPolicySessions({ vocabSize: VOCAB }, { seed: 1, tokens: { pad: 0, eos: 2 }, runtime });
    const kv = await sampleRate(policy, n, true, 3);
    const kv1 = await sampleRate(policy, 1, true, 3);
    const nokv = await sampleRate(policy, n, false, 1);
    await policy.release();
    const ctx = `${(train.params / 1e6).toFixed(2)}M params, ${train.tokens} tokens/step, ep=${EP}`;
    const rows: BenchRow[] = [
      { key: 'engine.load_avg_1m', value: Math.max(load, os.loadavg()[0]!), note: `load average (1 min) on ${os.cpus().length} cores, the higher of start and end` },
      { key: 'engine.matmul_peak_gflops', value: train.peakGflops, note: `GFLOP/s, ${train.peakShape} (fastest probed shape): max of standalone and between-train-steps medians` },
      { key: 'engine.train_step_ms', value: train.medianMs, note: `median fused GRPO fwd+bwd+AdamW step, ${ctx}` },
      { key: 'engine.train_gflops', value: achieved, note: `MatMul/Gemm FLOPs of the train graph (${(train.flops / 1e9).toFixed(1)} GFLOP, fwd + bwd) / step time` },
      { key: 'engine.train_mfu', value: achieved / train.peakGflops, note: 'train GFLOP/s ÷ MatMul peak (target ≥ 0.40)' },
      { key: 'engine.train_tokens_per_s', value: train.tokens / (train.medianMs / 1e3), note: 'positions (patches + text) per second' },
      { key: 'engine.train_rss_mb', value: train.maxRssMb, note: 'peak RSS of a child doing default-size train steps (target < 4096)' },
      { key: 'engine.sample_tokens_per_s_kv', value: kv, note: `${n} sequences to 256 positions, KV cache (median of 3)` },
      { key: 'engine.sample_tokens_per_s_kv_n1', value: kv1, note: `1 sequence to 256 positions, KV cache (median of 3): ${(1e3 / kv1).toFixed(2)} ms/token` },
      { key: 'engine.sample_tokens_per_s_nokv', value: nokv, note: `${n} sequences to 256 positions, full recomputation` },
      { key: 'engine.sample_kv_speedup', value: kv / nokv, note: 'target ≥ 5' },
    ];
    return rows;
  },
};

export default section;

if (process.env.STEPGRPO_ENGINE_BENCH_CHILD === '1') {
  trainChild()
    .then((r) => console.log(JSON.stringify(r)))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
