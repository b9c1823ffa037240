// What RL added, prompt by prompt: a run's SFT start and its last checkpoint evaluated on the same
// held-out prompts, and RL's greedy accuracy set against both SFT figures, plain greedy and with
// the full-chain mode forced (the control of issue 20: a gain over greedy alone can be nothing more
// than RL picking the chain mode the SFT policy already had).
import path from 'node:path';
import { type PairedChange, pairedChange } from '../core/paired-change';
import { resolveRewardConfig } from '../core/reward';
import { RUN_FILES } from '../rundir/run-files';
import { latestCheckpointDir } from '../rundir/checkpoint-pointer';
import { loadWeights } from './checkpoint';
import { checkpointState } from './checkpoint-state';
import { createTaskSource } from './data/task-source';
import { type EvalChains, evalExamples, evaluateChains, greedyRollout } from './evaluate';
import { openPolicy } from './open-policy';

export interface RlGain {
  prompts: number;
  accuracy: { sftGreedy: number; sftFullChain: number; rl: number };
  /** RL's greedy chains against the SFT start's greedy chains, and against its forced full chains. */
  overGreedy: PairedChange;
  overFullChain: PairedChange;
  /** Per prompt, in evaluation order: whether each answer was right. */
  correct: { sftGreedy: boolean[]; sftFullChain: boolean[]; rl: boolean[] };
}

const correct = (chains: EvalChains['greedy']): boolean[] => chains.map((r) => r.answer_correct);
const rate = (xs: readonly boolean[]): number => xs.filter(Boolean).length / xs.length;

export function rlGain(sft: EvalChains, rl: EvalChains['greedy']): RlGain {
  const [greedy, fullChain, after] = [correct(sft.greedy), correct(sft.fullChain), correct(rl)];
  return {
    prompts: after.length,
    accuracy: { sftGreedy: rate(greedy), sftFullChain: rate(fullChain), rl: rate(after) },
    overGreedy: pairedChange(greedy, after),
    overFullChain: pairedChange(fullChain, after),
    correct: { sftGreedy: greedy, sftFullChain: fullChain, rl: after },
  };
}

/** The checkpoint folders of a run's SFT start (its KL reference) and its latest checkpoint; null before RL has a step. */
export function rlCheckpoints(runDir: string): { sft: string; rl: string } | null {
  const dir = path.join(runDir, RUN_FILES.checkpoints);
  const latest = latestCheckpointDir(dir);
  if (latest === null) return null;
  const state = checkpointState(loadWeights(latest).state, path.join(latest, 'state.json'));
  if (state.reference === null || path.join(dir, state.reference) === latest) return null;
  return { sft: path.join(dir, state.reference), rl: latest };
}

/** Evaluates both checkpoints of a run on its held-out prompts (config.eval.prompts); null when it has no RL checkpoint. */
export async function measureRlGain(runDir: string): Promise<RlGain | null> {
  const found = rlCheckpoints(runDir);
  if (!found) return null;
  const { policy, codec, checkpoint: state } = await openPolicy({ checkpoint: found.sft });
  try {
    const { config } = state;
    const examples = evalExamples(await createTaskSource(config.data), config.eval.prompts);
    const reward = resolveRewardConfig(config.reward);
    const sft = await evaluateChains(policy, codec, examples, config.rl.maxNewTokens, reward);
    policy.setParams(loadWeights(found.rl).params);
    const rl = await greedyRollout(policy, codec, examples, config.rl.maxNewTokens, reward);
    return rlGain(sft, rl.rewards);
  } finally {
    await policy.release();
  }
}
