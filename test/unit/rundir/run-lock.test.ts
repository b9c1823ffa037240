// One writer per run folder: the lock names its live holder and is taken over from a dead one;
// reopening a run cuts a torn last line; creating a run never truncates files already there.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { encodeLine } from '../../../src/protocol/trainer-messages';
import { RUN_FILES } from '../../../src/rundir/run-files';
import { acquireRunLock, readHolder } from '../../../src/rundir/run-lock';
import { RunWriter } from '../../../src/rundir/run-writer';
import { ev, tempDir } from '../extension/run-fixtures';

const lockFile = (dir: string): string => path.join(dir, RUN_FILES.lock);
const writeHolder = (dir: string, pid: number): void => fs.writeFileSync(lockFile(dir), JSON.stringify({ pid, startedAt: '2026-01-01T00:00:00.000Z' }));
/** A pid no process has (the unit lane starts no processes to find one that ended). */
function deadPid(): number {
  for (let pid = 4_194_303; ; pid--) {
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return pid;
    }
  }
}

describe('run lock', () => {
  it('records its holder, refuses a second writer naming the pid, and is gone once released', () => {
    const dir = tempDir('stepgrpo-lock-');
    const lock = acquireRunLock(dir);
    assert.equal(readHolder(lockFile(dir))?.pid, process.pid);
    assert.throws(() => acquireRunLock(dir), new RegExp(`is being written by process ${process.pid} \\(since `));
    lock.release();
    assert.equal(fs.existsSync(lockFile(dir)), false);
    acquireRunLock(dir).release();
  });

  it('refuses while another live process holds it', () => {
    const dir = tempDir('stepgrpo-lock-');
    writeHolder(dir, process.ppid);
    assert.throws(() => RunWriter.open(RunWriter.create(dir, {}).root, { lock: true }), new RegExp(`process ${process.ppid} `));
  });

  it('takes over a stale lock whose holder is dead (kill -9)', () => {
    const dir = tempDir('stepgrpo-lock-');
    writeHolder(dir, deadPid());
    const lock = acquireRunLock(dir);
    assert.equal(readHolder(lockFile(dir))?.pid, process.pid);
    lock.release();
  });

  it('takes over an unreadable lock only once it is old (its writer died while filling it)', () => {
    const dir = tempDir('stepgrpo-lock-');
    fs.writeFileSync(lockFile(dir), '');
    assert.throws(() => acquireRunLock(dir), /being written by a process that is starting/);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lockFile(dir), old, old);
    acquireRunLock(dir).release();
  });

  it('is held by a locking RunWriter from create until close', () => {
    const dir = path.join(tempDir('stepgrpo-lock-'), 'run');
    const writer = RunWriter.create(dir, {}, { lock: true });
    assert.throws(() => RunWriter.open(dir, { lock: true }), /is being written by process/);
    writer.close();
    RunWriter.open(dir, { lock: true }).close();
  });
});

describe('RunWriter on a folder a killed writer left', () => {
  it('cuts a torn last line when reopened under the lock, so the next event starts a line of its own', () => {
    const dir = tempDir('stepgrpo-torn-');
    RunWriter.create(dir, {}).append(ev.hello(), ev.metrics(1, 'rl', { reward: 1 }));
    const whole = fs.readFileSync(path.join(dir, RUN_FILES.events), 'utf8');
    for (const name of [RUN_FILES.events, RUN_FILES.metrics]) fs.appendFileSync(path.join(dir, name), '{"v":1,"type":"metrics","st');
    const reopened = RunWriter.open(dir, { lock: true });
    reopened.append(ev.metrics(2, 'rl', { reward: 2 }));
    reopened.close();
    assert.equal(fs.readFileSync(path.join(dir, RUN_FILES.events), 'utf8'), whole + encodeLine(ev.metrics(2, 'rl', { reward: 2 })));
    assert.equal(fs.readFileSync(path.join(dir, RUN_FILES.metrics), 'utf8'), [ev.metrics(1, 'rl', { reward: 1 }), ev.metrics(2, 'rl', { reward: 2 })].map(encodeLine).join(''));
  });

  it('empties a log whose only line is torn, and leaves whole logs as they are', () => {
    const dir = tempDir('stepgrpo-torn-');
    RunWriter.create(dir, {});
    fs.writeFileSync(path.join(dir, RUN_FILES.events), 'x'.repeat(200_000));
    fs.writeFileSync(path.join(dir, RUN_FILES.rollouts), 'whole\n');
    RunWriter.open(dir, { lock: true }).close();
    assert.equal(fs.statSync(path.join(dir, RUN_FILES.events)).size, 0);
    assert.equal(fs.readFileSync(path.join(dir, RUN_FILES.rollouts), 'utf8'), 'whole\n');
  });

  it('creates a run in a folder without config.json without truncating the files there', () => {
    const dir = tempDir('stepgrpo-keep-');
    fs.writeFileSync(path.join(dir, RUN_FILES.rollouts), 'kept\n');
    RunWriter.create(dir, {}).append(ev.hello());
    assert.equal(fs.readFileSync(path.join(dir, RUN_FILES.rollouts), 'utf8'), 'kept\n');
  });
});
