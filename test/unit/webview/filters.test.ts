import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_FILTERS, type ViewerFilters } from '../../../src/protocol/viewer-messages';
import { filterRows, makeGroupEntry, violationCodes } from '../../../webview/rollout-viewer/filters';
import { fixtureGroup, problemOf } from '../../support/rollout-fixtures';

const entries = [0, 1, 2].map((i) => makeGroupEntry(7, i, fixtureGroup(i, ['correct', 'wrong-answer', 'step-gap', 'missing-rationale'])));
const filters = (f: Partial<ViewerFilters>): ViewerFilters => ({ ...DEFAULT_FILTERS, ...f });
const shown = (f: Partial<ViewerFilters>) => filterRows(entries, filters(f)).map((r) => [r.entry.key, r.chains]);

describe('viewer filters', () => {
  it('shows every chain with the default filters', () => {
    assert.deepEqual(shown({}), [
      ['7:0', [0, 1, 2, 3]],
      ['7:1', [0, 1, 2, 3]],
      ['7:2', [0, 1, 2, 3]],
    ]);
  });

  it('filters by StepRVR validity and by answer correctness, from the reward breakdown', () => {
    for (const row of filterRows(entries, filters({ validity: 'valid' }))) for (const i of row.chains) assert.equal(row.entry.group.samples[i]!.rewards.validity, 1);
    assert.deepEqual(
      shown({ validity: 'invalid' }).map((r) => r[1]),
      [
        [2, 3],
        [2, 3],
        [2, 3],
      ],
    );
    assert.deepEqual(
      shown({ correctness: 'incorrect' }).map((r) => r[1]),
      [[1], [1], [1]],
    );
    assert.deepEqual(
      shown({ correctness: 'correct', validity: 'valid' }).map((r) => r[1]),
      [[0], [0], [0]],
    );
  });

  it('filters by violation code and lists the codes present', () => {
    const codes = violationCodes(entries);
    assert.ok(codes.includes('STEP_GAP') && codes.includes('MISSING_SECTION'), codes.join());
    assert.deepEqual(
      shown({ violation: 'STEP_GAP' }).map((r) => r[1]),
      [[2], [2], [2]],
    );
  });

  it('searches chain text, prompt and answer case-insensitively and drops groups with no match', () => {
    const { a } = problemOf(1);
    const rows = shown({ search: `THERE ARE ${a} APPLES` });
    assert.deepEqual(rows, [['7:1', [0, 1, 2, 3]]]);
    assert.deepEqual(shown({ search: 'no chain says this' }), []);
  });
});
