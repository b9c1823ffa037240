import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_FILTERS, type ComparePair, type ViewerComparison, type ViewerRun } from '../../../src/protocol/viewer-messages';
import { comparedEntry, compareRows, comparisonLines } from '../../../webview/rollout-viewer/compare-rows';
import { makeGroupEntry } from '../../../webview/rollout-viewer/filters';
import { statusLine } from '../../../webview/rollout-viewer/status-line';
import { fixtureGroup } from '../../support/rollout-fixtures';

// The shown step 7: fixture-0 (every kind) and fixture-1 (all correct). The compared run: fixture-0
// at step 7 (all wrong answers), fixture-2 only there.
const shown = [makeGroupEntry(7, 0, fixtureGroup(0)), makeGroupEntry(7, 1, fixtureGroup(1, ['correct', 'correct']))];
const pairs: ComparePair[] = [
  { promptId: 'fixture-0', shown: 0, compared: { step: 7, index: 1, group: fixtureGroup(0, ['wrong-answer', 'wrong-answer']) }, at: 'same' },
  { promptId: 'fixture-1', shown: 1, compared: null, at: 'none' },
  { promptId: 'fixture-2', shown: null, compared: { step: 7, index: 0, group: fixtureGroup(2, ['correct']) }, at: 'same' },
];
const compared = pairs.map(comparedEntry);
const rows = (f: Partial<typeof DEFAULT_FILTERS>) =>
  compareRows(pairs, shown, compared, { ...DEFAULT_FILTERS, ...f }).map((r) => [
    r.pair.promptId,
    r.sides.shown.passing?.chains ?? null,
    r.sides.compared.passing?.chains ?? null,
    r.entry.key,
  ]);

describe('viewer compare rows', () => {
  it('one row per pair, each side with its chains; a row without the shown side walks the compared run’s chains (its key)', () => {
    assert.deepEqual(rows({}), [
      ['fixture-0', [0, 1, 2, 3], [0, 1], '7:0'],
      ['fixture-1', [0, 1], null, '7:1'],
      ['fixture-2', null, [0], 'c7:0'],
    ]);
    assert.equal(compared[0]!.key, 'c7:1');
  });

  it('the filters apply to both sides; a pair stays while either side has a chain that passes', () => {
    assert.deepEqual(rows({ correctness: 'incorrect' }), [['fixture-0', [1], [0, 1], '7:0']]);
    assert.deepEqual(rows({ correctness: 'incorrect', validity: 'invalid' }), [], 'no chain on either side is both wrong and invalid');
    assert.deepEqual(rows({ correctness: 'correct' }), [
      ['fixture-0', [0, 2, 3], null, '7:0'],
      ['fixture-1', [0, 1], null, '7:1'],
      ['fixture-2', null, [0], 'c7:0'],
    ]);
  });

  it('says which steps line up, a step the compared run lacks, and how the prompts paired', () => {
    const run: ViewerRun = { id: 'branch', dir: '/r/branch', status: 'completed', phase: null, step: 9, totalSteps: 9, rlStartsAt: null };
    const c: ViewerComparison = { run, shownStep: 47, step: 7, shownOffset: 0, comparedOffset: 40, hasStep: false, nearest: [6, 9], pairs };
    const lines = comparisonLines(c, 'parent');
    assert.equal(lines.title, "step 47 of parent ↔ step 7 of branch (on the parent's steps: parent +0, branch +40)");
    assert.equal(lines.missing, 'branch has no rollouts at step 7; its nearest steps are 6 and 9. Each prompt is shown from the nearest step of branch that sampled it.');
    assert.equal(lines.counts, '1 prompt at the same step · 1 never sampled by branch · 1 only in branch');
    assert.equal(comparisonLines({ ...c, nearest: [] }, 'parent').missing, 'branch has no rollouts yet.');
    assert.equal(comparisonLines({ ...c, hasStep: true, shownOffset: 0, comparedOffset: 0, step: 47 }, 'parent').missing, null);
  });

  it('the status line counts each run’s chains: those that pass the filters of all compared', () => {
    const status = (f: Partial<typeof DEFAULT_FILTERS>) =>
      statusLine({
        rows: compareRows(pairs, shown, compared, { ...DEFAULT_FILTERS, ...f }),
        entries: shown,
        sorted: false,
        compare: { compared, ids: { shown: 'parent', compared: 'branch' } },
      });
    assert.equal(status({}), 'parent: 6 of 6 chains · branch: 3 of 3 chains · 3 prompts');
    assert.equal(status({ correctness: 'incorrect' }), 'parent: 1 of 6 chains · branch: 2 of 3 chains · 1 prompt');
    assert.equal(status({ correctness: 'correct' }), 'parent: 5 of 6 chains · branch: 1 of 3 chains · 3 prompts');
  });
});
