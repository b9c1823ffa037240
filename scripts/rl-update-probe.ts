// What ONE GRPO update does from a checkpoint (issue 20, item 2: why 150 steps left StepRAR-only's
// own reward flat). From the start checkpoint: sample the run's first batch (step 0's prompts and
// sampling seeds) and a second, never-trained-on batch (step 1's); apply one update on the first at
// each learning rate and Adam ε asked for, from fresh Adam moments as an RL run starts; measure
//  - how far the summed log-prob of positive- and negative-advantage chains moved, on the batch
//    trained on and on the other one (does the update generalise to other prompts?);
//  - the importance-weighted change of the expected reward it implies on the other batch (the
//    reward of the same chains reweighted by π_new / π_start, per group), with its SE over groups;
//  - the per-token KL(start ‖ new) on the other batch's chains, to compare with a run's KL;
//  - the gradient itself (Adam's first step with ε ≫ |g| is lr·g/ε: the gradient, read back from
//    the parameters): its cosine between batches, and at a moved policy the share of its norm that
//    the KL term makes at the run's β.
//   node --import tsx scripts/rl-update-probe.ts '{"from":"<checkpoint>","reward":{"mode":"robust","alpha":3,"w_val":0},"seed":1}'
import fs from 'node:fs';
import { resolveRewardConfig } from '../src/core/reward';
import { ADAMW_DEFAULTS } from '../src/engine/optim';
import type { ParamValues } from '../src/model/params';
import type { PolicyRuntime } from '../src/model/family';
import { hashSeed } from '../src/model/rng';
import { resolveTrainConfig } from '../src/trainer/config';
import type { TrainStream } from '../src/trainer/data/example';
import { createTaskSource } from '../src/trainer/data/task-source';
import { grpoUpdate } from '../src/trainer/grpo-update';
import { openPolicy } from '../src/trainer/open-policy';
import { rollout, type Rollout } from '../src/trainer/rollout';
import { completionMask } from '../src/trainer/sequences';

interface ProbeArgs {
  from: string;
  reward?: object;
  seed?: number;
  /** [lr, Adam ε] pairs, each applied once from the start checkpoint. */
  settings?: [number, number][];
  /** The update whose end point the KL-gradient share is measured at (a KL near a run's end). */
  movedBy?: [number, number];
  /** Prompts of the never-trained-on batch (the next ones after the first batch's; default 64). */
  otherPrompts?: number;
  out?: string;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const se = (xs: readonly number[]): number => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / Math.max(1, xs.length - 1) / xs.length);
const copyParams = (p: ParamValues): ParamValues => new Map([...p].map(([k, v]) => [k, v.slice()]));

/** Summed completion log-prob per chain and the completion token count, at the sampling temperature. */
async function chainLogprobs(policy: PolicyRuntime, r: Rollout, temperature: number): Promise<{ sum: number[]; perToken: number[][] }> {
  const tokens = r.prompts.map((p, i) => [...p, ...r.completions[i]!]);
  const { logp } = await policy.logprobs({ images: r.images, tokens }, { temperature });
  const perToken = logp.map((row, i) => {
    const mask = completionMask(r.prompts[i]!.length, tokens[i]!.length);
    return row.filter((_, j) => mask[j] === 1);
  });
  return { sum: perToken.map((row) => row.reduce((a, b) => a + b, 0)), perToken };
}

/** Per group: Σ w·x / Σ w − mean x, w = exp(Δ log-prob): the change of E[x] the update implies on these chains. */
function reweightedChange(values: readonly number[], delta: readonly number[], G: number): number[] {
  const out: number[] = [];
  for (let g = 0; g < values.length; g += G) {
    const w = delta.slice(g, g + G).map(Math.exp);
    const x = values.slice(g, g + G);
    out.push(x.reduce((a, v, i) => a + w[i]! * v, 0) / w.reduce((a, b) => a + b, 0) - mean(x));
  }
  return out;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as ProbeArgs;
  const seed = args.seed ?? 1;
  const config = resolveTrainConfig({ ...(args.reward ? { reward: args.reward } : {}), seed });
  const rl = config.rl;
  const { policy, codec, checkpoint } = await openPolicy({ checkpoint: args.from, config });
  const start = copyParams(policy.params);
  const reward = resolveRewardConfig(config.reward);
  const data = await createTaskSource(checkpoint.config.data);
  const stream = data.train();
  const sampleBatch = (from: TrainStream, step: number, sampleSeed = seed, prompts = rl.promptsPerStep): Promise<Rollout> =>
    rollout({
      policy,
      codec,
      examples: from.take(prompts),
      sampling: { groupSize: rl.groupSize, temperature: rl.temperature, topP: rl.topP, maxNewTokens: rl.maxNewTokens, seedOf: (i) => hashSeed(sampleSeed, 'rl', step, i) },
      reward,
      advantage: { eps: rl.advantageEps, scaleStd: rl.scaleStd },
    });
  let t = performance.now();
  const trained = await sampleBatch(stream, 0);
  const other = await sampleBatch(stream, 1, seed, args.otherPrompts ?? 64);
  const sampleSeconds = (performance.now() - t) / 1000;
  const G = rl.groupSize;
  const describe = (r: Rollout) => ({
    reward: mean(r.rewards.map((x) => x.total)),
    answer: mean(r.rewards.map((x) => (x.answer_correct ? 1 : 0))),
    keyStepRecall: mean(r.rewards.map((x) => x.key_step_ratio)),
    tiedGroups: mean(Array.from({ length: r.advantages.length / G }, (_, g) => (r.advantages.slice(g * G, g * G + G).every((a) => a === 0) ? 1 : 0))),
    meanAbsAdvantage: mean(r.advantages.map(Math.abs)),
  });
  const before = { trained: await chainLogprobs(policy, trained, rl.temperature), other: await chainLogprobs(policy, other, rl.temperature) };
  const asBatch = (r: Rollout, advantages: readonly number[] = r.advantages) => ({ images: r.images, prompts: r.prompts, completions: r.completions, advantages });

  /** One update from `from` with fresh Adam moments; the policy is left at its end point. */
  const updateFrom = async (from: ParamValues, batch: ReturnType<typeof asBatch>, lr: number, adamEps: number) => {
    policy.setParams(copyParams(from));
    policy.setOptimizerState(policy.freshOptimizerState());
    return grpoUpdate(policy, start, batch, { temperature: rl.temperature, lr, updatesPerBatch: 1, adamEps });
  };

  const settings = args.settings ?? [
    [5e-6, 1e-8],
    [5e-5, 1e-8],
    [5e-4, 1e-8],
    [2e-3, 1e-8],
    [5e-4, 1e-5],
    [2e-3, 1e-5],
  ];
  const updates = [];
  for (const [lr, adamEps] of settings) {
    t = performance.now();
    const { update } = await updateFrom(start, asBatch(trained), lr, adamEps);
    const after = { trained: await chainLogprobs(policy, trained, rl.temperature), other: await chainLogprobs(policy, other, rl.temperature) };
    const split = (r: Rollout, key: 'trained' | 'other') => {
      const delta = after[key].sum.map((x, i) => x - before[key].sum[i]!);
      const by = (keep: (a: number) => boolean) => mean(delta.filter((_, i) => keep(r.advantages[i]!)));
      const klPerToken = mean(before[key].perToken.flatMap((row, i) => row.map((lp, j) => lp - after[key].perToken[i]![j]!)));
      const change = (values: number[]) => {
        const perGroup = reweightedChange(values, delta, G);
        return { mean: mean(perGroup), se: se(perGroup) };
      };
      return {
        deltaLogpPositive: by((a) => a > 0),
        deltaLogpNegative: by((a) => a < 0),
        deltaLogpTied: by((a) => a === 0),
        // Per group: mean of A·Δ log-prob (> 0: the update moved mass toward the group's better chains).
        advantageWeighted: ((perGroup: number[]) => ({ mean: mean(perGroup), se: se(perGroup) }))(
          Array.from({ length: delta.length / G }, (_, g) => mean(delta.slice(g * G, g * G + G).map((d, i) => d * r.advantages[g * G + i]!))),
        ),
        klStartToNew: klPerToken,
        rewardChange: change(r.rewards.map((x) => x.total)),
        keyStepRecallChange: change(r.rewards.map((x) => x.key_step_ratio)),
        answerChange: change(r.rewards.map((x) => (x.answer_correct ? 1 : 0))),
      };
    };
    const row = { lr, adamEps, gradNorm: update.gradNorm, trained: split(trained, 'trained'), other: split(other, 'other'), seconds: (performance.now() - t) / 1000 };
    updates.push(row);
    console.log(JSON.stringify(row));
  }

  // The gradient read back from Adam's first step: with fresh moments m̂ = g and v̂ = g², so the step is
  // lr·g / (|g| + ε) = g for lr = ε = 1 ≫ |g| (after the global-norm clip, undone here); weight decay
  // (p·(1 − lr·wd), matrices only) is taken out with a zero-advantage step at the start, whose gradient is 0.
  const READ_LR = 1;
  const decayKeep = Math.fround(1 - Math.fround(READ_LR * Math.fround(ADAMW_DEFAULTS.weightDecay)));
  const keep = new Map<string, number>();
  await updateFrom(
    start,
    asBatch(
      trained,
      trained.advantages.map(() => 0),
    ),
    READ_LR,
    READ_LR,
  );
  // A decayed tensor moved by |p|·lr·wd; the others only by the (≈ 0) gradient.
  for (const [name, p] of start) {
    const q = policy.params.get(name)!;
    const moved = q.reduce((a, x, i) => a + Math.abs(x - p[i]!), 0);
    const byDecay = p.reduce((a, x) => a + Math.abs(x), 0) * (1 - decayKeep);
    keep.set(name, moved > byDecay / 2 ? decayKeep : 1);
  }
  const gradient = async (from: ParamValues, batch: ReturnType<typeof asBatch>): Promise<Float32Array> => {
    const { update } = await updateFrom(from, batch, READ_LR, READ_LR);
    const clip = Math.min(1, 1 / (update.gradNorm + 1e-6));
    const flat = new Float32Array([...from.values()].reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const [name, p] of from) {
      const k = keep.get(name)!;
      const q = policy.params.get(name)!;
      for (let i = 0; i < p.length; i++) flat[o++] = ((k === 1 ? p[i]! : Math.fround(p[i]! * k)) - q[i]!) / (READ_LR * clip);
    }
    return flat;
  };
  const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, x, i) => s + x * b[i]!, 0);
  const norm = (a: Float32Array): number => Math.sqrt(dot(a, a));
  const cos = (a: Float32Array, b: Float32Array): number => dot(a, b) / (norm(a) * norm(b));
  // Step 0's prompts again (a stream from the start), other sampling seeds.
  policy.setParams(copyParams(start));
  const resampled = await sampleBatch(data.train(), 0, seed + 1000);
  const gTrained = await gradient(start, asBatch(trained));
  const gOther = await gradient(start, asBatch(other));
  const gResampled = await gradient(start, asBatch(resampled));
  const abs = Float32Array.from(gTrained, Math.abs).sort();
  const gradients = {
    /** Read back from the parameters; `reported` is the train step's own norm of the same batch (a check of the read-back). */
    reported: updates[0]?.gradNorm,
    norm: { trained: norm(gTrained), other: norm(gOther), resampled: norm(gResampled) },
    perParameterAbs: { median: abs[abs.length >> 1]!, p90: abs[Math.floor(abs.length * 0.9)]!, max: abs[abs.length - 1]! },
    cosine: { trainedVsOther: cos(gTrained, gOther), trainedVsResampledSamePrompts: cos(gTrained, gResampled), otherVsResampled: cos(gOther, gResampled) },
  };
  console.log(JSON.stringify({ gradients }));

  // The KL term's share at a policy moved away from the start (KL measured on the other batch's chains).
  const [movedLr, movedEps] = args.movedBy ?? [5e-4, 1e-8];
  await updateFrom(start, asBatch(trained), movedLr, movedEps);
  const moved = copyParams(policy.params);
  const movedLogp = await chainLogprobs(policy, other, rl.temperature);
  const klAtMoved = mean(before.other.perToken.flatMap((row, i) => row.map((lp, j) => lp - movedLogp.perToken[i]![j]!)));
  const gFull = await gradient(moved, asBatch(other));
  const gKl = await gradient(
    moved,
    asBatch(
      other,
      other.advantages.map(() => 0),
    ),
  );
  const gPolicy = gFull.map((x, i) => x - gKl[i]!);
  const klShare = {
    movedBy: [movedLr, movedEps],
    beta: rl.beta,
    klStartToMoved: klAtMoved,
    normFull: norm(gFull),
    normKl: norm(gKl),
    normPolicy: norm(gPolicy),
    cosineKlPolicy: cos(gKl, gPolicy),
  };
  console.log(JSON.stringify({ klShare }));

  const record = { args, sampleSeconds, batches: { trained: describe(trained), other: describe(other), resampled: describe(resampled) }, updates, gradients, klShare };
  if (args.out) fs.writeFileSync(args.out, `${JSON.stringify(record, null, 1)}\n`);
  await policy.release();
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
