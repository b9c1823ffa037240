// One writer per run folder (DESIGN §4): a lock file created atomically ('wx') holding the
// writer's pid and start time. A second writer fails at once, naming the holder; a lock whose
// holder is gone (kill -9, power loss) is stale and taken over.
import fs from 'node:fs';
import path from 'node:path';
import { RUN_FILES } from './run-files';

export interface RunLockHolder {
  pid: number;
  startedAt: string;
}

export interface RunLock {
  readonly file: string;
  release(): void;
}

/**
 * A lock file that cannot be read as a holder is one whose writer died between creating and
 * filling it — or one being filled right now: it counts as stale only once this old.
 */
const UNREADABLE_LOCK_STALE_MS = 10_000;

export function acquireRunLock(root: string): RunLock {
  const file = path.join(root, RUN_FILES.lock);
  // Twice at most: the second try follows the removal of a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(file, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot lock ${root}: ${(err as Error).message}`);
      const holder = readHolder(file);
      if (holder ? isAlive(holder.pid) : !isOldUnreadable(file)) {
        const who = holder ? `process ${holder.pid} (since ${holder.startedAt})` : 'a process that is starting';
        throw new Error(`${root} is being written by ${who}; ${RUN_FILES.lock} holds the lock. Stop that process first (or wait for it to end).`);
      }
      fs.rmSync(file, { force: true });
      continue;
    }
    const holder: RunLockHolder = { pid: process.pid, startedAt: new Date().toISOString() };
    try {
      fs.writeSync(fd, `${JSON.stringify(holder)}\n`);
    } finally {
      fs.closeSync(fd);
    }
    return { file, release: () => releaseIfOurs(file) };
  }
  throw new Error(`cannot lock ${root}: another process took ${RUN_FILES.lock} while its stale lock was being removed`);
}

/** The holder recorded in `file`, or null when it is missing, empty or not a holder. */
export function readHolder(file: string): RunLockHolder | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<RunLockHolder>;
    return Number.isInteger(parsed.pid) && typeof parsed.startedAt === 'string' ? (parsed as RunLockHolder) : null;
  } catch {
    return null;
  }
}

/** Signal 0 checks existence only; EPERM means alive under another user. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isOldUnreadable(file: string): boolean {
  try {
    return Date.now() - fs.statSync(file).mtimeMs > UNREADABLE_LOCK_STALE_MS;
  } catch {
    return true;
  }
}

/** A lock taken over by another process (ours was judged stale) is theirs to remove. */
function releaseIfOurs(file: string): void {
  if (readHolder(file)?.pid === process.pid) fs.rmSync(file, { force: true });
}
