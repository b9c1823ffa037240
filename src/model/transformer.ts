// The policy's forward pass in engine ops: image patches → linear projection, prepended to token
// embeddings, learned positions, pre-LN decoder blocks (fused QKV, causal attention, GELU MLP),
// final LayerNorm and a head tied to the token embedding.
import {
  type Dim,
  type Graph,
  type Tensor,
  add,
  affine,
  causalBias,
  concat,
  dimAdd,
  fastGelu,
  gather,
  gelu,
  isStatic,
  layerNorm,
  matmul,
  mul,
  recomputed,
  reduceSum,
  reshape,
  slice,
  softmax,
  split,
  transpose,
  where,
} from '../engine';
import { type PolicyConfig, numPatches, patchDim } from './config';
import { paramSpecs } from './params';

export type ParamTensors = Map<string, Tensor>;

const NEG_INF = -1e9;

/** Declares every parameter as a graph input; `trainable` marks them for gradients. */
export function declareParams(g: Graph, c: PolicyConfig, trainable: boolean): ParamTensors {
  const out: ParamTensors = new Map();
  for (const s of paramSpecs(c)) out.set(s.name, trainable ? g.param(s.name, s.shape) : g.input(s.name, s.shape));
  return out;
}

function p(P: ParamTensors, name: string): Tensor {
  const t = P.get(name);
  if (!t) throw new Error(`policy: missing parameter '${name}'`);
  return t;
}

const linear = (P: ParamTensors, name: string, x: Tensor): Tensor => affine(x, p(P, `${name}.w`), p(P, `${name}.b`));

const attentionScale = (c: PolicyConfig): number => 1 / Math.sqrt(c.dModel / c.nHeads);

/**
 * Splits fused QKV [B,T,3D] into q [B,H,T,dh] (pre-scaled), kᵀ [B,H,dh,T] and v [B,H,T,dh]. A
 * decode step's [N,3D] (one position per sequence) gives q unscaled, k [N,H,1,dh] (kT is then k)
 * and v by reshapes alone: no Transpose.
 */
function splitHeads(c: PolicyConfig, qkv: Tensor): { q: Tensor; kT: Tensor; v: Tensor } {
  const D = c.dModel;
  const H = c.nHeads;
  const dh = D / H;
  const parts = split(qkv, -1, [D, D, D]);
  const scale = attentionScale(c);
  if (qkv.shape.length === 2) {
    const N = qkv.shape[0]!;
    const [q, k, v] = parts as [Tensor, Tensor, Tensor];
    return { q: reshape(q, [N, H, 1, dh]), kT: reshape(k, [N, H, 1, dh]), v: reshape(v, [N, H, 1, dh]) };
  }
  const [B, T] = qkv.shape as [Dim, Dim, Dim];
  const [q, k, v] = parts.map((t) => reshape(t, [B, T, H, dh])) as [Tensor, Tensor, Tensor];
  return {
    q: mul(transpose(q, [0, 2, 1, 3]), scale),
    kT: transpose(k, [0, 2, 3, 1]),
    v: transpose(v, [0, 2, 1, 3]),
  };
}

/** Attention output [B,H,T,dh] → [B,T,D], or [N,H,1,dh] → [N,D] for a decode step's 2-D hidden states. */
function mergeHeads(y: Tensor, rank: number): Tensor {
  const [B, H, T, dh] = y.shape as [Dim, number, Dim, number];
  return rank === 2 ? reshape(y, [B, H * dh]) : reshape(transpose(y, [0, 2, 1, 3]), [B, T, H * dh]);
}

/** One pre-LN block; `attend` turns (q, kᵀ, v) of this layer into the attention output [B,H,T,dh]. */
function block(c: PolicyConfig, P: ParamTensors, l: number, x: Tensor, attend: (q: Tensor, kT: Tensor, v: Tensor) => Tensor): Tensor {
  const h = `h${l}.`;
  const { q, kT, v } = splitHeads(c, linear(P, `${h}qkv`, layerNorm(x, p(P, `${h}ln1.g`), p(P, `${h}ln1.b`), c.lnEps)));
  x = add(x, linear(P, `${h}o`, mergeHeads(attend(q, kT, v), x.shape.length)));
  const m = gelu(linear(P, `${h}fc`, layerNorm(x, p(P, `${h}ln2.g`), p(P, `${h}ln2.b`), c.lnEps)));
  return add(x, linear(P, `${h}proj`, m));
}

const finalNorm = (c: PolicyConfig, P: ParamTensors, x: Tensor): Tensor => layerNorm(x, p(P, 'lnf.g'), p(P, 'lnf.b'), c.lnEps);

/** The language-model head, tied to the token embedding: normalised hidden states [.., D] → logits [.., V]. */
export const headOf = (P: ParamTensors, h: Tensor): Tensor => matmul(h, transpose(p(P, 'wte'), [1, 0]));

/** Token embeddings of `ids` looked up in the (tied) table, made when embedAll asks for them. */
const tokenRows = (P: ParamTensors, ids: Tensor | undefined): (() => Tensor) | undefined => ids && (() => gather(p(P, 'wte'), ids));

/** Embedded inputs [B, T, D] for the first T = patches + ids positions (learned positions added). */
const embed = (P: ParamTensors, patches: Tensor, ids: Tensor | undefined): Tensor => embedAll(P, patches, tokenRows(P, ids));

/** As embed, with the text's token embeddings [B, Tt, D] given (made after the patches' projection, as before). */
function embedAll(P: ParamTensors, patches: Tensor, tokens: (() => Tensor) | undefined): Tensor {
  const img = linear(P, 'patch', patches);
  const x = tokens ? concat([img, tokens()], 1) : img;
  const T = x.shape[1]!;
  const wpe = p(P, 'wpe');
  return add(x, T === wpe.shape[0] ? wpe : slice(wpe, 0, 0, T));
}

/** One block whose activations the backward pass makes again instead of keeping (recomputed). */
function recomputedBlock(c: PolicyConfig, P: ParamTensors, l: number, x: Tensor, attend: (q: Tensor, kT: Tensor, v: Tensor) => Tensor): Tensor {
  const names = [...P.keys()].filter((n) => n.startsWith(`h${l}.`));
  return recomputed([x, ...names.map((n) => p(P, n))], ([xIn, ...ps]) => block(c, new Map(names.map((n, i) => [n, ps[i]!])), l, xIn!, attend));
}

/**
 * Causal self-attention over all T positions of x; `onLayer` sees each layer's kᵀ and v.
 * `recompute`: blocks keep only their inputs for the backward pass (recomputedBlock).
 */
function encode(g: Graph, c: PolicyConfig, P: ParamTensors, x: Tensor, onLayer?: (l: number, kT: Tensor, v: Tensor) => void, recompute = false): Tensor {
  const causal = causalBias(g, x.shape[1]!, NEG_INF);
  for (let l = 0; l < c.nLayers; l++) {
    x = (recompute ? recomputedBlock : block)(c, P, l, x, (q, kT, v) => {
      onLayer?.(l, kT, v);
      return matmul(softmax(add(matmul(q, kT), causal)), v);
    });
  }
  return x;
}

/**
 * Final hidden states of the text positions: ids [B, Tt ≤ maxTextLen] int64 and patches [B, Np,
 * patchDim] → [B, Tt, D].
 */
export function policyHidden(g: Graph, c: PolicyConfig, P: ParamTensors, ids: Tensor, patches: Tensor): Tensor {
  return hiddenOf(g, c, P, ids.shape[1]!, patches, tokenRows(P, ids)!, false);
}

/**
 * As policyHidden, from the text's token embeddings [B, Tt, D] instead of ids: the table is then no
 * input of the graph, and the embeddings' gradient is per position (the memory-saving step adds it
 * into the table's gradient on the host).
 */
export const policyHiddenFromEmbeddings = (g: Graph, c: PolicyConfig, P: ParamTensors, tokens: Tensor, patches: Tensor, recompute = false): Tensor =>
  hiddenOf(g, c, P, tokens.shape[1]!, patches, () => tokens, recompute);

function hiddenOf(g: Graph, c: PolicyConfig, P: ParamTensors, Tt: Dim, patches: Tensor, tokens: () => Tensor, recompute: boolean): Tensor {
  const Np = numPatches(c);
  if ((isStatic(Tt) && Tt > c.maxTextLen) || patches.shape[1] !== Np || patches.shape[2] !== patchDim(c)) {
    throw new Error(`policy: expected ids [B, ≤${c.maxTextLen}] and patches [B,${Np},${patchDim(c)}]`);
  }
  return finalNorm(c, P, slice(encode(g, c, P, embedAll(P, patches, tokens), undefined, recompute), 1, Np, dimAdd(Np, Tt)));
}

/** Full-sequence forward: text logits [B, Tt, V]. */
export function policyLogits(g: Graph, c: PolicyConfig, P: ParamTensors, ids: Tensor, patches: Tensor): Tensor {
  return headOf(P, policyHidden(g, c, P, ids, patches));
}

export interface KvTensors {
  /** Per layer: keys [N, H, T, dh], multiplied by 1/√dh (the cache's layout, kv-cache.ts). */
  k: Tensor[];
  /** Per layer: values [N, H, T, dh]. */
  v: Tensor[];
}

/**
 * Prefill for the KV cache: the image patches and the first L text tokens (`ids` [N, L], absent for
 * L = 0) in one causal forward, returning every layer's keys and values for those Np + L positions.
 */
export function policyPrefill(g: Graph, c: PolicyConfig, P: ParamTensors, patches: Tensor, ids: Tensor | undefined): KvTensors {
  const kv: KvTensors = { k: [], v: [] };
  encode(g, c, P, embed(P, patches, ids), (_, kT, v) => {
    kv.k.push(mul(transpose(kT, [0, 1, 3, 2]), attentionScale(c)));
    kv.v.push(v);
  });
  return kv;
}

export interface DecodeTensors {
  logits: Tensor;
  /** Per layer, this position's key (× 1/√dh) and value, each [N, H, dh], for the caller to store at `pos`. */
  k: Tensor[];
  v: Tensor[];
}

/**
 * One KV-cache decode step for N sequences, each at its own position `pos` ([N] int64, ≥ numPatches):
 * token `token` [N,1] attends to its cache positions < pos (keys × 1/√dh `cacheK` and values `cacheV`,
 * each [N,H,S,dh], S the cache's current capacity, symbolic; later slots are masked, whatever they
 * hold) and to itself. The caches are only read: the step returns the new key/value instead of a
 * rewritten cache, so no cache-sized tensor is copied per token, and a cache only as long as the
 * sequences so far costs only that much reading. The query stays unscaled: a scale beside the
 * scores' MatMul is fused into it by ORT, whose M = 1 kernel then no longer applies (docs/engine.md).
 */
export function policyDecodeStep(g: Graph, c: PolicyConfig, P: ParamTensors, token: Tensor, pos: Tensor, cacheK: readonly Tensor[], cacheV: readonly Tensor[]): DecodeTensors {
  const S = cacheK[0]!.shape[2]!;
  const N = token.shape[0]!;
  const H = c.nHeads;
  const dh = c.dModel / H;
  // Hidden states stay [N, D] (one position per sequence): Gemms without Reshapes around them.
  let x = add(gather(p(P, 'wte'), reshape(token, [N])), gather(p(P, 'wpe'), pos));
  const zero = g.constant(BigInt64Array.of(0n), [], 'int64');
  const one = g.constant(BigInt64Array.of(1n), [], 'int64');
  const slots = g.node('Range', [zero, g.node('Reshape', [g.dimTensor(S), g.int64s([])], [], 'int64'), one], [S], 'int64');
  const seen = g.node('Less', [slots, reshape(pos, [N, 1])], [N, S], 'bool');
  const bias = reshape(where(seen, g.scalar(0), NEG_INF), [N, 1, 1, S]);
  const k: Tensor[] = [];
  const v: Tensor[] = [];
  for (let l = 0; l < c.nLayers; l++) {
    const h = `h${l}.`;
    const { q: qNew, kT: kNew, v: vNew } = splitHeads(c, linear(P, `${h}qkv`, layerNorm(x, p(P, `${h}ln1.g`), p(P, `${h}ln1.b`), c.lnEps)));
    const kScaled = mul(kNew, attentionScale(c));
    k.push(reshape(kScaled, [N, H, dh]));
    v.push(reshape(vNew, [N, H, dh]));
    const toItself = reduceSum(mul(qNew, kScaled), [3], true);
    const weights = softmax(concat([add(matmul(qNew, transpose(cacheK[l]!, [0, 1, 3, 2])), bias), toItself], -1));
    const toCache = slice(weights, -1, 0, S);
    const toSelf = slice(weights, -1, S, dimAdd(S, 1));
    x = add(x, linear(P, `${h}o`, mergeHeads(add(matmul(toCache, cacheV[l]!), mul(toSelf, vNew)), 2)));
    x = add(x, linear(P, `${h}proj`, fastGelu(linear(P, `${h}fc`, layerNorm(x, p(P, `${h}ln2.g`), p(P, `${h}ln2.b`), c.lnEps)))));
  }
  return { logits: headOf(P, finalNorm(c, P, x)), k, v };
}
