// End markers cut before scoring: each default marker, padding repeated, whitespace among them, and
// a seeded comparison with an independent regex reference (the trailing run of markers and
// whitespace that starts at a marker).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveRewardConfig, scoreChain } from '../../../src/core/reward';
import { Rng } from '../../../src/model/rng';
import { DEFAULT_END_MARKERS, splitEndMarkers } from '../../../src/server/end-markers';
import { resolveItem } from '../../../src/server/score-items';
import { buildChain } from '../../fixtures/chain-builder';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function reference(text: string, markers: readonly string[]): { text: string; suffix: string } {
  if (markers.length === 0) return { text, suffix: '' };
  const match = new RegExp(`(?:(?:${markers.map(escape).join('|')})\\s*)+$`).exec(text);
  return match ? { text: text.slice(0, match.index), suffix: match[0] } : { text, suffix: '' };
}

describe('splitEndMarkers', () => {
  const chain = buildChain();

  for (const marker of DEFAULT_END_MARKERS) {
    it(`${marker}: cut, once or repeated as padding, and the chain scores as the bare chain`, () => {
      for (const tail of [marker, `${marker}\n`, `${marker}${marker}${marker}`, `\n${marker}\n${marker}  `]) {
        const { text, suffix } = splitEndMarkers(chain + tail);
        assert.equal(text + suffix, chain + tail);
        assert.equal(text, tail.startsWith('\n') ? `${chain}\n` : chain, JSON.stringify(tail));
        assert.deepEqual(scoreChain(text, { answer: '7' }), scoreChain(chain, { answer: '7' }));
      }
    });
  }

  it("Qwen's end token followed by its padding token", () => {
    assert.deepEqual(splitEndMarkers('x<|im_end|><|endoftext|><|endoftext|>'), { text: 'x', suffix: '<|im_end|><|endoftext|><|endoftext|>' });
  });

  it('leaves a chain without markers, a marker inside the text and trailing whitespace alone', () => {
    for (const text of [chain, `${chain}\n\n`, 'a </s> b', '<|im_end|>x', '']) assert.deepEqual(splitEndMarkers(text), { text, suffix: '' });
  });

  it('uses the list it is given ([] cuts nothing)', () => {
    assert.deepEqual(splitEndMarkers('x<eos>', ['<eos>']), { text: 'x', suffix: '<eos>' });
    assert.deepEqual(splitEndMarkers('x</s>', []), { text: 'x</s>', suffix: '' });
    assert.deepEqual(splitEndMarkers('x</s>', ['']), { text: 'x</s>', suffix: '' });
  });

  it('agrees with the regex reference on 3,000 seeded texts', () => {
    const rng = new Rng(17);
    const pieces = ['a', ' ', '\n', '3', '<|', '|>', '</', 's>', ...DEFAULT_END_MARKERS];
    for (let n = 0; n < 3000; n++) {
      let text = '';
      const length = Math.floor(rng.next() * 12);
      for (let i = 0; i < length; i++) text += pieces[Math.floor(rng.next() * pieces.length)];
      assert.deepEqual(splitEndMarkers(text), reference(text, DEFAULT_END_MARKERS), JSON.stringify(text));
    }
  });
});

describe('resolveItem and end markers', () => {
  const base = resolveRewardConfig('stepgrpo');
  const chain = buildChain();

  it('scores the bare chain and keeps the completion as sent in raw', () => {
    const item = resolveItem({ completion: `${chain}<|eot_id|>`, answer: '7' }, base);
    assert.equal(item.completion, chain);
    assert.equal(item.raw, `${chain}<|eot_id|>`);
    assert.equal(resolveItem({ completion: chain }, base).raw, undefined);
  });

  it("an item's end_markers replace the server's", () => {
    assert.equal(resolveItem({ completion: `${chain}</s>`, end_markers: [] }, base).completion, `${chain}</s>`);
    assert.equal(resolveItem({ completion: `${chain}[END]` }, base, '', undefined, ['[END]']).completion, chain);
    assert.equal(resolveItem({ completion: `${chain}[END]`, end_markers: ['</s>'] }, base, '', undefined, ['[END]']).completion, `${chain}[END]`);
  });
});
