// How much can RL gain over an SFT checkpoint, and where are its errors? On the validation split
// of scripts/rl-sweep.ts (200 fresh training-distribution prompts, never the held-out split):
//   - greedy accuracy, and how many wrong greedy chains still describe the image exactly right;
//   - majority vote over K chains sampled at temperature T: roughly what sharpening the policy
//     towards its own most frequent answer can reach, and pass@K: what sampling ever finds;
//   - both split by chain kind: complete chains (StepRVR valid) against the rest (e.g. the direct
//     answers a policy imitates from the default teacher, docs/task.md).
//   node --import tsx scripts/headroom.ts '{"from":"media/sft-demo","temperature":1,"samples":16}'
import { parseChain } from '../src/core/chain-parser';
import { resolveRewardConfig } from '../src/core/reward';
import type { RewardBreakdown } from '../src/core/reward-types';
import { TRAIN_DEFAULTS } from '../src/trainer/config';
import type { Example } from '../src/trainer/data/example';
import { createTaskSource } from '../src/trainer/data/task-source';
import { openPolicy } from '../src/trainer/open-policy';
import { rollout } from '../src/trainer/rollout';

interface HeadroomArgs {
  from?: string;
  temperature?: number;
  samples?: number;
  validationPrompts?: number;
}

const VALIDATION_START = 4000;

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as HeadroomArgs;
  const from = args.from ?? 'media/sft-demo';
  const temperature = args.temperature ?? 1;
  const K = args.samples ?? 16;
  const n = args.validationPrompts ?? 200;
  const { policy, codec, checkpoint: state } = await openPolicy({ checkpoint: from });
  if (state.config.data.kind !== 'synthetic') throw new Error(`${from}: the validation split is defined for the synthetic task only`);
  const extended = await createTaskSource({ ...state.config.data, trainSize: VALIDATION_START + n });
  const set: Example[] = Array.from({ length: n }, (_, i) => extended.trainAt(VALIDATION_START + i));
  const reward = resolveRewardConfig(TRAIN_DEFAULTS.reward);
  /** One chain per validation prompt, with its rewards. */
  const chains = async (t: number, seedBase: number): Promise<{ text: string; rewards: RewardBreakdown }[]> => {
    const r = await rollout({
      policy,
      codec,
      examples: set,
      sampling: { groupSize: 1, temperature: t, maxNewTokens: TRAIN_DEFAULTS.rl.maxNewTokens, seedOf: (i) => seedBase + i },
      reward,
    });
    return r.texts.map((text, i) => ({ text, rewards: r.rewards[i]! }));
  };
  const description = (text: string): string => {
    const chain = parseChain(text);
    const s = chain.sections.find((x) => x.kind === 'description');
    return s ? text.slice(s.body.start, s.body.end) : '';
  };
  const judge = (r: RewardBreakdown): { answer: string; correct: boolean; complete: boolean } => ({
    answer: r.answer ?? '',
    correct: r.answer_correct,
    complete: r.validity === 1,
  });
  // Chains and correct answers per kind: complete (StepRVR valid) and the rest.
  const byKind = (): Record<'complete' | 'other', { chains: number; right: number }> => ({ complete: { chains: 0, right: 0 }, other: { chains: 0, right: 0 } });
  const tally = (kinds: ReturnType<typeof byKind>, j: ReturnType<typeof judge>): void => {
    const kind = kinds[j.complete ? 'complete' : 'other'];
    kind.chains++;
    if (j.correct) kind.right++;
  };
  const showKinds = (kinds: ReturnType<typeof byKind>): string =>
    (['complete', 'other'] as const).map((k) => `${k} ${kinds[k].chains} (accuracy ${kinds[k].chains ? ((100 * kinds[k].right) / kinds[k].chains).toFixed(1) : '—'} %)`).join(', ');
  try {
    const greedy = await chains(0, 0);
    let right = 0;
    let wrongWithRightDescription = 0;
    const greedyKinds = byKind();
    const sampledKinds = byKind();
    greedy.forEach(({ text, rewards }, i) => {
      const j = judge(rewards);
      tally(greedyKinds, j);
      if (j.correct) right++;
      else if (description(text) === description(set[i]!.solution)) wrongWithRightDescription++;
    });
    // Per prompt: votes per extracted answer, and which answer (if any) is the correct one.
    const votes = set.map(() => new Map<string, number>());
    const correctAnswer = set.map((): string | null => null);
    for (let k = 0; k < K; k++) {
      const sampled = await chains(temperature, 1_000_003 * (k + 1));
      sampled.forEach(({ rewards }, i) => {
        const j = judge(rewards);
        tally(sampledKinds, j);
        votes[i]!.set(j.answer, (votes[i]!.get(j.answer) ?? 0) + 1);
        if (j.correct) correctAnswer[i] = j.answer;
      });
    }
    let majority = 0;
    let meanSampled = 0;
    let passAtK = 0;
    set.forEach((_, i) => {
      const good = correctAnswer[i] ?? null;
      if (good === null) return;
      const [top] = [...votes[i]!.entries()].sort((a, b) => b[1] - a[1]);
      if (top![0] === good) majority++;
      meanSampled += votes[i]!.get(good)! / K;
      passAtK++;
    });
    const pct = (x: number): string => `${((100 * x) / n).toFixed(1)} %`;
    console.log(`${from}, ${n} validation prompts`);
    console.log(`greedy accuracy ${pct(right)}; wrong greedy chains whose image description is exactly right: ${wrongWithRightDescription} of ${n - right}`);
    console.log(`T = ${temperature}, K = ${K}: sampled accuracy ${pct(meanSampled)}, majority vote ${pct(majority)}, pass@${K} ${pct(passAtK)}`);
    console.log(`greedy chains by kind: ${showKinds(greedyKinds)}`);
    console.log(`sampled chains by kind: ${showKinds(sampledKinds)}`);
  } finally {
    await policy.release();
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
