import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_FILTERS, type ViewerFilters } from '../../../src/protocol/viewer-messages';
import { countFlags, engineFields, filterRows, makeGroupEntry, sortRows, violationCodes } from '../../../webview/rollout-viewer/filters';
import { hackFlags } from '../../../src/core/reward-hacking';
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

describe('viewer filters: spread, reward range, key step, prompt, flags; sorting', () => {
  const all = entries.flatMap((e) => e.group.samples.map((x, i) => ({ key: `${e.key}/${i}`, x, e })));
  const keysOf = (f: Partial<ViewerFilters>) => filterRows(entries, filters(f)).flatMap((r) => r.chains.map((i) => `${r.entry.key}/${i}`));

  it('zero spread: a group whose chains all got the same total; the others with "nonzero"', () => {
    const flat = { ...fixtureGroup(9), samples: fixtureGroup(9).samples.map((x) => ({ ...x, rewards: { ...x.rewards, total: 1 } })) };
    const mixed = [...entries, makeGroupEntry(7, 3, flat)];
    assert.deepEqual(
      filterRows(mixed, filters({ spread: 'zero' })).map((r) => r.entry.key),
      ['7:3'],
    );
    assert.equal(filterRows(mixed, filters({ spread: 'nonzero' })).length, 3);
  });

  it('reward range is inclusive on the total, open at a null end', () => {
    const totals = all.map((c) => c.x.rewards.total).sort((a, b) => a - b);
    const mid = totals[Math.floor(totals.length / 2)]!;
    assert.deepEqual(
      keysOf({ rewardMin: mid }),
      all.filter((c) => c.x.rewards.total >= mid).map((c) => c.key),
    );
    assert.deepEqual(
      keysOf({ rewardMin: mid, rewardMax: mid }),
      all.filter((c) => c.x.rewards.total === mid).map((c) => c.key),
    );
  });

  it('a key step matched or missed, one prompt, a flag', () => {
    assert.deepEqual(
      keysOf({ keyStep: { index: 0, matched: false } }),
      all.filter((c) => !c.x.rewards.key_steps[0]!.matched).map((c) => c.key),
    );
    assert.deepEqual(
      filterRows(entries, filters({ promptId: 'fixture-1' })).map((r) => r.entry.key),
      ['7:1'],
    );
    const flagged = all.filter((c) => hackFlags({ text: c.x.text, rewards: c.x.rewards, prompt: c.e.group.prompt }).includes('format-wrong-answer'));
    assert.deepEqual(
      keysOf({ flag: 'format-wrong-answer' }),
      flagged.map((c) => c.key),
    );
    assert.equal(countFlags(entries)['format-wrong-answer'], flagged.length);
  });

  it('sorted, each chain is its own row in the key’s order, ties in the shown order, missing values last', () => {
    const rows = filterRows(entries, filters({}));
    const byTotal = sortRows(rows, { key: 'total', descending: true }).map((r) => `${r.entry.key}/${r.chains[0]}`);
    assert.deepEqual(
      byTotal,
      [...all].sort((a, b) => b.x.rewards.total - a.x.rewards.total).map((c) => c.key),
    );
    const ascending = sortRows(rows, { key: 'advantage', descending: false }).map((r) => r.entry.group.samples[r.chains[0]!]!.advantage);
    assert.deepEqual(
      ascending,
      [...ascending].sort((a, b) => a - b),
    );
    const withEngine = makeGroupEntry(8, 0, { ...fixtureGroup(5), samples: fixtureGroup(5).samples.map((x, i) => (i === 1 ? x : { ...x, engine: { score: i } })) });
    assert.deepEqual(engineFields([withEngine]), ['score']);
    assert.deepEqual(
      sortRows(filterRows([withEngine], filters({})), { key: 'engine:score', descending: true }).map((r) => r.chains[0]),
      [3, 2, 0, 1],
    );
    assert.equal(sortRows(rows, { key: 'none', descending: true }).length, rows.length);
  });
});
