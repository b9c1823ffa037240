import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { mergeRuns, quickScanRunsRoot, readRunDirectory, scanRunsRoot } from '../../../src/extension/runs/run-directory-reader';
import { readTailEvents } from '../../../src/rundir/event-log-tail';
import { createRunDirectory, runIdFor } from '../../../src/extension/runs/run-id';
import { initialRunState } from '../../../src/extension/runs/run-state';
import { ev, runEvents, tempDir, writeRunDir } from './run-fixtures';

const root = tempDir();
after(() => fs.rmSync(root, { recursive: true, force: true }));
const dead = () => false;
const alive = () => true;

describe('reading a run folder', () => {
  it('a completed run: status, step k/n from config + events, last reward', async () => {
    const dir = writeRunDir(root, 'completed', { events: runEvents({ rewards: [0.2, 0.4] }) });
    const run = await readRunDirectory(dir, { isAlive: dead });
    assert.ok(run);
    assert.equal(run.id, 'completed');
    assert.equal(run.status, 'completed');
    assert.deepEqual([run.step, run.totalSteps, run.lastReward], [5, 5, 0.4]);
    assert.equal(run.live, false);
  });

  it('a run without done is running while its trainer pid lives, interrupted after', async () => {
    const dir = writeRunDir(root, 'cli-run', { events: runEvents({ end: null, pid: 777 }) });
    const seen: number[] = [];
    const running = await readRunDirectory(dir, { isAlive: (pid) => (seen.push(pid), true) });
    assert.equal(running?.status, 'running');
    assert.deepEqual(seen, [777]);
    assert.equal((await readRunDirectory(dir, { isAlive: dead }))?.status, 'interrupted');
  });

  it('reads only the tail of a long log, yet keeps the hello from its head', async () => {
    // 40 RL steps of ~20 kB rollouts each: 800 kB, read through a 16 kB first window.
    const events = runEvents({ sft: 2, rl: 40, rolloutPadding: 20_000, end: null, pid: 99 });
    const dir = writeRunDir(root, 'long', { events, config: { sft: { steps: 2 }, rl: { steps: 40 } } });
    const tail = await readTailEvents(path.join(dir, 'events.ndjson'), { tailBytes: 16 * 1024 });
    assert.equal(tail.wholeFile, false);
    assert.ok(tail.events.length < events.length / 4, `read ${tail.events.length} of ${events.length} events`);
    const run = await readRunDirectory(dir, { isAlive: (pid) => pid === 99, tailBytes: 16 * 1024 });
    assert.equal(run?.status, 'running');
    assert.deepEqual([run?.step, run?.totalSteps, run?.lastReward], [42, 42, 4.2]);
  });

  it('a stopped run resumed from a terminal reads as running again, with the new trainer’s pid', async () => {
    const stopped = runEvents({ end: 'stopped', pid: 111 }).filter((e) => e.type !== 'metrics' || e.phase !== 'eval');
    const resumed = [ev.hello(222), ev.phase('rl', 5, 5)];
    const dir = writeRunDir(root, 'resumed', { events: [...stopped, ...resumed] });
    const run = await readRunDirectory(dir, { isAlive: (pid) => pid === 222 });
    assert.deepEqual([run?.status, run?.pid, run?.error], ['running', 222, undefined]);
    assert.equal((await readRunDirectory(dir, { isAlive: dead }))?.status, 'interrupted');
  });

  it('a torn last line (trainer killed mid-write) is skipped', async () => {
    const dir = writeRunDir(root, 'torn', { events: runEvents({ end: null }), tornTail: '{"v":1,"type":"metrics","step":6,"pha' });
    const run = await readRunDirectory(dir, { isAlive: dead });
    assert.deepEqual([run?.status, run?.step], ['interrupted', 5]);
  });

  it('a folder with only trainer.log is a trainer that failed at start, with the log line as error', async () => {
    const dir = writeRunDir(root, 'config-error', { config: null, trainerLog: 'trainer: config: rl.groupSize: expected a number, got "4"\n' });
    const run = await readRunDirectory(dir, { isAlive: alive });
    assert.equal(run?.status, 'failed');
    assert.equal(run?.error, 'trainer: config: rl.groupSize: expected a number, got "4"');
  });

  it('a broken config.json is named in the error; a folder without run files is not a run', async () => {
    const dir = writeRunDir(root, 'bad-config', { events: runEvents() });
    fs.writeFileSync(path.join(dir, 'config.json'), '{"sft": ');
    const run = await readRunDirectory(dir, { isAlive: dead });
    assert.match(run!.error!, /^config\.json: /);
    assert.equal(run!.status, 'completed');
    fs.mkdirSync(path.join(root, 'not-a-run'));
    assert.equal(await readRunDirectory(path.join(root, 'not-a-run')), undefined);
  });
});

describe('scanning a runs root', () => {
  it('lists runs newest first and skips folders that are not runs', async () => {
    const scanRoot = tempDir();
    try {
      writeRunDir(scanRoot, 'old', { events: runEvents(), mtime: new Date(2024, 0, 1) });
      writeRunDir(scanRoot, 'new', { events: runEvents({ end: 'stopped' }), mtime: new Date(2025, 0, 1) });
      fs.mkdirSync(path.join(scanRoot, 'empty'));
      fs.writeFileSync(path.join(scanRoot, 'stray.txt'), 'x');
      const runs = await scanRunsRoot(scanRoot, { isAlive: dead });
      assert.deepEqual(
        runs.map((r) => [r.id, r.status]),
        [
          ['new', 'stopped'],
          ['old', 'completed'],
        ],
      );
    } finally {
      fs.rmSync(scanRoot, { recursive: true, force: true });
    }
  });

  it('a missing root is an empty list', async () => {
    assert.deepEqual(await scanRunsRoot(path.join(root, 'nope')), []);
  });

  it('live runs replace their folder read-back', () => {
    const scanned = [initialRunState('a', '/r/a', { status: 'interrupted', startedAt: 1 }), initialRunState('b', '/r/b', { status: 'completed', startedAt: 2 })];
    const live = [initialRunState('a', '/r/a/', { status: 'running', live: true, startedAt: 3 })];
    assert.deepEqual(
      mergeRuns(scanned, live).map((r) => [r.id, r.status]),
      [
        ['a', 'running'],
        ['b', 'completed'],
      ],
    );
  });

  it('an ended run of this window gives way to its folder once a terminal resumed it', () => {
    const ended = initialRunState('a', '/r/a', { status: 'stopped', pid: 1, startedAt: 1 });
    const resumed = initialRunState('a', '/r/a', { status: 'running', pid: 2, startedAt: 1 });
    assert.equal(mergeRuns([resumed], [ended])[0]!.status, 'running');
    assert.equal(mergeRuns([{ ...resumed, status: 'stopped', pid: 1 }], [{ ...ended, error: 'exit code 0' }])[0]!.error, 'exit code 0', 'its own session: this window knows more');
  });
});

describe('run ids', () => {
  it('are `<label>-<YYYYMMDD-HHMMSS>` with unsafe characters replaced', () => {
    const at = new Date(2025, 2, 4, 5, 6, 7);
    assert.equal(runIdFor('smoke', at), 'smoke-20250304-050607');
    assert.equal(runIdFor('my config (v2).json', at), 'my-config-v2-20250304-050607');
    assert.equal(runIdFor('../..', at), 'run-20250304-050607');
  });

  it('never reuse a folder started in the same second', () => {
    const at = new Date(2025, 2, 4, 5, 6, 7);
    const ids = [1, 2, 3].map(() => createRunDirectory(path.join(root, 'ids'), 'demo', at).id);
    assert.deepEqual(ids, ['demo-20250304-050607', 'demo-20250304-050607-2', 'demo-20250304-050607-3']);
  });

  it('the quick scan lists run folders from their names at once, marked pending; the full read drops non-runs', async () => {
    const quickRoot = tempDir('stepgrpo-quick-');
    writeRunDir(quickRoot, 'a-run', { events: runEvents({ end: 'completed' }) });
    fs.mkdirSync(path.join(quickRoot, 'not-a-run'));
    const quick = await quickScanRunsRoot(quickRoot);
    assert.deepEqual(quick.map((r) => [r.id, r.pending]).sort(), [
      ['a-run', true],
      ['not-a-run', true],
    ]);
    const full = await scanRunsRoot(quickRoot);
    assert.deepEqual(
      full.map((r) => [r.id, r.status, r.pending]),
      [['a-run', 'completed', undefined]],
    );
    assert.deepEqual(await quickScanRunsRoot(path.join(quickRoot, 'missing')), []);
    fs.rmSync(quickRoot, { recursive: true, force: true });
  });

  it("reads the reward definition from config.json, and rejects a tail event past the run's total steps", async () => {
    const events = [...runEvents({ end: null }), ev.metrics(999, 'rl', { reward: 9 })];
    const dir = writeRunDir(root, 'late-step', { events, config: { sft: { steps: 3 }, rl: { steps: 2 }, reward: 'grpo-outcome' } });
    const run = await readRunDirectory(dir, { isAlive: dead });
    assert.deepEqual([run?.step, run?.reward, run?.lastReward], [5, 'grpo-outcome', 0.5]);
  });
});
