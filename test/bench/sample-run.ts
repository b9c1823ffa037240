// Child process of the trainer bench: sampling speed of the shipped SFT policy on the demo's RL batch
// (16 prompts × G 8 at the demo's temperature and length limit, stopping at EOS) and for one sequence
// at a time. argv[2] is the checkout whose sources run (this one by default), so a baseline checkout
// is measured by the same script. Prints one JSON line.
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(process.argv[2] ?? path.join(__dirname, '../..'));

async function main(): Promise<void> {
  const { presetConfig } = (await import(path.join(root, 'src/trainer/config.ts'))) as typeof import('../../src/trainer/config');
  const { loadWeights } = (await import(path.join(root, 'src/trainer/checkpoint.ts'))) as typeof import('../../src/trainer/checkpoint');
  const { SHIPPED_SFT_FOLDER } = (await import(path.join(root, 'src/trainer/shipped-checkpoint.ts'))) as typeof import('../../src/trainer/shipped-checkpoint');
  const { createTaskSource } = (await import(path.join(root, 'src/trainer/data/task-source.ts'))) as typeof import('../../src/trainer/data/task-source');
  const { encodePrompt } = (await import(path.join(root, 'src/trainer/sequences.ts'))) as typeof import('../../src/trainer/sequences');
  const { Tokenizer } = (await import(path.join(root, 'src/model/tokenizer.ts'))) as typeof import('../../src/model/tokenizer');
  const { createPolicySessions } = (await import(path.join(root, 'src/model/policy.ts'))) as typeof import('../../src/model/policy');
  const config = presetConfig('demo');
  const weights = loadWeights(path.join(root, SHIPPED_SFT_FOLDER));
  const tok = Tokenizer.fromJSON(weights.state.tokenizer as Parameters<typeof Tokenizer.fromJSON>[0]);
  const policy = await createPolicySessions(weights.state.policy as Parameters<typeof createPolicySessions>[0], { params: weights.params, tokens: { pad: tok.pad, eos: tok.eos } });
  const data = await createTaskSource(config.data);
  const { promptsPerStep, groupSize, temperature, maxNewTokens } = config.rl;
  const examples = Array.from({ length: promptsPerStep }, (_, i) => data.trainAt(i));
  const request = (picked: typeof examples, group: number, seed: number) => ({
    images: picked.flatMap((e) => Array<Float32Array>(group).fill(e.image!)),
    prompts: picked.flatMap((e) => Array<number[]>(group).fill(encodePrompt(tok, e).ids)),
    seeds: picked.flatMap((_, p) => Array.from({ length: group }, (_, k) => seed + p * group + k)),
    temperature,
    maxNewTokens,
  });
  const rate = async (picked: typeof examples, group: number, seed: number): Promise<number> => {
    const t0 = performance.now();
    const out = await policy.sample(request(picked, group, seed));
    return out.completions.reduce((s, c) => s + c.length, 0) / ((performance.now() - t0) / 1e3);
  };
  await rate(examples.slice(0, 2), 2, 0); // builds the sessions
  const batched: number[] = [];
  for (let r = 0; r < 3; r++) batched.push(await rate(examples, groupSize, 1000 * r));
  const single: number[] = [];
  for (let r = 0; r < 16; r++) single.push(await rate([examples[r % examples.length]!], 1, 7000 + r));
  await policy.release();
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  process.stdout.write(`${JSON.stringify({ batched: median(batched), single: median(single), load: os.loadavg()[0] })}\n`);
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
