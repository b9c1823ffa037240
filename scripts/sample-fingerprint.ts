// Fingerprints of what the sampler produces — the tokens, and their log-probs, of fixed requests,
// hashed apart — for a checkout given as argv[2] (this one by default). Run it on two checkouts to
// show that an engine change keeps the sampled tokens (first hash) or every bit (both). Cases: the demo batch (16 prompts × G 8 at
// T 1.3) at two seeds, 40 distinct prompts, top-p 0.9, greedy, two single sequences, a batch whose
// images are equal copies, the no-cache sampler, and a random Qwen2-shaped HF policy (groups,
// one sequence, greedy).
//   npx tsx scripts/sample-fingerprint.ts [checkout]
import crypto from 'node:crypto';
import path from 'node:path';

const root = path.resolve(process.argv[2] ?? path.join(__dirname, '..'));
const load = async <T>(file: string): Promise<T> => (await import(path.join(root, file))) as T;

interface Sampled {
  completions: number[][];
  logprobs: number[][];
}

const hash = (bytes: string | Buffer): string => crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 16);

const print = (name: string, out: Sampled): void =>
  console.log(
    `${name.padEnd(16)} tokens ${hash(JSON.stringify(out.completions))} log-probs ${hash(Buffer.from(new Float64Array(out.logprobs.flat()).buffer))} ${out.completions.reduce((s, c) => s + c.length, 0)} tokens`,
  );

async function tinyPolicy(): Promise<void> {
  const { presetConfig } = await load<typeof import('../src/trainer/config')>('src/trainer/config.ts');
  const { loadWeights } = await load<typeof import('../src/trainer/checkpoint')>('src/trainer/checkpoint.ts');
  const { SHIPPED_SFT_FOLDER } = await load<typeof import('../src/trainer/shipped-checkpoint')>('src/trainer/shipped-checkpoint.ts');
  const { createTaskSource } = await load<typeof import('../src/trainer/data/task-source')>('src/trainer/data/task-source.ts');
  const { encodePrompt } = await load<typeof import('../src/trainer/sequences')>('src/trainer/sequences.ts');
  const { Tokenizer } = await load<typeof import('../src/model/tokenizer')>('src/model/tokenizer.ts');
  const { createPolicySessions } = await load<typeof import('../src/model/policy')>('src/model/policy.ts');
  const weights = loadWeights(path.join(root, SHIPPED_SFT_FOLDER));
  const tok = Tokenizer.fromJSON(weights.state.tokenizer as Parameters<typeof Tokenizer.fromJSON>[0]);
  const policy = await createPolicySessions(weights.state.policy as Parameters<typeof createPolicySessions>[0], { params: weights.params, tokens: { pad: tok.pad, eos: tok.eos } });
  const data = await createTaskSource(presetConfig('demo').data);
  const example = (i: number): ReturnType<typeof data.trainAt> => data.trainAt(i);
  const request = (prompts: number[], group: number, seed: number, extra: object = {}) => ({
    images: prompts.flatMap((i) => Array<Float32Array>(group).fill(example(i).image!)),
    prompts: prompts.flatMap((i) => Array<number[]>(group).fill(encodePrompt(tok, example(i)).ids)),
    seeds: prompts.flatMap((_, p) => Array.from({ length: group }, (_, k) => seed + p * group + k)),
    temperature: 1.3,
    maxNewTokens: 200,
    ...extra,
  });
  const first = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);
  const copies = request(first(4, 4), 4, 21);
  const cases: [string, ReturnType<typeof request> & { useCache?: boolean }][] = [
    ['demo-batch-s0', request(first(16), 8, 0)],
    ['demo-batch-s1000', request(first(16), 8, 1000)],
    ['distinct-40', request(first(40, 20), 1, 5)],
    ['top-p-0.9', request(first(4), 4, 77, { topP: 0.9 })],
    ['greedy', request(first(6), 2, 3, { temperature: 0 })],
    ['single-a', request([3], 1, 11)],
    ['single-b', request([11], 1, 12)],
    ['copied-images', { ...copies, images: copies.images.map((im) => im.slice()) }],
    ['no-cache', request(first(2), 2, 9, { useCache: false, maxNewTokens: 40 })],
  ];
  for (const [name, req] of cases) print(name, await policy.sample(req));
  await policy.release();
}

async function hfPolicy(): Promise<void> {
  const { HfPolicy } = await load<typeof import('../src/model/hf/hf-policy')>('src/model/hf/hf-policy.ts');
  const { parseHfConfig, hfParamSpecs } = await load<typeof import('../src/model/hf/config')>('src/model/hf/config.ts');
  const { Rng } = await load<typeof import('../src/model/rng')>('src/model/rng.ts');
  const c = parseHfConfig(
    {
      model_type: 'qwen2',
      hidden_size: 64,
      intermediate_size: 128,
      num_hidden_layers: 3,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      hidden_act: 'silu',
      rms_norm_eps: 1e-6,
      rope_theta: 10000,
      max_position_embeddings: 512,
      tie_word_embeddings: true,
      vocab_size: 300,
      bos_token_id: 1,
      eos_token_id: 2,
    },
    'fingerprint',
  );
  const rng = new Rng(5);
  const base = new Map(
    hfParamSpecs(c).map((s) => {
      const data = new Float32Array(s.shape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < data.length; i++) data[i] = s.name.endsWith('norm.weight') ? 1 : 0.3 * (rng.next() - 0.5);
      return [s.name, data] as const;
    }),
  );
  const policy = new HfPolicy(c, { base, training: 'full', maxTextLen: 160, tokens: { pad: 0, eos: c.eosTokenIds } });
  const prompts = Array.from({ length: 6 }, (_, p) => Array.from({ length: 5 + 3 * p }, () => 3 + Math.floor(rng.next() * 290)));
  for (const [name, group, temperature] of [
    ['hf-groups', 4, 1],
    ['hf-single', 1, 0.8],
    ['hf-greedy', 2, 0],
  ] as const) {
    const req = {
      prompts: prompts.flatMap((p) => Array<number[]>(group).fill(p)),
      seeds: prompts.flatMap((_, i) => Array.from({ length: group }, (_, k) => 100 + i * group + k)),
      temperature,
      maxNewTokens: 100,
    };
    print(name, await policy.sample(req));
  }
  await policy.release();
}

async function main(): Promise<void> {
  console.log(`sampling fingerprints of ${root}`);
  await tinyPolicy();
  await hfPolicy();
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
