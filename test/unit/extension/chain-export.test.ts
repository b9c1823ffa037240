// Open in Editor's document: the annotations read the reference back from its front matter and
// score the chain as the trainer did, whatever the chain or prompt text holds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readChainDocument } from '../../../src/extension/annotations/chain-document';
import { chainDocument } from '../../../src/extension/viewer/chain-export';
import { fixtureGroup } from '../../support/rollout-fixtures';

describe('chainDocument', () => {
  it('puts the reference in front matter the annotations read, and the chain text after it unchanged', () => {
    const group = fixtureGroup(3);
    const sample = group.samples[0]!;
    const hostile = { ...group, prompt: 'a prompt with ---\nand: "quotes"' };
    const text = chainDocument(hostile, sample, { run: 'demo-1', step: 7 });
    const doc = readChainDocument(text);
    assert.deepEqual(doc.problems, []);
    assert.equal(doc.reference?.answer, group.reference.answer);
    assert.equal(doc.referenceSource, 'front matter');
    assert.ok(text.endsWith(`${sample.text}\n`));
  });

  it("keeps a chat model's chain as it wrote it (special tokens included) in the front matter, and scores the chain text", () => {
    const group = fixtureGroup(3);
    const sample = { ...group.samples[0]!, raw: `${group.samples[0]!.text}<|im_end|>` };
    const text = chainDocument(group, sample, { run: 'qwen-1', step: 2 });
    const doc = readChainDocument(text);
    assert.deepEqual(doc.problems, []);
    assert.ok(text.includes(`as_written: ${JSON.stringify(sample.raw)}`));
    assert.ok(text.endsWith(`${sample.text}\n`), 'the body is the chain the rewards scored');
  });
});
