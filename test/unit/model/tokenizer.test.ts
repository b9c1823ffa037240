// Tokenizer: section headers are single tokens, every string round-trips (unseen text via bytes).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SECTION_HEADERS, Tokenizer } from '../../../src/model';
import { Rng } from '../../../src/model/rng';

/** Seeded so a failure replays: rerun this file. */
const testRng = new Rng(404);

function chain(a: number, b: number, steps: number): string {
  const body = Array.from({ length: steps }, (_, i) => `### Step ${i + 1}: add ${a + i} and ${b} to get ${a + i + b}.`).join('\n');
  return `### Image Description:\nThere are ${a} red squares.\n### Rationales:\nCount then add.\n${body}\n### The final answer is: ${a + b}`;
}

const corpus = (): string[] => Array.from({ length: 30 }, () => chain(1 + Math.floor(testRng.next() * 50), Math.floor(testRng.next() * 9), 1 + Math.floor(testRng.next() * 4)));

describe('tokenizer', () => {
  it('makes each section header one token and round-trips the corpus', () => {
    const texts = corpus();
    const tok = Tokenizer.fit(texts);
    for (const h of [...SECTION_HEADERS, '### Step 3:']) assert.equal(tok.encode(h).length, 1, h);
    for (const t of texts) assert.equal(tok.decode(tok.encode(t)), t);
    assert.ok(tok.encode(texts[0]!).length < texts[0]!.length / 2, 'words compress better than characters');
  });

  it('round-trips unseen characters through byte tokens and serialises to JSON', () => {
    const tok = Tokenizer.fit(corpus());
    const odd = '### Step 99: ½ × ∑ émoji 🙂 #### not a header\t end';
    assert.equal(tok.decode(tok.encode(odd)), odd);
    const back = Tokenizer.fromJSON(JSON.parse(JSON.stringify(tok)));
    assert.deepEqual(back.encode(odd), tok.encode(odd));
    assert.equal(tok.decode([tok.bos, ...tok.encode('add'), tok.eos]), 'add');
    assert.throws(() => Tokenizer.fromJSON({ kind: 'other' } as never), /expected \{kind/);
    assert.throws(() => tok.decode([tok.vocabSize]), /outside vocabulary/);
  });
});
