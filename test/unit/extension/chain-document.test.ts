import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readChainDocument } from '../../../src/extension/annotations/chain-document';
import { APPLES_REFERENCE, applesChain, withComment, withFrontMatter } from '../../fixtures/chain-documents';

describe('reference in a Markdown / text document', () => {
  it('reads YAML front matter and blanks it without moving the chain', () => {
    const text = withFrontMatter(applesChain(), APPLES_REFERENCE);
    const doc = readChainDocument(text);
    assert.equal(doc.referenceSource, 'front matter');
    assert.deepEqual(doc.reference, { answer: '7', keySteps: APPLES_REFERENCE.key_steps });
    assert.equal(doc.chainText.length, text.length);
    assert.equal(doc.chainText.trim(), applesChain().trim());
    assert.deepEqual(doc.problems, []);
  });

  it('reads an HTML comment block with JSON or YAML inside', () => {
    assert.deepEqual(readChainDocument(withComment(applesChain(), APPLES_REFERENCE)).reference.keySteps, APPLES_REFERENCE.key_steps);
    const yaml = `${applesChain()}\n<!-- stepgrpo:\nanswer: 7\nkey_steps:\n  - 12 - 5 = 7\n-->\n`;
    const doc = readChainDocument(yaml);
    assert.equal(doc.referenceSource, 'comment');
    assert.deepEqual(doc.reference, { answer: '7', keySteps: ['12 - 5 = 7'] });
    assert.ok(!doc.chainText.includes('stepgrpo'));
  });

  it('turns malformed YAML into a problem inside the front matter, keeping the chain', () => {
    const text = `---\nanswer: [7\n---\n${applesChain()}`;
    const doc = readChainDocument(text);
    assert.equal(doc.problems.length, 1);
    assert.match(doc.problems[0]!.message, /^Front matter is not valid YAML/);
    assert.ok(doc.problems[0]!.end <= text.indexOf('###'));
    assert.deepEqual(doc.reference, {});
  });

  it('reports front matter that is never closed', () => {
    const doc = readChainDocument(`---\nanswer: 7\n${applesChain()}`);
    assert.match(doc.problems[0]!.message, /never closed/);
  });

  it('names a key_steps field of the wrong shape', () => {
    const doc = readChainDocument(withFrontMatter(applesChain(), { answer: '7', key_steps: 5 as unknown as string[] }));
    assert.equal(doc.problems.length, 1);
    assert.match(doc.problems[0]!.message, /key_steps/);
  });

  it('has no reference when there is none', () => {
    const doc = readChainDocument(applesChain());
    assert.equal(doc.referenceSource, null);
    assert.deepEqual(doc.reference, {});
    assert.equal(doc.chainText, applesChain());
  });
});
