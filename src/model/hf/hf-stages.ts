// A Hugging Face decoder as the staged step's model (staged-step.ts). With tied embeddings the head's
// weight is the token table, so its gradient gets both the head's slices and the embeddings' rows;
// with LoRA neither is trained and the stages return the adapters' gradients only.
import type { StagedModel } from '../staged-step';
import type { HfDecoderConfig } from './config';
import { EMBED_TOKENS, declareHfParams, headWeight, headWeightName, hfHidden, hfHiddenFromEmbeddings } from './decoder';
import { type HfGraphMode, trainableSpecs } from './graphs';

export function hfStages(c: HfDecoderConfig, mode: HfGraphMode): StagedModel {
  const head = headWeightName(c);
  const trained = new Set(trainableSpecs(c, mode).map((s) => s.name));
  return {
    name: 'hf',
    vocabSize: c.vocabSize,
    dModel: c.hiddenSize,
    head,
    table: EMBED_TOKENS,
    trained,
    perSequence: [],
    scoresPerSequence: (Tt) => c.numHeads * Tt ** 2,
    hidden(g, ids) {
      const P = declareHfParams(g, c, { train: 'none', lora: mode.lora });
      return { hidden: hfHidden(g, c, P, mode.lora, ids), head: headWeight(c, P) };
    },
    body(g, tokens) {
      const P = declareHfParams(g, c, mode, new Set([EMBED_TOKENS, head]));
      return { hidden: hfHiddenFromEmbeddings(g, c, P, mode.lora, tokens), trained: new Map([...P].filter(([name]) => trained.has(name))) };
    },
  };
}
