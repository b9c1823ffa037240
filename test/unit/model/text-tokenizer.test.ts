// The TextTokenizer seam: per-token offsets that tile the decoded text, for the word-level tokenizer
// and the piece renderer every family shares.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Tokenizer } from '../../../src/model/tokenizer';
import { prefixOffsets, renderPieces } from '../../../src/model/text-tokenizer';
import { assertTiles } from '../../fixtures/token-offsets';

const utf8 = (s: string): number[] => [...new TextEncoder().encode(s)];

describe('renderPieces', () => {
  it('gives a character split across tokens to the token that completes it', () => {
    const [a, b, c, d] = utf8('🙂');
    const r = renderPieces([{ text: 'x' }, { bytes: [a!, b!] }, { bytes: [c!] }, null, { bytes: [d!, 0x21] }]);
    assert.equal(r.text, 'x🙂!');
    assert.deepEqual(r.offsets, [
      [0, 1],
      [1, 1],
      [1, 1],
      [1, 1],
      [1, 4],
    ]);
  });

  it('turns bytes left incomplete before a text piece or the end into U+FFFD on the last byte token', () => {
    const [a, b] = utf8('世');
    const r = renderPieces([{ bytes: [a!] }, { bytes: [b!] }, null, { text: 'y' }, { bytes: [a!] }]);
    assert.equal(r.text, '\uFFFDy\uFFFD');
    assert.deepEqual(r.offsets, [
      [0, 0],
      [0, 1],
      [1, 1],
      [1, 2],
      [2, 3],
    ]);
  });

  it('keeps or drops a leading BOM of a byte run as asked', () => {
    const bom = [0xef, 0xbb, 0xbf];
    assert.equal(renderPieces([{ bytes: bom }]).text, '\uFEFF');
    assert.equal(renderPieces([{ bytes: bom }], { ignoreBOM: false }).text, '');
  });
});

describe('prefixOffsets', () => {
  it('follows the longest common prefix, so cleanup and partial characters stay in order', () => {
    const full = 'a.b';
    const prefixes = ['a ', 'a.', 'a.b'];
    assert.deepEqual(
      prefixOffsets([1, 2, 3], full, (p) => prefixes[p.length - 1]!),
      [
        [0, 1],
        [1, 2],
        [2, 3],
      ],
    );
    assert.deepEqual(
      prefixOffsets([1, 2], '🙂', () => '\uFFFD'),
      [
        [0, 0],
        [0, 2],
      ],
    );
  });
});

describe('word-level Tokenizer as a TextTokenizer', () => {
  const tok = Tokenizer.fit(['### Step 1: add 2 and 3 to get 5.', '### The final answer is: 5', 'add the two numbers']);

  it('tiles the decoded text, byte tokens included, with and without specials', () => {
    const ids = [tok.bos, ...tok.encode('### Step 1: add 🙂 and 世界 to get 5.'), tok.eos];
    const offsets = assertTiles(tok, ids);
    assert.deepEqual(offsets[0], [0, 0], 'BOS renders as nothing');
    assert.ok(
      offsets.some(([s, e], k) => s === e && k > 0 && k < ids.length - 1),
      'a partial UTF-8 byte token has an empty range',
    );
    assertTiles(tok, ids, { skipSpecialTokens: false });
    assert.equal(tok.decode(ids, { skipSpecialTokens: false }), tok.decode(ids, true));
    assert.ok(tok.decode(ids, { skipSpecialTokens: false }).startsWith('<bos>'));
    assert.equal(tok.decode(ids), tok.decode(ids, { skipSpecialTokens: true }));
  });

  it('adds BOS only when asked', () => {
    assert.deepEqual(tok.encode('add', { addSpecialTokens: true }), [tok.bos, ...tok.encode('add')]);
    assert.ok(!tok.encode('add').includes(tok.bos));
  });

  it('decodes byte runs as before: a run cut mid-character is U+FFFD, a dropped special still ends a run', () => {
    const bytes = tok.encode('🙂');
    assert.equal(bytes.length, 4);
    assert.equal(tok.decode(bytes.slice(0, 2)), '\uFFFD');
    assert.equal(tok.decode([...bytes.slice(0, 2), tok.eos, ...bytes.slice(2)]), '\uFFFD\uFFFD\uFFFD');
    assertTiles(tok, [...bytes.slice(0, 2), tok.eos, ...bytes.slice(2)]);
  });
});
