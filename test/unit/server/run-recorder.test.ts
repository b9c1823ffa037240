// The recording's grouping and steps with an injected clock: client steps, time windows (a gap or
// the window's length ends a step), groups by client id, prompt or reference, running advantages,
// per-step metrics; and the files are a run directory the viewer's store reads.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scoreChain } from '../../../src/core/reward';
import { RunRecorder, type RecordedChain } from '../../../src/server/run-recorder';
import { acquireRunLock, readHolder } from '../../../src/rundir/run-lock';
import { RUN_FILES } from '../../../src/rundir/run-files';
import { readRolloutStore } from '../../support/rollout-fixtures';
import { buildChain } from '../../fixtures/chain-builder';

const chain = (over: Partial<RecordedChain> & { answer?: string } = {}): RecordedChain => {
  const completion = buildChain({ answer: over.answer ?? '7' });
  return { completion, rewards: scoreChain(completion, { answer: '7' }), answer: '7', ...over };
};

const lines = (dir: string, file: string) =>
  fs.existsSync(path.join(dir, file))
    ? fs
        .readFileSync(path.join(dir, file), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];

describe('RunRecorder', () => {
  let dir: string;
  let now: number;
  let rec: RunRecorder;
  beforeEach(() => {
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-recorder-')), 'run');
    now = 1_000_000;
    rec = RunRecorder.create(dir, { config: { reward: 'x' }, version: '9.9.9', flushMs: 60_000, stepGapMs: 5000, stepWindowMs: 60_000, now: () => now });
  });
  afterEach(() => rec.close());

  it('writes config.json and hello at once, and refuses a folder that holds a run', () => {
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).source, 'reward-server');
    assert.equal(lines(dir, 'events.ndjson')[0].type, 'hello');
    assert.throws(() => RunRecorder.create(dir, { config: {}, version: '' }), /already holds a run/);
  });

  it('holds the run lock while recording: a folder another writer holds is refused naming its pid', () => {
    const lockFile = path.join(dir, RUN_FILES.lock);
    assert.equal(readHolder(lockFile)?.pid, process.pid);
    const other = path.join(path.dirname(dir), 'other');
    fs.mkdirSync(other);
    const held = acquireRunLock(other); // the other writer, started first
    try {
      assert.throws(() => RunRecorder.create(other, { config: {}, version: '' }), new RegExp(`being written by process ${process.pid}`));
    } finally {
      held.release();
    }
    rec.close();
    assert.equal(fs.existsSync(lockFile), false, 'the lock is released on close');
  });

  it('client steps and groups: a later step ends the earlier one once its chains stop; metrics per step', () => {
    rec.record(chain({ step: 2, group: 'u1', prompt: 'P1' }));
    rec.record(
      chain({ step: 2, group: 'u1', prompt: 'P1', answer: '8', completion: buildChain({ answer: '8' }), rewards: scoreChain(buildChain({ answer: '8' }), { answer: '7' }) }),
    );
    rec.record(chain({ step: 2, group: 'u2', prompt: 'P2' }));
    rec.flush();
    assert.equal(lines(dir, 'metrics.jsonl').length, 0, 'step 2 is still open');
    now += 100;
    rec.record(chain({ step: 3, group: 'u1' }));
    now += 1500;
    rec.flush();
    const metrics = lines(dir, 'metrics.jsonl');
    assert.deepEqual(
      metrics.map((m) => m.step),
      [2],
    );
    assert.equal(metrics[0].values.chains, 3);
    assert.equal(metrics[0].values.groups, 2);
    // u2's one chain is a group of zero std (TRL's meaning, docs/metrics.md): 1 chain of 3.
    assert.equal(metrics[0].values.frac_reward_zero_std, 1 / 3);
    const rollouts = lines(dir, 'rollouts.jsonl');
    assert.ok(rollouts.every((e) => e.partial === true));
    const u1 = rollouts[0].groups.find((g: { promptId: string }) => g.promptId === 'u1');
    assert.equal(u1.samples.length, 2);
    assert.ok(u1.samples[0].advantage > 0 && u1.samples[1].advantage < 0, 'advantages relative to the group');
  });

  it('without client steps: a gap of stepGapMs or the window length ends a step; groups by prompt, else by reference', () => {
    rec.record(chain({ prompt: 'A' }));
    rec.record(chain({ prompt: 'A' }));
    rec.record(chain({ prompt: 'B' }));
    rec.record(chain({})); // no prompt: grouped by its reference
    now += 6000; // the gap
    rec.record(chain({ prompt: 'A' }));
    for (let t = 0; t < 70; t++) {
      now += 1000; // chains keep coming: the window ends the step at 60 s
      rec.record(chain({ prompt: 'A' }));
    }
    rec.close();
    return readRolloutStore(dir).then(({ store }) => {
      assert.deepEqual(store.steps(), [0, 1, 2]);
      assert.deepEqual(
        store
          .groups(0)
          .map((g) => [g.prompt, g.samples.length])
          .sort(),
        [
          ['', 1],
          ['A', 2],
          ['B', 1],
        ],
      );
      assert.equal(store.chainCount(1) + store.chainCount(2), 71);
      assert.equal(lines(dir, 'events.ndjson').at(-1).type, 'done');
      assert.deepEqual(
        lines(dir, 'metrics.jsonl').map((m) => m.step),
        [0, 1, 2],
      );
    });
  });

  it('calls onStepEnd once the metrics of the step are on disk', () => {
    const dir2 = path.join(path.dirname(dir), 'run2');
    const seen: [number, number][] = [];
    const r = RunRecorder.create(dir2, { config: {}, version: '', flushMs: 60_000, now: () => now, onStepEnd: (step) => seen.push([step, lines(dir2, 'metrics.jsonl').length]) });
    r.record(chain({ step: 4 }));
    r.close();
    assert.deepEqual(seen, [[4, 1]]);
  });

  it('counts violations by code', () => {
    const gap = buildChain({ stepNumbers: [1, 3, 4] });
    rec.record(chain({ completion: gap, rewards: scoreChain(gap, { answer: '7' }) }));
    rec.close();
    assert.equal(lines(dir, 'metrics.jsonl')[0].values['violations/STEP_GAP'], 1);
  });
});
