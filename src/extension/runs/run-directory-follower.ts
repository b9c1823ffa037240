// Follows a run directory whichever process writes it (this window's trainer, one resumed from a
// terminal, a recording reward server, a follow-mode import): reads events.ndjson (else
// rollouts.jsonl, for a folder that holds only that) from the start with the one run-file reader,
// then polls for appended lines. Its notes are the reader's problems: bad lines, a last line that
// stays incomplete, a file that became shorter. Free of `vscode` so it is unit-tested directly.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { EventContext, TrainerEvent } from '../../protocol/trainer-messages';
import { describeProblem, EventLogReader, type LogRead } from '../../rundir/event-log-reader';
import { RUN_FILES } from '../../rundir/run-files';

export interface FollowerOptions {
  onEvents: (events: TrainerEvent[]) => void;
  /** After every read, events or not (a trainer that died writes nothing more: its pid says so). */
  onRead?: () => void;
  /** Lines that could not be read, and a last line that stays incomplete. */
  onNote?: (note: string) => void;
  /** The file became shorter (rewritten or truncated); without this handler it is read again from the start. */
  onRewritten?: () => void;
  context?: () => EventContext;
  pollMs?: number;
  /** How long an incomplete last line may stay unchanged before it is reported. */
  tornAfterMs?: number;
}

const CANDIDATES = [RUN_FILES.events, RUN_FILES.rollouts];
const LISTED = 5;

/** The file a follower of `dir` reads: events.ndjson, else rollouts.jsonl; undefined before either is written. */
export async function followedFile(dir: string): Promise<string | undefined> {
  for (const name of CANDIDATES) {
    const file = path.join(dir, name);
    try {
      if ((await fs.stat(file)).isFile()) return file;
    } catch {
      // not written yet
    }
  }
  return undefined;
}

export class RunDirectoryFollower {
  private reader: EventLogReader | undefined;
  /** Set once the file became shorter and the owner was told: how much had been read before. */
  private rewritten: { file: string; bytes: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(
    readonly dir: string,
    private readonly options: FollowerOptions,
  ) {}

  /** Reads what the directory holds now (the first call reads from the start). */
  catchUp(): Promise<void> {
    this.reading = this.reading.then(() => this.readOnce()).catch((err: Error) => this.options.onNote?.(`cannot read ${this.reader?.file ?? this.dir}: ${err.message}`));
    return this.reading;
  }

  /** The file being followed and the bytes read from it (complete lines only). */
  position(): { file: string; bytes: number } | null {
    if (this.rewritten) return this.rewritten;
    return this.reader ? { file: this.reader.file, bytes: this.reader.bytes } : null;
  }

  /** Polls for appended lines until disposed. */
  start(): void {
    if (this.timer || this.disposed) return;
    this.timer = setInterval(() => void this.catchUp(), this.options.pollMs ?? 500);
    this.timer.unref?.();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async readOnce(): Promise<void> {
    if (this.disposed || this.rewritten) return;
    if (!this.reader) {
      const file = await followedFile(this.dir);
      if (!file) return;
      this.reader = new EventLogReader(file, { context: this.options.context, tornAfterMs: this.options.tornAfterMs });
    }
    const before = this.reader.bytes;
    const read = await this.reader.read();
    if (this.disposed) return;
    if (read.restarted && this.options.onRewritten) {
      // The owner reads the run again; until then the position says how much was read before.
      this.rewritten = { file: this.reader.file, bytes: before };
      this.options.onRewritten();
      return;
    }
    if (read.events.length) this.options.onEvents(read.events);
    this.note(read);
    this.options.onRead?.();
  }

  private note(read: LogRead): void {
    const problems = read.problems.map(describeProblem);
    if (!problems.length) return;
    const more = problems.length > LISTED ? ` (and ${problems.length - LISTED} more)` : '';
    this.options.onNote?.(`Some lines could not be read and were skipped: ${problems.slice(0, LISTED).join('; ')}${more}`);
  }
}
