import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { readJsonlLine, stringColumns, topLevelValueSpans } from '../../../src/extension/annotations/jsonl-record';
import { APPLES_REFERENCE, applesChain, jsonlLine } from '../../fixtures/chain-documents';

describe('JSONL rollout lines', () => {
  it('maps every decoded character of a JSON string back to its raw column', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string(), (chain, prefix) => {
        const line = jsonlLine({ prefix, completion: chain });
        const span = topLevelValueSpans(line).get('completion')!;
        const columns = stringColumns(line, span);
        assert.equal(columns.length, chain.length + 1);
        for (let i = 0; i < chain.length; i++) {
          assert.equal(JSON.parse(`"${line.slice(columns[i], columns[i + 1])}"`), chain[i]);
        }
      }),
    );
  });

  it('reads the chain and the reference fields of a record', () => {
    const read = readJsonlLine(jsonlLine({ completion: applesChain(), answer: 7, key_steps: APPLES_REFERENCE.key_steps }));
    assert.equal(read.kind, 'chain');
    if (read.kind !== 'chain') return;
    assert.equal(read.chainText, applesChain());
    assert.deepEqual(read.reference, { answer: '7', keySteps: APPLES_REFERENCE.key_steps });
    assert.deepEqual(read.problems, []);
  });

  it('reads a nested trainer-style reference', () => {
    const read = readJsonlLine(jsonlLine({ text: 'x', reference: { answer: '3', keySteps: ['a'] } }));
    assert.ok(read.kind === 'chain');
    assert.deepEqual(read.reference, { answer: '3', keySteps: ['a'] });
  });

  it('names the bad field and points at its value', () => {
    const line = jsonlLine({ completion: 'x', key_steps: 5 });
    const read = readJsonlLine(line);
    assert.ok(read.kind === 'chain');
    assert.equal(read.problems.length, 1);
    assert.match(read.problems[0]!.message, /key_steps/);
    assert.equal(line.slice(read.problems[0]!.start, read.problems[0]!.end), '5');
  });

  it('reports invalid JSON and non-objects, and leaves chain-less records alone', () => {
    assert.equal(readJsonlLine('{"completion": "x').kind, 'error');
    assert.equal(readJsonlLine('[1, 2]').kind, 'error');
    assert.equal(readJsonlLine('{"step": 1, "reward": 0.5}').kind, 'no-chain');
    assert.equal(readJsonlLine('   ').kind, 'blank');
  });
});
