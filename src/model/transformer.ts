// The policy's forward pass in engine ops: image patches → linear projection, prepended to token
// embeddings, learned positions, pre-LN decoder blocks (fused QKV, causal attention, GELU MLP),
// final LayerNorm and a head tied to the token embedding.
import { type Graph, type Tensor, add, causalBias, concat, gather, gelu, layerNorm, matmul, mul, reshape, slice, softmax, split, transpose, where } from '../engine';
import { type PolicyConfig, contextLength, numPatches, patchDim } from './config';
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

const linear = (P: ParamTensors, name: string, x: Tensor): Tensor => add(matmul(x, p(P, `${name}.w`)), p(P, `${name}.b`));

/** Splits fused QKV [B,T,3D] into q [B,H,T,dh] (pre-scaled), kᵀ [B,H,dh,T] and v [B,H,T,dh]. */
function splitHeads(c: PolicyConfig, qkv: Tensor): { q: Tensor; kT: Tensor; v: Tensor } {
  const [B, T] = qkv.shape as [number, number, number];
  const D = c.dModel;
  const H = c.nHeads;
  const dh = D / H;
  const [q, k, v] = split(qkv, -1, [D, D, D]).map((t) => reshape(t, [B, T, H, dh])) as [Tensor, Tensor, Tensor];
  return {
    q: mul(transpose(q, [0, 2, 1, 3]), 1 / Math.sqrt(dh)),
    kT: transpose(k, [0, 2, 3, 1]),
    v: transpose(v, [0, 2, 1, 3]),
  };
}

function mergeHeads(y: Tensor): Tensor {
  const [B, H, T, dh] = y.shape as [number, number, number, number];
  return reshape(transpose(y, [0, 2, 1, 3]), [B, T, H * dh]);
}

/** One pre-LN block; `attend` turns (q, kᵀ, v) of this layer into the attention output [B,H,T,dh]. */
function block(c: PolicyConfig, P: ParamTensors, l: number, x: Tensor, attend: (q: Tensor, kT: Tensor, v: Tensor) => Tensor): Tensor {
  const h = `h${l}.`;
  const { q, kT, v } = splitHeads(c, linear(P, `${h}qkv`, layerNorm(x, p(P, `${h}ln1.g`), p(P, `${h}ln1.b`), c.lnEps)));
  x = add(x, linear(P, `${h}o`, mergeHeads(attend(q, kT, v))));
  const m = gelu(linear(P, `${h}fc`, layerNorm(x, p(P, `${h}ln2.g`), p(P, `${h}ln2.b`), c.lnEps)));
  return add(x, linear(P, `${h}proj`, m));
}

/** Logits [.., V] from final hidden states, with the head tied to the token embedding. */
function head(c: PolicyConfig, P: ParamTensors, x: Tensor): Tensor {
  const h = layerNorm(x, p(P, 'lnf.g'), p(P, 'lnf.b'), c.lnEps);
  return matmul(h, transpose(p(P, 'wte'), [1, 0]));
}

/** Full-sequence forward: ids [B, Tt] int64 and patches [B, Np, patchDim] → text logits [B, Tt, V]. */
export function policyLogits(g: Graph, c: PolicyConfig, P: ParamTensors, ids: Tensor, patches: Tensor): Tensor {
  const Tt = ids.shape[1]!;
  const Np = numPatches(c);
  if (Tt !== c.maxTextLen || patches.shape[1] !== Np || patches.shape[2] !== patchDim(c)) {
    throw new Error(`policy: expected ids [B,${c.maxTextLen}] and patches [B,${Np},${patchDim(c)}]`);
  }
  const T = contextLength(c);
  let x = add(concat([linear(P, 'patch', patches), gather(p(P, 'wte'), ids)], 1), p(P, 'wpe'));
  const causal = causalBias(g, T, NEG_INF);
  for (let l = 0; l < c.nLayers; l++) {
    x = block(c, P, l, x, (q, kT, v) => matmul(softmax(add(matmul(q, kT), causal)), v));
  }
  return head(c, P, slice(x, 1, Np, T));
}

export interface DecodeTensors {
  logits: Tensor;
  cacheK: Tensor[];
  cacheV: Tensor[];
}

/**
 * One KV-cache decode step for N sequences at a shared position `pos` ([1] int64): the input at that
 * position is image patch `patch` ([N,1,patchDim]) while pos < numPatches, else token `token` ([N,1]).
 * Caches are fixed-size [N, H, contextLength, dh]; the step writes its K/V at `pos` with Where.
 */
export function policyDecodeStep(
  g: Graph,
  c: PolicyConfig,
  P: ParamTensors,
  token: Tensor,
  patch: Tensor,
  pos: Tensor,
  cacheK: readonly Tensor[],
  cacheV: readonly Tensor[],
): DecodeTensors {
  const S = contextLength(c);
  const N = token.shape[0]!;
  const positions = g.int64s([...Array(S).keys()]);
  const usePatch = g.node('Less', [pos, g.int64s([numPatches(c)])], [1], 'bool');
  const x0 = where(reshape2(g, usePatch, [1, 1, 1]), linear(P, 'patch', patch), gather(p(P, 'wte'), token));
  let x = add(x0, gather(p(P, 'wpe'), pos));
  const writeAt = reshape2(g, g.node('Equal', [positions, pos], [S], 'bool'), [1, 1, S, 1]);
  const visible = reshape2(g, g.node('LessOrEqual', [positions, pos], [S], 'bool'), [1, 1, 1, S]);
  const outK: Tensor[] = [];
  const outV: Tensor[] = [];
  for (let l = 0; l < c.nLayers; l++) {
    x = block(c, P, l, x, (q, kT, v) => {
      const kNew = where(writeAt, transpose(kT, [0, 1, 3, 2]), cacheK[l]!);
      const vNew = where(writeAt, v, cacheV[l]!);
      outK.push(kNew);
      outV.push(vNew);
      return matmul(softmax(where(visible, matmul(q, transpose(kNew, [0, 1, 3, 2])), NEG_INF)), vNew);
    });
  }
  return { logits: reshape(head(c, P, x), [N, c.vocabSize]), cacheK: outK, cacheV: outV };
}

function reshape2(g: Graph, t: Tensor, shape: number[]): Tensor {
  return g.node('Reshape', [t, g.int64s(shape)], shape, t.dtype);
}
