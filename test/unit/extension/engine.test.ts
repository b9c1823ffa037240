import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyseChainDocument, analyseJsonlLine } from '../../../src/extension/annotations/engine';
import { renumberStepEdits } from '../../../src/extension/annotations/renumber';
import { DEFAULT_ANNOTATION_SETTINGS } from '../../../src/extension/annotations/settings';
import { formatSummary, missingReference } from '../../../src/extension/annotations/summary';
import { guardText } from '../../../src/extension/annotations/text-guard';
import { parseChain } from '../../../src/core/chain-parser';
import { offsetOf } from '../../fixtures/chain-builder';
import { APPLES_REFERENCE, applesChain, jsonlLine, withFrontMatter } from '../../fixtures/chain-documents';

const settings = DEFAULT_ANNOTATION_SETTINGS;

function applyEdits(text: string, edits: { start: number; end: number; text: string }[]): string {
  return [...edits].sort((a, b) => b.start - a.start).reduce((t, e) => t.slice(0, e.start) + e.text + t.slice(e.end), text);
}

describe('annotation engine', () => {
  it('scores a document with front matter; summary counts key steps', () => {
    const r = analyseChainDocument(withFrontMatter(applesChain(), APPLES_REFERENCE), settings);
    assert.ok(r.chain);
    assert.deepEqual(r.problems, []);
    assert.match(formatSummary(r.chain.breakdown, r.chain.reference), /^answer ✓ · key steps 2\/2 · StepRVR ✓ · total /);
  });

  it('leaves a document without headers or reference alone', () => {
    assert.equal(analyseChainDocument('# Notes\n\nnothing to score here\n', settings).chain, null);
  });

  it('maps JSONL spans to raw line columns, escapes included', () => {
    const chain = applesChain({ description: 'A "quoted"\tbasket with 12 apples.' });
    const line = jsonlLine({ completion: chain, answer: '7', key_steps: APPLES_REFERENCE.key_steps });
    const r = analyseJsonlLine(line, settings);
    assert.ok(r.chain);
    const matched = r.chain.breakdown.key_steps.flatMap((k) => k.spans.map(([s, e]) => line.slice(s, e)));
    assert.deepEqual(matched.sort(), ['12 - 5 = 7', '12 apples']);
  });

  it('renumber edits produce 1..n and are empty when already numbered', () => {
    const text = applesChain({ stepNumbers: [2, 5] });
    const edits = renumberStepEdits(parseChain(text).sections);
    assert.equal(edits.length, 2);
    assert.equal(applyEdits(text, edits), applesChain());
    assert.deepEqual(renumberStepEdits(parseChain(applesChain()).sections), []);
    assert.equal(text.slice(edits[1]!.start, edits[1]!.end), '5');
    assert.equal(edits[1]!.start, offsetOf(text, '### Step 5') + '### Step '.length);
  });

  it('guards size and binary content before any parsing', () => {
    assert.equal(guardText('x'.repeat(2000), 1000, 'Doc').ok, false);
    assert.equal(guardText('a\u0000b', 1000, 'Doc').ok, false);
    assert.equal(guardText(applesChain(), 1_000_000, 'Doc').ok, true);
    const big = analyseChainDocument('y'.repeat(settings.maxChainLength + 1), settings);
    assert.equal(big.chain, null);
    assert.equal(big.problems[0]!.code, 'NOT_SCORED');
  });

  it('says what StepRAR is missing', () => {
    assert.equal(missingReference({ answer: true, keySteps: true }, false), null);
    assert.match(missingReference({ answer: false, keySteps: true }, true)!, /no reference answer to score against: add `answer`/);
  });
});
