// `stepgrpo import --follow` as a process: it tails a verl rollout_data_dir until SIGINT, and a
// second `--follow` into the same run (stopped with SIGTERM this time) goes on from the cursor, so
// every chain is in the run once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { until } from '../e2e/lib/until.mjs';
import { writeVerlStep } from '../support/engine-folders';
import { readRolloutStore } from '../support/rollout-fixtures';

const root = path.resolve(__dirname, '../..');

interface Follower {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; stdout: string }>;
}

function follow(source: string, runDir: string): Follower {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'import', source, '--out', runDir, '--follow', '--poll', '1'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; stdout: string }>((resolve) => child.once('exit', (code) => resolve({ code, stdout: out })));
  return { child, stderr: () => err, exited };
}

const waitFor = (f: Follower, text: string): Promise<string> =>
  until(
    () => f.stderr(),
    (s) => s.includes(text),
    30_000,
    `"${text}" in the import's stderr`,
  );

describe('stepgrpo import --follow (a process)', () => {
  it('tails new step files until SIGINT; a second --follow, stopped during its first pass, goes on from the cursor without a chain twice', async () => {
    const source = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-follow-src-'));
    const runDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-follow-out-')), 'run');
    writeVerlStep(source, 1);

    const first = follow(source, runDir);
    await waitFor(first, 'following ');
    assert.match(first.stderr(), /^1\.jsonl: step 1, 8 chains/m);
    writeVerlStep(source, 2);
    await waitFor(first, '2.jsonl: step 2, 8 chains');
    first.child.kill('SIGINT');
    const one = await first.exited;
    assert.equal(one.code, 0, first.stderr());
    assert.match(first.stderr(), /SIGINT: stopping/);
    assert.match(one.stdout, /^imported 16 chains from 2 step files \(verl\)/);

    writeVerlStep(source, 3);
    const second = follow(source, runDir);
    // Stopped before its first pass is done: it finishes the pass, then stops cleanly.
    await waitFor(second, 'going on from the import cursor');
    second.child.kill('SIGTERM');
    const two = await second.exited;
    assert.equal(two.code, 0, second.stderr());
    assert.match(second.stderr(), /going on from the import cursor .* \(2 step files read before\)/);
    assert.match(second.stderr(), /^3\.jsonl: step 3, 8 chains/m);
    assert.match(two.stdout, /^imported 8 chains from 1 step file \(verl\)/);

    const { store, problems } = await readRolloutStore(runDir);
    assert.deepEqual(problems, []);
    assert.deepEqual(store.steps(), [1, 2, 3]);
    for (const step of [1, 2, 3]) assert.equal(store.groups(step).flatMap((g) => g.samples).length, 8, `step ${step}: every chain once`);
    assert.equal(fs.existsSync(path.join(runDir, 'run.lock')), false, 'the lock is released on stop');
  });
});
