// The one writer of run directories (DESIGN §4): the trainer, the reward server's recorder, the
// importers and the trainer's early-failure record all go through it. config.json is written to a
// temporary file and renamed, so a reader never sees half of it. Events are appended with
// synchronous writes, to events.ndjson and to their projection file; batched, they wait for
// flush(), so a killed writer loses at most the batch (a line cut mid-write is the reader's
// torn-line rule). Reopening under the lock cuts such a torn last line off, so the next append starts a line.
// With `lock`, the writer holds the folder's run lock (run-lock.ts) until close().
import fs from 'node:fs';
import path from 'node:path';
import { encodeLine, type TrainerEvent } from '../protocol/trainer-messages';
import { projectionOf, RUN_FILES } from './run-files';
import { acquireRunLock, type RunLock } from './run-lock';

export interface RunWriterOptions {
  /** Appends wait for flush() instead of being written at once (the recorder's timer flushes). */
  batched?: boolean;
  /** Hold the folder's exclusive run lock until close(): a second writer fails at once. */
  lock?: boolean;
}

/** The line files a writer appends to: a torn tail is cut from each when a run is reopened. */
const APPENDED_FILES = [RUN_FILES.events, RUN_FILES.metrics, RUN_FILES.rollouts] as const;

export class RunWriter {
  /** Encoded lines waiting for flush(), per file name, in order. */
  private pending = new Map<string, string[]>();

  private constructor(
    readonly root: string,
    private readonly options: RunWriterOptions,
    private readonly lock: RunLock | null,
  ) {}

  /**
   * Creates the folder, refusing one that already holds a run (a config.json), and writes
   * config.json when given one (a trainer that failed before resolving its config has none).
   */
  static create(dir: string, config: unknown, options: RunWriterOptions = {}): RunWriter {
    const root = path.resolve(dir);
    const refuse = (): Error => new Error(`${root} already holds a run (${RUN_FILES.config} exists); pick another folder or resume it`);
    if (fs.existsSync(path.join(root, RUN_FILES.config))) throw refuse();
    fs.mkdirSync(root, { recursive: true });
    const writer = new RunWriter(root, options, options.lock ? acquireRunLock(root) : null);
    // Checked again under the lock: another writer may have created the run meanwhile.
    if (fs.existsSync(path.join(root, RUN_FILES.config))) {
      writer.close();
      throw refuse();
    }
    if (config !== undefined) writer.writeJsonAtomic(RUN_FILES.config, config);
    return writer;
  }

  /** An existing run (`--resume`): appends go after what it holds; with `lock`, a torn last line is cut off first. */
  static open(dir: string, options: RunWriterOptions = {}): RunWriter {
    const root = path.resolve(dir);
    if (!fs.existsSync(path.join(root, RUN_FILES.config))) throw new Error(`${root} is not a run directory (no ${RUN_FILES.config})`);
    const writer = new RunWriter(root, options, options.lock ? acquireRunLock(root) : null);
    // Only under the lock: without it, the tail may be a live writer's line in progress.
    if (writer.lock) for (const name of APPENDED_FILES) cutTornTail(path.join(root, name));
    return writer;
  }

  /** Releases the run lock, if held. Pending lines are the caller's to flush first. */
  close(): void {
    this.lock?.release();
  }

  get checkpointsDir(): string {
    return path.join(this.root, RUN_FILES.checkpoints);
  }

  /** Appends to the replay log and to the projection file of each event's type. */
  append(...events: TrainerEvent[]): void {
    for (const event of events) {
      const line = encodeLine(event);
      this.queue(RUN_FILES.events, line);
      const projection = projectionOf(event.type);
      if (projection) this.queue(projection, line);
    }
    if (!this.options.batched) this.flush();
  }

  /** Writes every pending line. A failed file keeps nothing pending: its error is thrown after the other files are written. */
  flush(): void {
    const pending = this.pending;
    this.pending = new Map();
    let failure: Error | undefined;
    for (const [name, lines] of pending) {
      try {
        fs.appendFileSync(path.join(this.root, name), lines.join(''));
      } catch (err) {
        failure ??= new Error(`cannot append to ${path.join(this.root, name)}: ${(err as Error).message}`);
      }
    }
    if (failure) throw failure;
  }

  /** Writes `name` whole or not at all: a temporary file renamed over it. */
  writeJsonAtomic(name: string, value: unknown): void {
    const file = path.join(this.root, name);
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
    fs.renameSync(tmp, file);
  }

  private queue(name: string, line: string): void {
    const lines = this.pending.get(name);
    if (lines) lines.push(line);
    else this.pending.set(name, [line]);
  }
}

/**
 * Cuts the bytes after the last newline: the part of a line a killed writer did not finish. It is
 * dropped, not completed, because its event is incomplete (a reader already skips it as torn).
 */
function cutTornTail(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const chunk = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      fs.readSync(fd, chunk, 0, end - start, start);
      const newline = chunk.subarray(0, end - start).lastIndexOf(0x0a);
      if (newline >= 0) {
        end = start + newline + 1;
        break;
      }
      end = start;
    }
    if (end < size) fs.ftruncateSync(fd, end);
  } finally {
    fs.closeSync(fd);
  }
}
