// A Hugging Face decoder as the staged step's model (staged-step.ts). With tied embeddings the head's
// weight is the token table, so its gradient gets both the head's slices and the embeddings' rows;
// with LoRA neither is trained and the stages return the adapters' gradients only. The body's
// backward pass runs one layer per run (a one-layer graph fed each layer's weights in turn), then
// the final norm.
import type { Tensor } from '../../engine';
import type { StagedModel } from '../staged-step';
import type { HfDecoderConfig } from './config';
import { EMBED_TOKENS, type HfParamTensors, declareHfParams, finalNorm, headWeight, headWeightName, hfHidden, hfLayers } from './decoder';
import { type HfGraphMode, trainableSpecs } from './graphs';

const FINAL_NORM = 'model.norm.weight';
const FIRST_LAYER = 'model.layers.0.';

export function hfStages(c: HfDecoderConfig, mode: HfGraphMode): StagedModel {
  const head = headWeightName(c);
  const trained = new Set(trainableSpecs(c, mode).map((s) => s.name));
  const one: HfDecoderConfig = { ...c, numLayers: 1 };
  const trainedOf = (P: HfParamTensors): Map<string, Tensor> => new Map([...P].filter(([name]) => trained.has(name)));
  return {
    name: 'hf',
    vocabSize: c.vocabSize,
    dModel: c.hiddenSize,
    head,
    table: EMBED_TOKENS,
    trained,
    perSequence: [],
    scoresPerSequence: (Tt) => c.numHeads * Tt ** 2,
    // Measured on SmolLM2-135M's shape (docs/engine.md): the head's arena held 0.35 GB through the
    // body and AdamW, and its two slices run as fast without it; the forward's costs 0.2 GB but
    // saves 0.8 s a step.
    arenas: { forward: true, head: false },
    hidden(g, ids, onResidual) {
      const P = declareHfParams(g, c, { train: 'none', lora: mode.lora });
      return { hidden: hfHidden(g, c, P, mode.lora, ids, onResidual), head: headWeight(c, P) };
    },
    layers: {
      count: c.numLayers,
      layer(g, x) {
        const P = declareHfParams(g, one, mode, new Set([EMBED_TOKENS, headWeightName(one), FINAL_NORM]));
        return { hidden: hfLayers(g, one, P, mode.lora, x), trained: trainedOf(P) };
      },
      weightOf: (l, name) => `model.layers.${l}.${name.slice(FIRST_LAYER.length)}`,
      top(g, x) {
        const P = new Map([[FINAL_NORM, trained.has(FINAL_NORM) ? g.param(FINAL_NORM, [c.hiddenSize]) : g.input(FINAL_NORM, [c.hiddenSize])]]);
        return { hidden: finalNorm(c, P, x), trained: trainedOf(P) };
      },
    },
  };
}
