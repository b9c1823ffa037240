// Reads runs back from their directories (DESIGN §4: the run directory is the source of truth), so
// runs started from the CLI, or by an earlier window, appear in the Runs view too. Only config.json,
// the tail of events.ndjson and its hello lines are parsed: a long run's log holds megabytes of
// rollouts.
import fs from 'node:fs/promises';
import path from 'node:path';
import { readLastHello, readLastLine, readTailEvents } from '../../rundir/event-log-tail';
import { RUN_FILES } from '../../rundir/run-files';
import { coverageOf, initialRunState, isTerminal, reduceRunEvent, rewardOf, totalStepsOf, type RunState } from './run-state';

export { totalStepsOf } from './run-state';

export interface ReadOptions {
  /** Whether a trainer pid from a `hello` event is still alive (injected for tests). */
  isAlive?: (pid: number) => boolean;
  /** First tail window; doubled until a step-carrying event is found or the file is read. */
  tailBytes?: number;
  maxTailBytes?: number;
}

export function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A run that its events leave unfinished is `running` (or `paused`) while the pid of its last
 * `hello` is alive, whoever started it; otherwise its writer died without `done`: `interrupted`.
 */
export function settleStatus(state: RunState, isAlive: (pid: number) => boolean = pidIsAlive): RunState {
  if (isTerminal(state.status)) return state;
  if (state.pid !== undefined && isAlive(state.pid)) return { ...state, status: state.status === 'paused' ? 'paused' : 'running' };
  return { ...state, status: 'interrupted' };
}

async function stat(file: string) {
  try {
    return await fs.stat(file);
  } catch {
    return undefined;
  }
}

/**
 * One run from its directory, or undefined when the folder holds none of config.json,
 * events.ndjson and trainer.log. A run without `done` whose trainer pid is alive is `running`
 * (e.g. a CLI run); otherwise it was `interrupted`. A folder with only trainer.log is a trainer
 * that failed before writing anything (a config error): `failed` with the log's last line.
 */
export async function readRunDirectory(dir: string, options: ReadOptions = {}): Promise<RunState | undefined> {
  const isAlive = options.isAlive ?? pidIsAlive;
  const [configStat, eventsStat, logStat] = await Promise.all([RUN_FILES.config, RUN_FILES.events, RUN_FILES.log].map((f) => stat(path.join(dir, f))));
  if (!configStat && !eventsStat && !logStat) return undefined;
  // config.json is written once, before step 0: its mtime is the start.
  const startedAt = Math.min(...[configStat, eventsStat, logStat].flatMap((s) => (s ? [s.mtimeMs] : [])));
  let state = initialRunState(path.basename(dir), dir, { startedAt });

  if (configStat) {
    try {
      const config: unknown = JSON.parse(await fs.readFile(path.join(dir, RUN_FILES.config), 'utf8'));
      state.totalSteps = totalStepsOf(config);
      state.reward = rewardOf(config);
      const coverage = coverageOf(config);
      if (coverage) state.coverage = coverage;
    } catch (err) {
      state.error = `${RUN_FILES.config}: ${(err as Error).message}`;
    }
  }

  if (eventsStat && eventsStat.size > 0) {
    const eventsFile = path.join(dir, RUN_FILES.events);
    const tail = { tailBytes: options.tailBytes, maxTailBytes: options.maxTailBytes, context: { maxStep: state.totalSteps } };
    const { events, wholeFile } = await readTailEvents(eventsFile, tail);
    if (!wholeFile) {
      // The session now writing the run, when its hello is before the tail.
      const hello = await readLastHello(eventsFile);
      if (hello) state = reduceRunEvent(state, hello);
    }
    for (const event of events) state = reduceRunEvent(state, event);
  }

  if (!isTerminal(state.status) && !eventsStat && !configStat && logStat) {
    const error = state.error ?? (await readLastLine(path.join(dir, RUN_FILES.log))) ?? 'the trainer failed before it wrote anything';
    return { ...state, status: 'failed', error };
  }
  return settleStatus(state, isAlive);
}

/** Every run under `root` (e.g. `<workspace>/.stepgrpo/runs`), newest first; a missing root is empty. */
export async function scanRunsRoot(root: string, options: ReadOptions = {}): Promise<RunState[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(root, { withFileTypes: true });
  } catch {
    return [];
  }
  const runs = await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => readRunDirectory(path.join(root, e.name), options).catch(() => undefined)));
  return runs.filter((r): r is RunState => r !== undefined).sort(newestFirst);
}

/**
 * The runs under `root` from folder names and modification times only: what the Runs view lists at
 * once, before readRunDirectory fills in each run's state.
 */
export async function quickScanRunsRoot(root: string): Promise<RunState[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(root, { withFileTypes: true });
  } catch {
    return [];
  }
  const runs = await Promise.all(
    entries
      .filter((e) => e.isDirectory())
      .map(async (e): Promise<RunState | undefined> => {
        const dir = path.join(root, e.name);
        const s = await stat(dir);
        return s ? initialRunState(e.name, dir, { startedAt: s.birthtimeMs || s.mtimeMs, pending: true }) : undefined;
      }),
  );
  return runs.filter((r): r is RunState => r !== undefined).sort(newestFirst);
}

export function newestFirst(a: RunState, b: RunState): number {
  return (b.startedAt ?? 0) - (a.startedAt ?? 0) || b.id.localeCompare(a.id);
}

/**
 * A run this window started wins over what its folder says: it knows about spawn failures and exit
 * codes, and it hears the trainer first. Not once its trainer has exited and another process (a
 * `--resume` from a terminal) has said hello in the folder since: the folder is the newer truth.
 */
export function newerOf(mine: RunState | undefined, folder: RunState | undefined): RunState | undefined {
  if (!mine) return folder;
  return mine.live || folder?.pid === undefined || folder.pid === mine.pid ? mine : folder;
}

export function mergeRuns(scanned: RunState[], live: RunState[]): RunState[] {
  const byDir = new Map<string, RunState>();
  for (const run of scanned) byDir.set(path.resolve(run.dir), run);
  for (const run of live) byDir.set(path.resolve(run.dir), newerOf(run, byDir.get(path.resolve(run.dir)))!);
  return [...byDir.values()].sort(newestFirst);
}
