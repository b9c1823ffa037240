// The tiny policy as the staged step's model (staged-step.ts): its token table `wte` is both the
// head's weight and the embeddings' table (tied), and its image patches are per-sequence feeds.
import type { Graph } from '../engine';
import { DIMS } from './graphs';
import { type PolicyConfig, numPatches, patchDim } from './config';
import { paramSpecs } from './params';
import type { StagedModel } from './staged-step';
import { declareParams, policyHidden, policyHiddenFromEmbeddings } from './transformer';

const TABLE = 'wte';

export function policyStages(c: PolicyConfig): StagedModel {
  const patches = (g: Graph) => g.input('patches', [DIMS.batch, numPatches(c), patchDim(c)]);
  return {
    name: 'policy',
    vocabSize: c.vocabSize,
    dModel: c.dModel,
    head: TABLE,
    table: TABLE,
    trained: new Set(paramSpecs(c).map((s) => s.name)),
    perSequence: ['patches'],
    scoresPerSequence: (Tt) => c.nHeads * (numPatches(c) + Tt) ** 2,
    hidden(g, ids) {
      const P = declareParams(g, c, false);
      return { hidden: policyHidden(g, c, P, ids, patches(g)), head: P.get(TABLE)! };
    },
    body(g, tokens) {
      const P = new Map(paramSpecs(c).flatMap((s) => (s.name === TABLE ? [] : [[s.name, g.param(s.name, s.shape)] as const])));
      return { hidden: policyHiddenFromEmbeddings(g, c, P, tokens, patches(g), true), trained: P };
    },
  };
}
