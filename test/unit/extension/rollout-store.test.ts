import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { inlineImages, RolloutStore } from '../../../src/extension/viewer/rollout-store';
import { fixtureGroup, readRolloutStore, writeFixtureRun } from '../../support/rollout-fixtures';
import { encodePng } from '../../../src/trainer/data/png-encode';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'viewer-store-'));

describe('rollout store', () => {
  it('gathers a run folder’s rollouts by step', async () => {
    const dir = tmp();
    writeFixtureRun(dir, [3, 4, 6], 2);
    const { store, problems } = await readRolloutStore(dir);
    assert.deepEqual(store.steps(), [3, 4, 6]);
    assert.equal(store.latest(), 6);
    assert.equal(store.chainCount(4), 8);
    assert.deepEqual(problems, []);
  });

  it('keeps the rest when lines are torn or bad, and names them by file:line', async () => {
    const dir = tmp();
    writeFixtureRun(dir, [1, 2], 1);
    fs.appendFileSync(path.join(dir, 'events.ndjson'), '{"v":1,"type":"rollouts","step":"x","groups":[]}\n{"v":1,"type":"custom-tool-line"}\n{"v":1,"type":"roll');
    const { store, problems } = await readRolloutStore(dir);
    assert.deepEqual(store.steps(), [1, 2]);
    assert.deepEqual(
      problems.map((p) => p.path),
      ['events.ndjson:5', 'events.ndjson:7'],
    );
    assert.match(problems[0]!.message, /^step: expected an integer ≥ 0, got string/);
    assert.match(problems[1]!.message, /the last line is incomplete/);
  });

  it('keeps the first event of a step (a live event also read back from the folder is not doubled)', () => {
    const store = new RolloutStore();
    assert.equal(store.add(5, [fixtureGroup(0)]), true);
    assert.equal(store.add(5, [fixtureGroup(1), fixtureGroup(2)]), false);
    assert.equal(store.groups(5).length, 1);
  });

  it('inlines image files relative to the run folder as data URIs and drops missing ones', async () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'img'));
    fs.writeFileSync(path.join(dir, 'img', 'a.png'), encodePng(new Uint8Array(4 * 3), 2, 2, 3));
    const base = fixtureGroup(0);
    const groups = [{ ...base, image: { path: 'img/a.png' } }, { ...base, image: { path: 'img/missing.png' } }, base];
    const out = await inlineImages(groups, dir, new Map());
    assert.match((out[0]!.image as { dataUri: string }).dataUri, /^data:image\/png;base64,iVBOR/);
    assert.equal(out[1]!.image, undefined);
    assert.equal(out[2], base);
  });
});

describe('rollout store: prompts across steps', () => {
  it('a prompt’s groups by step, ascending, and every prompt most sampled first', () => {
    const store = new RolloutStore();
    const again = (index: number) => ({ ...fixtureGroup(index), promptId: `p${index}` });
    store.add(4, [again(1), again(2)]);
    store.add(2, [again(1)]);
    store.add(4, [{ ...again(3), samples: [] }], true);
    assert.deepEqual(
      store.history('p1').map((g) => g.step),
      [2, 4],
    );
    assert.deepEqual(store.history('nobody'), []);
    assert.deepEqual(
      store.prompts().map((p) => [p.promptId, p.steps]),
      [
        ['p1', 2],
        ['p2', 1],
        ['p3', 1],
      ],
    );
  });
});
