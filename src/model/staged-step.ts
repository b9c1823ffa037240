// The memory-saving policy's gradients, in stages that each run as their own session
// (docs/engine.md, "Large policies: memory saving"). One gradient graph for the whole step made ORT
// hold several vocabulary × width arrays at once (the head's gradient accumulated chunk by chunk,
// the embedding's scatter onto it, the output) and onnxruntime-node copy the result again. Here:
//   1. forward: hidden states, token log-probs, entropies and each row's log-normaliser;
//   2. loss: the objective and its gradient with respect to the log-probs (small);
//   3. head: per slice of the vocabulary, that slice's rows of the head's gradient (written into one
//      host array, nothing summed) and its share of the hidden states' gradient;
//   4. body: the blocks' backward pass from the hidden states' gradient, taking the token
//      embeddings as an input; their gradient is scatter-added into the table's on the host.
import { EngineSession, type FloatDType, Graph, type HostTensor, SymDim, chunkedTokenLogprobs, gradients, headGradientSlice, mul, sumAll } from '../engine';
import { type PolicyConfig, numPatches, patchDim } from './config';
import { DIMS, type Objective, batchInputs, objectiveLoss } from './graphs';
import { FEED } from './feed-names';
import { addScaled } from './host-state';
import { type ParamSpec, paramSpecs } from './params';
import { declareParams, policyHidden, policyHiddenFromEmbeddings } from './transformer';

type FloatArray = Float32Array | Float64Array;

const zeros = (dtype: FloatDType, n: number): FloatArray => (dtype === 'float64' ? new Float64Array(n) : new Float32Array(n));

/** The tied token table: the head's weight, and the embeddings the body takes as an input. */
const TABLE = 'wte';

/** Parameters of the body graph: all but the table. */
const bodySpecs = (c: PolicyConfig): ParamSpec[] => paramSpecs(c).filter((s) => s.name !== TABLE);

/** Stage 1: ids, patches, targets, temperature and every parameter → hidden [B,Tt,D], logp, entropy, log_sum_exp [B,Tt]. */
export function buildStagedForwardGraph(c: PolicyConfig, headChunks: number, dtype: FloatDType = 'float32'): Graph {
  const g = new Graph(dtype, 'policy-staged-forward');
  const P = declareParams(g, c, false);
  const x = batchInputs(g, c, DIMS.batch, DIMS.text);
  const hidden = policyHidden(g, c, P, x.ids, x.patches);
  const r = chunkedTokenLogprobs(hidden, P.get(TABLE)!, x.targets, x.temperature, headChunks, { logSumExp: true });
  g.output('hidden', hidden);
  g.output('logp', r.logp);
  g.output('entropy', r.entropy);
  g.output('log_sum_exp', r.logSumExp!);
  return g;
}

/** Stage 2: logp [B,Tt], mask, the objective's inputs (and token_entropy for GRPO) → loss, metrics and logp_grad. */
export function buildStagedLossGraph(objective: Objective, dtype: FloatDType = 'float32'): Graph {
  const g = new Graph(dtype, `policy-staged-loss-${objective.kind}`);
  const shape = [DIMS.batch, DIMS.text];
  const logp = g.param('logp', shape);
  const mask = g.input('mask', shape);
  const lt = objectiveLoss(g, objective, logp, () => g.input('token_entropy', shape), mask);
  g.output('logp_grad', gradients(lt.loss, [logp])[0]!);
  return g;
}

/** Stage 3: one vocabulary slice of the head's backward pass (headGradientSlice), rows R = B·Tt. */
export function buildStagedHeadGraph(c: PolicyConfig, dtype: FloatDType = 'float32'): Graph {
  const g = new Graph(dtype, 'policy-staged-head');
  const [R, Vs, D] = [SymDim.named('R'), SymDim.named('Vs'), c.dModel];
  const r = headGradientSlice({
    h: g.input('hidden', [R, D]),
    weight: g.input('head_slice', [Vs, D]),
    logSumExp: g.input('log_sum_exp', [R, 1]),
    rowGrad: g.input('row_grad', [R, 1]),
    targetInSlice: g.input('target_in_slice', [R, 1], 'int64'),
    targetGrad: g.input('target_grad', [R, 1]),
    temperature: g.input('temperature', []),
  });
  g.output('head_slice_grad', r.weightGrad);
  g.output('hidden_grad', r.hiddenGrad);
  return g;
}

/** Stage 4: the body's parameters, token_embeddings [B,Tt,D], patches and hidden_grad → every body gradient and token_embeddings_grad. */
export function buildStagedBodyGraph(c: PolicyConfig, dtype: FloatDType = 'float32'): Graph {
  const g = new Graph(dtype, 'policy-staged-body');
  const specs = bodySpecs(c);
  const P = new Map(specs.map((s) => [s.name, g.param(s.name, s.shape)]));
  const rows = [DIMS.batch, DIMS.text, c.dModel];
  const tokens = g.param('token_embeddings', rows);
  const patches = g.input('patches', [DIMS.batch, numPatches(c), patchDim(c)]);
  const hidden = policyHiddenFromEmbeddings(g, c, P, tokens, patches, true);
  // Σ hidden · upstream: its gradient with respect to anything is the backward pass from `upstream`.
  const grads = gradients(sumAll(mul(hidden, g.input('hidden_grad', rows))), [...P.values(), tokens]);
  specs.forEach((s, i) => g.output(FEED.grad(s.name), grads[i]!));
  g.output('token_embeddings_grad', grads[specs.length]!);
  return g;
}

/** Where the stages' sessions come from (one per stage, built on first use); `arena` false: without ORT's memory arena. */
export type StageSessions = (key: string, build: () => Graph, arena: boolean) => Promise<EngineSession>;

/**
 * The body stage runs without ORT's arena: an arena keeps its largest run's blocks for the session's
 * life, and this stage's (the blocks remade one at a time) are freed as used. Measured on the
 * 150 k-vocabulary step (docs/engine.md): peak 2.56 GB without, 2.92 GB with, at no loss of time;
 * the head stage without one was slower and no smaller (the allocator kept what it freed).
 */
const ARENA = { forward: true, loss: true, head: true, body: false } as const;

export interface StagedOptions {
  /** Row chunks of the forward pass's head (chunkedTokenLogprobs). */
  headChunks: number;
  /** Logit bytes one vocabulary slice of the head's backward pass may hold (rows × slice × element size). */
  sliceBytes: number;
  /** Attention-score bytes of one body run (heads × positions² × element size per sequence; default BODY_BYTES). */
  bodyBytes?: number;
}

/** Attention-score bytes of one body run: 2 sequences of 386 positions at 9 heads (the 150 k-vocabulary bench) per run. */
export const BODY_BYTES = 16 * 2 ** 20;

/**
 * The gradients of one micro-batch, added into `sums` times `weight` (sums[name] += weight · grad,
 * arrays created at zero). `feeds` are those of the fused train graph: every parameter, ids, targets,
 * patches, temperature, mask and the objective's inputs, all in one float type. Returns the loss and
 * the objective's metrics.
 */
export async function stagedGradients(
  c: PolicyConfig,
  session: StageSessions,
  objective: Objective,
  feeds: Readonly<Record<string, HostTensor>>,
  options: StagedOptions,
  sums: Map<string, FloatArray>,
  weight: number,
): Promise<{ loss: number; metrics: Record<string, number> }> {
  const dtype = feeds.patches!.dtype as FloatDType;
  const forward = await (await session('staged-forward', () => buildStagedForwardGraph(c, options.headChunks, dtype), ARENA.forward)).run(feeds);
  const lossKey = `staged-loss-${objective.kind === 'sft' ? 'sft' : `grpo-${objective.advantage}${objective.onPolicy ? '-onpolicy' : ''}`}`;
  const lossOut = await (await session(lossKey, () => buildStagedLossGraph(objective, dtype), ARENA.loss)).run({ ...feeds, logp: forward.logp!, token_entropy: forward.entropy! });
  const metrics: Record<string, number> = {};
  for (const [k, t] of Object.entries(lossOut)) if (k !== 'loss' && k !== 'logp_grad') metrics[k] = t.data[0] as number;
  const table = feeds[TABLE]!.data as FloatArray;
  const tableGrad = sums.get(TABLE) ?? sums.set(TABLE, zeros(dtype, table.length)).get(TABLE)!;
  const hiddenGrad = await headGradients(
    c,
    session,
    feeds,
    { hidden: forward.hidden!, logSumExp: forward.log_sum_exp!, rowGrad: lossOut.logp_grad! },
    options.sliceBytes,
    tableGrad,
    weight,
  );
  await bodyGradients(c, session, feeds, hiddenGrad, options.bodyBytes ?? BODY_BYTES, sums, weight);
  return { loss: lossOut.loss!.data[0] as number, metrics };
}

/**
 * Stage 4 over groups of sequences, each group's attention scores within `bodyBytes` (the body's
 * gradient is a sum over sequences): adds weight × the body's gradients into `sums`, and the token
 * embeddings' gradient into the table's rows in position order (as the single graph's scatter onto
 * the head's gradient did).
 */
async function bodyGradients(
  c: PolicyConfig,
  session: StageSessions,
  feeds: Readonly<Record<string, HostTensor>>,
  hiddenGrad: FloatArray,
  bodyBytes: number,
  sums: Map<string, FloatArray>,
  weight: number,
): Promise<void> {
  const dtype = feeds.patches!.dtype as FloatDType;
  const [B, Tt] = feeds.ids!.shape as [number, number];
  const [D, Np, pd] = [c.dModel, numPatches(c), patchDim(c)];
  const table = feeds[TABLE]!.data as FloatArray;
  const tableGrad = sums.get(TABLE)!;
  const body = await session('staged-body', () => buildStagedBodyGraph(c, dtype), ARENA.body);
  const ids = feeds.ids!.data as BigInt64Array;
  const scoresBytes = c.nHeads * (Np + Tt) ** 2 * table.BYTES_PER_ELEMENT;
  const group = Math.max(1, Math.floor(bodyBytes / scoresBytes));
  for (let b0 = 0; b0 < B; b0 += group) {
    const n = Math.min(group, B - b0);
    const rows = (data: FloatArray, width: number): FloatArray => data.subarray(b0 * width, (b0 + n) * width);
    const tokens = zeros(dtype, n * Tt * D);
    ids.subarray(b0 * Tt, (b0 + n) * Tt).forEach((id, r) => tokens.set(table.subarray(Number(id) * D, (Number(id) + 1) * D), r * D));
    const out = await body.run({
      ...feeds,
      patches: { dtype, shape: [n, Np, pd], data: rows(feeds.patches!.data as FloatArray, Np * pd) },
      token_embeddings: { dtype, shape: [n, Tt, D], data: tokens },
      hidden_grad: { dtype, shape: [n, Tt, D], data: rows(hiddenGrad, Tt * D) },
    });
    for (const s of bodySpecs(c)) addScaled(sums, s.name, out[FEED.grad(s.name)]!.data as FloatArray, weight);
    const tokenGrad = out.token_embeddings_grad!.data as FloatArray;
    ids.subarray(b0 * Tt, (b0 + n) * Tt).forEach((id, r) => {
      for (let j = 0, at = Number(id) * D; j < D; j++) tableGrad[at + j]! += weight * tokenGrad[r * D + j]!;
    });
  }
}

/**
 * Stage 3 over every slice of the vocabulary: adds weight × each slice's head gradient into its rows
 * of `tableGrad` and returns the hidden states' gradient [R·D] (the slices' shares summed in order).
 */
async function headGradients(
  c: PolicyConfig,
  session: StageSessions,
  feeds: Readonly<Record<string, HostTensor>>,
  forward: { hidden: HostTensor; logSumExp: HostTensor; rowGrad: HostTensor },
  sliceBytes: number,
  tableGrad: FloatArray,
  weight: number,
): Promise<FloatArray> {
  const [V, D] = [c.vocabSize, c.dModel];
  const rowGrad = forward.rowGrad.data as FloatArray;
  const R = rowGrad.length;
  const dtype = forward.hidden.dtype as FloatDType;
  const perRow = (data: FloatArray | BigInt64Array): HostTensor => ({ dtype: data instanceof BigInt64Array ? 'int64' : dtype, shape: [R, 1], data });
  const head = await session('staged-head', () => buildStagedHeadGraph(c, dtype), ARENA.head);
  const table = feeds[TABLE]!.data as FloatArray;
  const targets = feeds.targets!.data as BigInt64Array;
  const hiddenGrad = zeros(dtype, R * D);
  const sliceRows = Math.max(1, Math.floor(sliceBytes / (R * table.BYTES_PER_ELEMENT)));
  const fixed = {
    hidden: { dtype, shape: [R, D], data: forward.hidden.data },
    log_sum_exp: perRow(forward.logSumExp.data as FloatArray),
    row_grad: perRow(rowGrad),
    temperature: feeds.temperature!,
  };
  for (let v0 = 0; v0 < V; v0 += sliceRows) {
    const v1 = Math.min(V, v0 + sliceRows);
    // A target outside the slice scatters 0 onto index 0: x + 0 is x.
    const inSlice = new BigInt64Array(R);
    const targetGrad = zeros(dtype, R);
    targets.forEach((t, r) => {
      const local = Number(t) - v0;
      if (local >= 0 && local < v1 - v0) {
        inSlice[r] = BigInt(local);
        targetGrad[r] = rowGrad[r]!;
      }
    });
    const out = await head.run({
      ...fixed,
      head_slice: { dtype, shape: [v1 - v0, D], data: table.subarray(v0 * D, v1 * D) },
      target_in_slice: perRow(inSlice),
      target_grad: perRow(targetGrad),
    });
    const sliceGrad = out.head_slice_grad!.data as FloatArray;
    for (let i = 0, at = v0 * D; i < sliceGrad.length; i++) tableGrad[at + i]! += weight * sliceGrad[i]!;
    const share = out.hidden_grad!.data as FloatArray;
    for (let i = 0; i < share.length; i++) hiddenGrad[i]! += share[i]!;
  }
  return hiddenGrad;
}
