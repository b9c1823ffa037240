// Reads runs back from their directories (DESIGN §4: the run directory is the source of truth), so
// runs started from the CLI, or by an earlier window, appear in the Runs view too. Only config.json
// and the tail of events.ndjson are read: a long run's log holds megabytes of rollouts.
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseTrainerEvent, type EventContext, type TrainerEvent } from '../../protocol/trainer-messages';
import { initialRunState, isTerminal, reduceRunEvent, rewardOf, totalStepsOf, type RunState } from './run-state';

export { totalStepsOf } from './run-state';

export const RUN_FILES = { config: 'config.json', events: 'events.ndjson', log: 'trainer.log' } as const;

/** How the trainer (encodeLine) starts every rollouts line. */
const ROLLOUTS_PREFIX = '{"v":1,"type":"rollouts"';

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

async function stat(file: string) {
  try {
    return await fs.stat(file);
  } catch {
    return undefined;
  }
}

/** Complete, valid event lines at the end of the file (a torn last line is skipped). */
export async function readTailEvents(
  file: string,
  tailBytes = 64 * 1024,
  maxTailBytes = 16 * 1024 * 1024,
  context: EventContext = {},
): Promise<{ events: TrainerEvent[]; wholeFile: boolean }> {
  const handle = await fs.open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    for (let window = tailBytes; ; window *= 2) {
      const start = Math.max(0, size - Math.min(window, maxTailBytes));
      const buf = Buffer.alloc(size - start);
      await handle.read(buf, 0, buf.length, start);
      const lines = buf.toString('utf8').split('\n');
      if (start > 0) lines.shift(); // starts mid-line
      const events: TrainerEvent[] = [];
      for (const line of lines) {
        // Rollouts lines are most of the bytes and change nothing in the run state: skip them unparsed.
        if (!line.trim() || line.startsWith(ROLLOUTS_PREFIX)) continue;
        const parsed = parseTrainerEvent(line, context);
        if (parsed.ok) events.push(parsed.value);
      }
      const enough = events.some((e) => e.type === 'metrics' || e.type === 'done' || e.type === 'phase');
      if (start === 0 || enough || window >= maxTailBytes) return { events, wholeFile: start === 0 };
    }
  } finally {
    await handle.close();
  }
}

/** The first event of the log: the trainer's `hello` (pid, device). */
async function readHello(file: string): Promise<TrainerEvent | undefined> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(256 * 1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    const end = text.indexOf('\n');
    if (end < 0) return undefined;
    const parsed = parseTrainerEvent(text.slice(0, end));
    return parsed.ok && parsed.value.type === 'hello' ? parsed.value : undefined;
  } finally {
    await handle.close();
  }
}

async function lastLine(file: string, bytes = 4096): Promise<string | undefined> {
  const handle = await fs.open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const start = Math.max(0, size - bytes);
    const buf = Buffer.alloc(size - start);
    await handle.read(buf, 0, buf.length, start);
    return buf
      .toString('utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1);
  } finally {
    await handle.close();
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
  const [configStat, eventsStat, logStat] = await Promise.all(Object.values(RUN_FILES).map((f) => stat(path.join(dir, f))));
  if (!configStat && !eventsStat && !logStat) return undefined;
  // config.json is written once, before step 0: its mtime is the start.
  const startedAt = Math.min(...[configStat, eventsStat, logStat].flatMap((s) => (s ? [s.mtimeMs] : [])));
  let state = initialRunState(path.basename(dir), dir, { startedAt });

  if (configStat) {
    try {
      const config: unknown = JSON.parse(await fs.readFile(path.join(dir, RUN_FILES.config), 'utf8'));
      state.totalSteps = totalStepsOf(config);
      state.reward = rewardOf(config);
    } catch (err) {
      state.error = `${RUN_FILES.config}: ${(err as Error).message}`;
    }
  }

  if (eventsStat && eventsStat.size > 0) {
    const eventsFile = path.join(dir, RUN_FILES.events);
    const { events, wholeFile } = await readTailEvents(eventsFile, options.tailBytes, options.maxTailBytes, { maxStep: state.totalSteps });
    if (!wholeFile) {
      const hello = await readHello(eventsFile);
      if (hello) state = reduceRunEvent(state, hello);
    }
    for (const event of events) state = reduceRunEvent(state, event);
  }

  if (!isTerminal(state.status)) {
    if (state.pid !== undefined && isAlive(state.pid)) state.status = state.status === 'paused' ? 'paused' : 'running';
    else if (!eventsStat && !configStat && logStat) {
      state.status = 'failed';
      state.error = state.error ?? (await lastLine(path.join(dir, RUN_FILES.log))) ?? 'the trainer failed before it wrote anything';
    } else state.status = 'interrupted';
  }
  return state;
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

/** Live runs win over what their folder says: they know about spawn failures and exit codes. */
export function mergeRuns(scanned: RunState[], live: RunState[]): RunState[] {
  const byDir = new Map<string, RunState>();
  for (const run of scanned) byDir.set(path.resolve(run.dir), run);
  for (const run of live) byDir.set(path.resolve(run.dir), run);
  return [...byDir.values()].sort(newestFirst);
}
