// A train step's gradients over its micro-batches, for every family's runtime. Each part's come from
// the one gradient graph or, above the size rule, from the staged sessions (staged-step.ts); they
// are summed weighted by the part's share of the whole-batch loss (its sequences for a per-sequence
// mean, else its counted tokens), and the metrics, each a mean over counted tokens, by token share.
import type { EngineSession, Graph, HostTensor } from '../engine';
import { FEED } from './feed-names';
import type { Objective } from './graphs';
import { addScaled } from './host-state';
import { type StageSessions, type StagedModel, type StagedOptions, stagedGradients } from './staged-step';

/** The objective's metrics a train step reports (GRPO's; SFT has none). */
export const LOSS_METRICS = ['kl', 'clip_ratio', 'ratio_mean', 'entropy'] as const;

/** A train step's loss, refused when not finite (before any parameter is updated). */
export function checkedLoss(loss: number): number {
  if (!Number.isFinite(loss)) throw new Error(`trainStep: loss is ${loss}; parameters were left unchanged`);
  return loss;
}

export interface MicroBatchRunner {
  /** The feeds of the one gradient graph for the sequences `idx`, its session key and builder, and the objective. */
  part(idx: readonly number[]): { feeds: Record<string, HostTensor>; key: string; build: () => Graph; objective: Objective };
  /** Names of the weights a step trains. */
  trained: readonly string[];
  /** The runtime's sessions by key; `arena` false: without ORT's memory arena. */
  session: StageSessions;
  /** Present: gradients from the staged sessions (memory saving). */
  staged?: { model: StagedModel; options: StagedOptions } | undefined;
}

export async function microBatchGradients(
  batch: { tokens: readonly unknown[]; lossMask: readonly (readonly number[])[] },
  parts: readonly (readonly number[])[],
  perSequence: boolean,
  run: MicroBatchRunner,
): Promise<{ loss: number; metrics: Record<string, number>; grads: Map<string, Float32Array> }> {
  const grads = new Map<string, Float32Array>();
  const counted = batch.lossMask.map((row) => row.reduce((a, b) => a + b, 0));
  const totalCounted = Math.max(
    1,
    counted.reduce((a, b) => a + b, 0),
  );
  let loss = 0;
  const metrics: Record<string, number> = {};
  for (const idx of parts) {
    const tokensHere = idx.reduce((a, b) => a + counted[b]!, 0);
    const weight = perSequence ? idx.length / batch.tokens.length : tokensHere / totalCounted;
    const { feeds, key, build, objective } = run.part(idx);
    const part = run.staged
      ? await stagedGradients(run.staged.model, run.session, objective, feeds, run.staged.options, grads, weight)
      : await oneGraphGradients(await run.session(key, build, true), objective, feeds, run.trained, grads, weight);
    loss += weight * checkedLoss(part.loss);
    for (const k of LOSS_METRICS) if (k in part.metrics) metrics[k] = (metrics[k] ?? 0) + (tokensHere / totalCounted) * part.metrics[k]!;
  }
  return { loss, metrics, grads };
}

/** One run of the gradient graph: adds weight × each trained weight's gradient into `grads`; returns the loss and metrics. */
async function oneGraphGradients(
  session: EngineSession,
  objective: Objective,
  feeds: Readonly<Record<string, HostTensor>>,
  trained: readonly string[],
  grads: Map<string, Float32Array>,
  weight: number,
): Promise<{ loss: number; metrics: Record<string, number> }> {
  const out = await session.run(feeds, ['loss', ...(objective.kind === 'grpo' ? LOSS_METRICS : []), ...trained.map((name) => FEED.grad(name))]);
  const metrics: Record<string, number> = {};
  for (const k of LOSS_METRICS) if (out[k]) metrics[k] = out[k].data[0] as number;
  for (const name of trained) addScaled(grads, name, out[FEED.grad(name)]!.data as Float32Array, weight);
  return { loss: out.loss!.data[0] as number, metrics };
}
