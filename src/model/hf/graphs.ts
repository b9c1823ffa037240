// Graph factories of the HF decoder's sessions: token log-probs (the head in chunks), the loss
// gradients of a train step (the optimizer runs on the host), full logits (checks and export),
// prefill and the KV-cache decode step. Batch and lengths are symbolic: one session per phase.
import { type FloatDType, Graph, type Tensor, chunkedTokenLogprobs, gradients, stopGradient } from '../../engine';
import { FEED } from '../feed-names';
import { DIMS, type Objective, declareDecodeOutputs } from '../graphs';
import { grpoLoss, maskedMean, sftLoss, type LossTensors } from '../loss';
import { type HfDecoderConfig, hfParamSpecs } from './config';
import { type LoraConfig, declareHfParams, headWeight, hfDecodeStep, hfHidden, hfLogits, hfPrefill, loraParamSpecs } from './decoder';

/** Which weights a graph trains: every base weight, the LoRA adapters only, or none (inference). */
export type HfTraining = 'full' | 'lora' | 'none';

export interface HfGraphMode {
  train: HfTraining;
  /** Present when the model carries adapters (trained or not); absent = the plain base model. */
  lora?: LoraConfig | undefined;
}

/** Names and shapes of the tensors a train step updates. */
export function trainableSpecs(c: HfDecoderConfig, mode: HfGraphMode): { name: string; shape: number[] }[] {
  if (mode.train === 'full') return hfParamSpecs(c);
  if (mode.train === 'lora' && mode.lora) return loraParamSpecs(c, mode.lora);
  return [];
}

function batchInputs(g: Graph): { ids: Tensor; targets: Tensor; temperature: Tensor } {
  return { ids: g.input('ids', [DIMS.batch, DIMS.text], 'int64'), targets: g.input('targets', [DIMS.batch, DIMS.text, 1], 'int64'), temperature: g.input('temperature', []) };
}

export function buildHfLogprobsGraph(c: HfDecoderConfig, mode: HfGraphMode, chunks: number, dtype: FloatDType = 'float32'): Graph {
  const g = new Graph(dtype, 'hf-logprobs');
  const P = declareHfParams(g, c, { train: 'none', lora: mode.lora });
  const x = batchInputs(g);
  const { logp, entropy } = chunkedTokenLogprobs(hfHidden(g, c, P, mode.lora, x.ids), headWeight(c, P), x.targets, x.temperature, chunks);
  g.output('logp', logp);
  g.output('entropy', entropy);
  return g;
}

/**
 * Loss, its metrics and the gradients of every trainable tensor (`grad.<name>`); the optimizer
 * step runs on the host after the micro-batches, so a fused AdamW graph is not built here.
 */
export function buildHfGradGraph(c: HfDecoderConfig, mode: HfGraphMode, objective: Objective, chunks: number, dtype: FloatDType = 'float32'): Graph {
  if (mode.train === 'none') throw new Error('hf train graph: nothing to train');
  const g = new Graph(dtype, `hf-grads-${objective.kind}`);
  const P = declareHfParams(g, c, mode);
  const x = batchInputs(g);
  const B = DIMS.batch;
  const T = DIMS.text;
  const mask = g.input('mask', [B, T]);
  const { logp, entropy } = chunkedTokenLogprobs(hfHidden(g, c, P, mode.lora, x.ids), headWeight(c, P), x.targets, x.temperature, chunks);
  let lt: LossTensors;
  if (objective.kind === 'sft') lt = sftLoss(logp, mask);
  else {
    const old = objective.onPolicy ? stopGradient(logp) : g.input('old_logp', [B, T]);
    const adv = g.input('advantages', objective.advantage === 'token' ? [B, T] : [B, 1]);
    lt = grpoLoss(logp, old, g.input('ref_logp', [B, T]), mask, adv, objective.loss);
    lt.metrics.entropy = maskedMean(entropy, mask);
  }
  g.output('loss', lt.loss);
  for (const [k, t] of Object.entries(lt.metrics)) g.output(k, t);
  const specs = trainableSpecs(c, mode);
  const grads = gradients(
    lt.loss,
    specs.map((s) => P.get(s.name)!),
  );
  specs.forEach((s, i) => g.output(FEED.grad(s.name), grads[i]!));
  g.output('logp', logp);
  return g;
}

export function buildHfLogitsGraph(c: HfDecoderConfig, mode: HfGraphMode, dtype: FloatDType = 'float32'): Graph {
  const g = new Graph(dtype, 'hf-logits');
  const P = declareHfParams(g, c, { train: 'none', lora: mode.lora });
  g.output('logits', hfLogits(g, c, P, mode.lora, g.input('ids', [DIMS.batch, DIMS.text], 'int64')));
  return g;
}

export function buildHfPrefillGraph(c: HfDecoderConfig, mode: HfGraphMode): Graph {
  const g = new Graph('float32', 'hf-prefill');
  const P = declareHfParams(g, c, { train: 'none', lora: mode.lora });
  const kv = hfPrefill(g, c, P, mode.lora, g.input('ids', [DIMS.batch, DIMS.prefix], 'int64'));
  kv.k.forEach((t, l) => g.output(FEED.layerK(l), t));
  kv.v.forEach((t, l) => g.output(FEED.layerV(l), t));
  return g;
}

export function buildHfDecodeGraph(c: HfDecoderConfig, mode: HfGraphMode): Graph {
  const g = new Graph('float32', 'hf-decode');
  const P = declareHfParams(g, c, { train: 'none', lora: mode.lora });
  const N = DIMS.batch;
  const S = DIMS.cache;
  const token = g.input('token', [N, 1], 'int64');
  const pos = g.input('pos', [N], 'int64');
  const ks = Array.from({ length: c.numLayers }, (_, l) => g.input(FEED.cacheK(l), [N, c.numKvHeads, S, c.headDim]));
  const vs = Array.from({ length: c.numLayers }, (_, l) => g.input(FEED.cacheV(l), [N, c.numKvHeads, S, c.headDim]));
  declareDecodeOutputs(g, hfDecodeStep(g, c, P, mode.lora, token, pos, ks, vs));
  return g;
}
