// A run's steps read alone from the index while the whole read goes on: the whole read skips the
// events already added, so the store ends as the one run-file reader fills it (readRolloutStore,
// the reference), partial events included, each once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readEventLog } from '../../../src/rundir/event-log-reader';
import { IndexedSteps } from '../../../src/extension/viewer/indexed-steps';
import { RolloutStore } from '../../../src/extension/viewer/rollout-store';
import { writeMixedRun } from '../../support/mixed-run-file';
import { readRolloutStore } from '../../support/rollout-fixtures';

/** The store after reading `first` steps alone, then the whole file with the skips. */
async function readFirstThenWhole(file: string, first: number[]): Promise<{ store: RolloutStore; indexed: IndexedSteps }> {
  const store = new RolloutStore();
  const indexed = await IndexedSteps.open(file, store, () => ({}));
  for (const step of first) await indexed.load(step);
  indexed.close();
  for (const e of (await readEventLog(file)).events) if (e.type === 'rollouts' && !indexed.skips(e)) store.add(e.step, e.groups, e.partial);
  return { store, indexed };
}

describe('IndexedSteps', () => {
  it('lists the steps before they are read, and reads one alone into the store', async () => {
    const { dir, file } = writeMixedRun();
    const store = new RolloutStore();
    const indexed = await IndexedSteps.open(file, store, () => ({}));
    assert.deepEqual(indexed.steps(), [1, 2, 3, 4, 5, 7]);
    await indexed.load(4);
    assert.deepEqual([store.steps(), indexed.has(4), indexed.has(1)], [[4], true, false]);
    const { store: reference } = await readRolloutStore(dir);
    assert.deepEqual(store.groups(4), reference.groups(4), 'its three partial events, merged in file order');
  });

  it('the whole read after some steps were read alone fills the store as the reference does, each event once', async () => {
    const { dir, file } = writeMixedRun();
    const { store: reference } = await readRolloutStore(dir);
    for (const first of [[], [4], [2, 4, 5], [1, 2, 3, 4, 5, 7]]) {
      const { store } = await readFirstThenWhole(file, first);
      assert.deepEqual(store.steps(), reference.steps(), `read first: ${first}`);
      for (const step of reference.steps()) assert.deepEqual(store.groups(step), reference.groups(step), `read first: ${first}, step ${step}`);
    }
  });

  it('a step read alone after the whole read reached the store adds nothing', async () => {
    const { file } = writeMixedRun();
    const store = new RolloutStore();
    const indexed = await IndexedSteps.open(file, store, () => ({}));
    indexed.close();
    await indexed.load(4);
    assert.deepEqual(store.steps(), []);
  });
});
