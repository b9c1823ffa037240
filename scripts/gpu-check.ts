// GPU check (issue 23): one SFT and one GRPO train step, the forward log-probs and greedy sampling
// run on a GPU execution provider and on the CPU from the same parameters and inputs, compared to the
// tolerances below and timed (median of 3 runs after one warm-up). Exit 0 when all pass, or with one
// line `gpu-check: skipped — <why>` where no GPU provider works (so CI on CPU machines passes);
// exit 1 naming each comparison that failed.
//   node --import tsx scripts/gpu-check.ts                    # cuda, else webgpu
//   node --import tsx scripts/gpu-check.ts --ep cuda --device-id 1
//   node --import tsx scripts/gpu-check.ts --ep cpu           # self-check of this script: CPU against
//                                                             # CPU, every tolerance 0, all must pass
import { performance } from 'node:perf_hooks';
import { intOption, parseArgs, stringOption } from '../src/cli/args';
import { ADAMW_DEFAULTS, type ExecutionProvider, backendAvailability, explainProviderFailure } from '../src/engine';
import {
  type ParamValues,
  type PolicySessions,
  Rng,
  type SampleRequest,
  type SampleResult,
  type TrainBatch,
  createPolicySessions,
  initParams,
  resolvePolicyConfig,
} from '../src/model';
import { TRAIN_DEFAULTS, grpoLossConfig } from '../src/trainer/config';

// Small but every part real: 4 layers, 16 image patches, 128 text positions, 3.4M parameters.
const CONFIG = resolvePolicyConfig({ vocabSize: 512, dModel: 256, nHeads: 4, nLayers: 4, dFF: 1024, maxTextLen: 128, image: { channels: 3, size: 32, patchSize: 8 } });
const SEED = 7;
const TOKENS = { pad: 0, eos: 2 };
const BOS = 1;
const PROMPT = 8;
const LENGTHS = [96, 80, 72, 64, 48, 40, 32, 24];
const LR = 1e-4;
// Adam's first step moves a weight by lr·g/(|g| + ε) whatever |g| is: with ε = 1e-8 a gradient that is
// float noise (the key bias's, ~1e-13 here) steps ±lr on either side. At 1e-4 a change Δg in the
// gradient moves the weight by at most lr·Δg/ε, so the parameters compare the gradients.
const ADAM_EPS = 1e-4;
const NEW_TOKENS = 64;

// CUDA runs float32 MatMul/Gemm in TF32 (ORT's use_tf32 defaults on and onnxruntime-node passes the cuda
// provider nothing but the device id): inputs rounded to 10 mantissa bits, 2^-11 ≈ 5e-4 relative. On
// the CPU, this model with only its weights rounded to TF32 moved loss, grad norm and GRPO metrics by
// ≤ 1.2e-5 (relative, absolute below 1), log-probs by ≤ 4.5e-4 nat and the first AdamW step by
// ≤ 0.042·lr. The tolerances leave ≥ 6× for activations and gradients rounded as well; weights all
// scaled by 1.01 exceed them (log-probs by 3e-2, grad norm by 1.5e-2, SFT loss by 2.6e-4). WebGPU computes
// in plain float32 and sits far inside them.
const GPU_TOL = {
  /** Loss, grad norm, GRPO metrics: relative, absolute below 1 (a GRPO loss is near 0). */
  scalar: 1e-4,
  /** Every parameter after one AdamW step, absolute: a quarter of the step a weight takes. */
  params: 0.25 * LR,
  /** Log-probs of the same tokens, in nats. */
  logp: 1e-2,
  /**
   * Greedy tokens that must agree. A random-init model's top two logits are sometimes closer than
   * TF32's noise, so a later flip is allowed, but only at a near-tie: where the CPU rates the GPU's
   * token within `logp` of its own pick.
   */
  sameTokens: 16,
};
const SELF_TOL: typeof GPU_TOL = { scalar: 0, params: 0, logp: 0, sameTokens: NEW_TOKENS };

interface Row {
  what: string;
  cpuMs?: number;
  gpuMs?: number;
  abs: string;
  rel: string;
  tol: string;
  ok: boolean;
}
type Times = Pick<Row, 'cpuMs' | 'gpuMs'>;

const fmt = (x: number): string => (x === 0 ? '0' : x.toExponential(1));
const copy = (p: ParamValues): ParamValues => new Map([...p].map(([k, v]) => [k, v.slice()]));
const zeros = (p: ParamValues): ParamValues => new Map([...p].map(([k, v]) => [k, new Float32Array(v.length)]));

/** Max absolute and relative (to the larger magnitude) difference of two equally shaped number lists. */
function diff(a: Iterable<ArrayLike<number>>, b: Iterable<ArrayLike<number>>): { abs: number; rel: number } {
  let abs = 0;
  let rel = 0;
  const bs = [...b];
  [...a].forEach((x, k) => {
    const y = bs[k]!;
    for (let i = 0; i < x.length; i++) {
      const d = Math.abs(x[i]! - y[i]!);
      abs = Math.max(abs, d);
      if (d > 0) rel = Math.max(rel, d / Math.max(Math.abs(x[i]!), Math.abs(y[i]!)));
    }
  });
  return { abs, rel };
}

/** Median of 3 timed runs after one warm-up (the warm-up builds the phase's session); `before` runs untimed before each. */
async function timed<T>(before: () => void, op: () => Promise<T>): Promise<{ out: T; ms: number }> {
  before();
  let out = await op();
  const ms: number[] = [];
  for (let i = 0; i < 3; i++) {
    before();
    const t0 = performance.now();
    out = await op();
    ms.push(performance.now() - t0);
  }
  return { out, ms: ms.sort((x, y) => x - y)[1]! };
}

const policy = (ep: ExecutionProvider, deviceId: number, params: ParamValues): Promise<PolicySessions> =>
  createPolicySessions(CONFIG, {
    params,
    tokens: TOKENS,
    grpo: grpoLossConfig(TRAIN_DEFAULTS.rl),
    optimizer: { adamw: ADAMW_DEFAULTS, maxGradNorm: 1 },
    runtime: { executionProvider: ep, deviceId, threads: 0, microBatch: LENGTHS.length },
  });

/**
 * The GPU policy, or why its provider cannot run: not listed by this onnxruntime-node build, or
 * refused when the first session is created (that is where a missing library or adapter shows).
 */
async function openGpu(ep: ExecutionProvider, deviceId: number, params: ParamValues, probe: TrainBatch): Promise<PolicySessions | string> {
  if (!backendAvailability().some((b) => b.name === ep)) return explainProviderFailure(ep, 'this onnxruntime-node build does not list it');
  const p = await policy(ep, deviceId, copy(params));
  try {
    await p.logprobs(probe);
    return p;
  } catch (err) {
    await p.release();
    const msg = (err as Error).message;
    const known = explainProviderFailure(ep, '\0').split('\0')[0]!;
    // Any other error is a real failure of the check, not a missing GPU.
    if (!msg.includes(known)) throw err;
    return msg.slice(msg.indexOf(known)).replace(/\s+/g, ' ').trim();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs(process.argv.slice(2), { ep: stringOption, 'device-id': intOption(0) });
  const eps = values.ep ? [values.ep] : ['cuda', 'webgpu'];
  if (!eps.every((e) => ['cuda', 'webgpu', 'cpu'].includes(e))) throw new Error(`--ep: expected cuda, webgpu or cpu, got "${values.ep}"`);
  const deviceId = values['device-id'] ?? 0;

  const rng = new Rng(23);
  const tokens = LENGTHS.map((n) => [BOS, ...Array.from({ length: n - 1 }, () => 3 + Math.floor(rng.next() * (CONFIG.vocabSize - 3)))]);
  const images = tokens.map(() => Float32Array.from({ length: CONFIG.image.channels * CONFIG.image.size ** 2 }, () => rng.next()));
  const lossMask = LENGTHS.map((n) => Array.from({ length: n - 1 }, (_, j) => (j >= PROMPT - 1 ? 1 : 0)));
  const sft: TrainBatch = { images, tokens, lossMask, objective: { kind: 'sft' }, lr: LR, adamEps: ADAM_EPS };

  // Both policies start from the same parameters (one seed's initialisation, copied).
  const init = initParams(CONFIG, SEED);
  const skipped: string[] = [];
  let found: PolicySessions | undefined;
  for (const ep of eps as ExecutionProvider[]) {
    const g = await openGpu(ep, deviceId, init, sft);
    if (typeof g !== 'string') {
      found = g;
      break;
    }
    skipped.push(eps.length > 1 ? `${ep}: ${g}` : g);
  }
  if (!found) {
    console.log(`gpu-check: skipped — ${eps.length > 1 ? 'no GPU execution provider works: ' : ''}${skipped.join('; ')}`);
    return;
  }
  const gpu = found;
  const cpu = await policy('cpu', 0, copy(init));
  const ep = gpu.runtime.executionProvider;
  const tol = ep === 'cpu' ? SELF_TOL : GPU_TOL;
  const rows: Row[] = [];
  const reset = (p: PolicySessions) => (): void => {
    p.setParams(copy(init));
    p.setOptimizerState({ step: 0, m: zeros(init), v: zeros(init) });
  };
  const both = async <T>(before: (p: PolicySessions) => () => void, op: (p: PolicySessions) => Promise<T>) => {
    const c = await timed(before(cpu), () => op(cpu));
    const g = await timed(before(gpu), () => op(gpu));
    return { c: c.out, g: g.out, times: { cpuMs: c.ms, gpuMs: g.ms } };
  };
  const scalarRow = (what: string, a: number[], b: number[], times: Times = {}): Row => {
    const d = diff([a], [b]);
    const ok = a.every((x, i) => Math.abs(x - b[i]!) <= tol.scalar * Math.max(1, Math.abs(x)));
    return { what, ...times, abs: fmt(d.abs), rel: fmt(d.rel), tol: `rel ≤ ${fmt(tol.scalar)}`, ok };
  };
  const paramRow = (what: string): Row => {
    const d = diff(
      cpu.params.values(),
      [...cpu.params.keys()].map((k) => gpu.params.get(k)!),
    );
    // Relative to the step: per tensor, the largest difference over the largest change (a weight's own
    // value is no scale: biases start at 0).
    let rel = 0;
    for (const [k, a] of cpu.params) {
      const [dd, step] = [diff([a], [gpu.params.get(k)!]), diff([a], [init.get(k)!])];
      if (dd.abs > 0) rel = Math.max(rel, dd.abs / step.abs);
    }
    return { what, abs: fmt(d.abs), rel: fmt(rel), tol: `abs ≤ ${fmt(tol.params)}`, ok: d.abs <= tol.params };
  };
  const logpRow = (what: string, a: readonly number[][], b: readonly number[][], times: Times = {}): Row => {
    const d = diff(a, b);
    return { what, ...times, abs: fmt(d.abs), rel: fmt(d.rel), tol: `abs ≤ ${fmt(tol.logp)}`, ok: d.abs <= tol.logp };
  };

  const fwd = await both(
    () => () => {},
    (p) => p.logprobs(sft),
  );
  rows.push(logpRow('log-probs (forward)', fwd.c.logp, fwd.g.logp, fwd.times));

  // GRPO off-policy so the clipped ratio is exercised; each token's ratio exp(−offset) lies ≥ 0.13 in
  // log space from the clip edges 0.8 and 1.2, so float noise cannot move a token across one.
  const offsets = [-0.5, -0.05, 0.05, 0.5];
  const grpo: TrainBatch = {
    ...sft,
    objective: {
      kind: 'grpo',
      refLogp: fwd.c.logp.map((row, i) => row.map((x, j) => x + 0.1 * Math.sin(i + j))),
      oldLogp: fwd.c.logp.map((row, i) => row.map((x, j) => x + offsets[(i + j) % 4]!)),
      advantages: LENGTHS.map((_, i) => (i % 3) - 1 + 0.25 * i),
    },
  };
  for (const [name, batch] of [
    ['SFT', sft],
    ['GRPO', grpo],
  ] as const) {
    // Each run starts from the same parameters and fresh moments: the step compared is the first one.
    const s = await both(reset, (p) => p.trainStep(batch));
    rows.push(scalarRow(`${name} step: loss`, [s.c.loss], [s.g.loss], s.times));
    rows.push(scalarRow(`${name} step: grad norm`, [s.c.gradNorm], [s.g.gradNorm]));
    const keys = Object.keys(s.c.metrics).sort();
    if (keys.length)
      rows.push(
        scalarRow(
          `${name} step: ${keys.join(', ')}`,
          keys.map((k) => s.c.metrics[k]!),
          keys.map((k) => s.g.metrics[k] ?? NaN),
        ),
      );
    rows.push(paramRow(`${name} step: params`));
  }

  // Sampling starts from the shared initial parameters again, not from each side's own train step.
  reset(cpu)();
  reset(gpu)();
  const one: SampleRequest = { images: [images[0]!], prompts: [tokens[0]!.slice(0, PROMPT)], seeds: [0], temperature: 0, maxNewTokens: NEW_TOKENS };
  // Prompts of 6 to 8 tokens: the prefill covers the first 5, decode steps the rest (a ragged batch).
  const eight: SampleRequest = { ...one, images, prompts: tokens.map((t, i) => t.slice(0, PROMPT - (i % 3))), seeds: tokens.map((_, i) => i) };
  for (const [name, req] of [
    ['greedy ×1', one],
    ['greedy ×8', eight],
  ] as const) {
    const s = await both(
      () => () => {},
      (p) => p.sample(req),
    );
    rows.push(await tokenRow(`${name}: tokens`, cpu, req, s.c, s.g, tol, s.times));
    const agree = s.c.completions.map((x, i) => firstDifference(x, s.g.completions[i]!));
    rows.push(
      logpRow(
        `${name}: log-probs`,
        s.c.logprobs.map((r, i) => r.slice(0, agree[i])),
        s.g.logprobs.map((r, i) => r.slice(0, agree[i])),
      ),
    );
  }
  await cpu.release();
  await gpu.release();

  const header = ['what', 'cpu ms', `${ep === 'cpu' ? 'cpu #2' : ep} ms`, 'max |Δ|', 'max rel', 'tolerance', 'result'];
  const table = rows.map((r) => [r.what, r.cpuMs?.toFixed(1) ?? '', r.gpuMs?.toFixed(1) ?? '', r.abs, r.rel, r.tol, r.ok ? 'pass' : 'FAIL']);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  for (const r of [header, ...table]) console.log(r.map((x, i) => (i === 1 || i === 2 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join('  '));
  const failed = rows.filter((r) => !r.ok).map((r) => r.what);
  if (failed.length) {
    console.log(`gpu-check: FAILED (${ep} against cpu) — ${failed.join('; ')}`);
    process.exitCode = 1;
  } else console.log(`gpu-check: passed (${ep} against cpu, ${rows.length} comparisons)`);
}

const firstDifference = (x: readonly number[], y: readonly number[]): number => {
  let d = 0;
  while (d < Math.min(x.length, y.length) && x[d] === y[d]) d++;
  return d;
};

/**
 * Greedy tokens: identical for the first `sameTokens`; a later difference passes only as a near-tie,
 * where the CPU's log-prob of the GPU's token is within `logp` of the CPU's own pick.
 */
async function tokenRow(what: string, cpu: PolicySessions, req: SampleRequest, c: SampleResult, g: SampleResult, tol: typeof GPU_TOL, times: Times): Promise<Row> {
  let first = Infinity;
  let margin = 0;
  for (let i = 0; i < c.completions.length; i++) {
    const x = c.completions[i]!;
    const y = g.completions[i]!;
    const d = firstDifference(x, y);
    if (d === x.length && d === y.length) continue;
    first = Math.min(first, d);
    // Same tokens, then one ends: cannot happen (both stop at the same EOS or length), so a failure.
    if (d === x.length || d === y.length) {
      margin = Infinity;
      continue;
    }
    const seq = [...req.prompts[i]!, ...y.slice(0, d + 1)];
    const theirs = (await cpu.logprobs({ images: [req.images[i]!], tokens: [seq] })).logp[0]!.at(-1)!;
    margin = Math.max(margin, c.logprobs[i]![d]! - theirs);
  }
  const ok = first >= tol.sameTokens && margin <= tol.logp;
  const abs = first === Infinity ? 'all same' : `first Δ at ${first}, CPU margin ${fmt(margin)}`;
  return { what, ...times, abs, rel: '', tol: `same first ${tol.sameTokens}, ties ≤ ${fmt(tol.logp)}`, ok };
}

main().catch((err: Error) => {
  console.error(`gpu-check: ${err.message}`);
  process.exit(1);
});
