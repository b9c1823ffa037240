// Follows a run directory that another process writes (a recording reward server, a follow-mode
// import, a CLI run): reads `rollouts.jsonl` (else `events.ndjson`) from the start, then polls for
// appended lines. Only complete lines are read; an incomplete last line is left for the next poll,
// and one that stays incomplete (a writer killed mid-line) is skipped with a note. Free of `vscode`
// so it is unit-tested directly.
import fs from 'node:fs/promises';
import path from 'node:path';
import { describeIssue } from '../../protocol/schema';
import { parseTrainerEvent, type TrainerEvent } from '../../protocol/trainer-messages';

export interface FollowerOptions {
  onEvents: (events: TrainerEvent[]) => void;
  /** Lines that could not be read, and a last line that stays incomplete. */
  onNote?: (note: string) => void;
  /** The file became shorter (rewritten or truncated); without this handler it is only noted. */
  onRewritten?: () => void;
  pollMs?: number;
  /** How long an incomplete last line may stay unchanged before it is reported. */
  tornAfterMs?: number;
}

/** Complete lines of `file` from byte `offset`; `next` is the offset after the last newline. */
export async function readCompleteLines(file: string, offset: number): Promise<{ lines: string[]; next: number; tail: number; size: number }> {
  const handle = await fs.open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    if (size <= offset) return { lines: [], next: Math.min(offset, size), tail: 0, size };
    const buf = Buffer.alloc(size - offset);
    await handle.read(buf, 0, buf.length, offset);
    const end = buf.lastIndexOf(0x0a);
    if (end < 0) return { lines: [], next: offset, tail: buf.length, size };
    return { lines: buf.subarray(0, end).toString('utf8').split('\n'), next: offset + end + 1, tail: buf.length - end - 1, size };
  } finally {
    await handle.close();
  }
}

const CANDIDATES = ['rollouts.jsonl', 'events.ndjson'];
const LISTED = 5;

export class RunDirectoryFollower {
  private file: string | undefined;
  private offset = 0;
  private lineNo = 0;
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> = Promise.resolve();
  private torn: { at: number; since: number; reported: boolean } | undefined;
  private disposed = false;

  constructor(
    readonly dir: string,
    private readonly options: FollowerOptions,
  ) {}

  /** Reads what the directory holds now (the first call reads from the start). */
  catchUp(): Promise<void> {
    this.reading = this.reading.then(() => this.readOnce()).catch((err: Error) => this.options.onNote?.(`cannot read ${this.file ?? this.dir}: ${err.message}`));
    return this.reading;
  }

  /** The file being followed and the bytes read from it (complete lines only). */
  position(): { file: string; bytes: number } | null {
    return this.file ? { file: this.file, bytes: this.offset } : null;
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

  private async pickFile(): Promise<string | undefined> {
    for (const name of CANDIDATES) {
      const file = path.join(this.dir, name);
      try {
        if ((await fs.stat(file)).isFile()) return file;
      } catch {
        // not written yet
      }
    }
    return undefined;
  }

  private async readOnce(): Promise<void> {
    if (this.disposed) return;
    this.file ??= await this.pickFile();
    if (!this.file) return;
    const { lines, next, tail, size } = await readCompleteLines(this.file, this.offset);
    if (size < this.offset) {
      if (this.options.onRewritten) {
        // The owner reads the run again; until then the position still says how much was read.
        this.options.onRewritten();
        return;
      }
      this.options.onNote?.(`${path.basename(this.file)} became shorter (${size} < ${this.offset} bytes): it was rewritten; reopen the run to read it again`);
      this.offset = size;
      return;
    }
    this.offset = next;
    const events: TrainerEvent[] = [];
    const name = path.basename(this.file);
    const bad: string[] = [];
    for (const line of lines) {
      this.lineNo++;
      if (!line.trim()) continue;
      const parsed = parseTrainerEvent(line);
      if (parsed.ok) events.push(parsed.value);
      else if (!parsed.unknownType) bad.push(`${name}:${this.lineNo}: ${describeIssue(parsed.issue)}`);
    }
    if (events.length && !this.disposed) this.options.onEvents(events);
    if (bad.length) {
      const more = bad.length > LISTED ? ` (and ${bad.length - LISTED} more)` : '';
      this.options.onNote?.(`Some lines could not be read and were skipped: ${bad.slice(0, LISTED).join('; ')}${more}`);
    }
    this.noteTornTail(name, tail);
  }

  private noteTornTail(name: string, tail: number): void {
    if (tail === 0) {
      this.torn = undefined;
      return;
    }
    const now = Date.now();
    if (!this.torn || this.torn.at !== this.offset) this.torn = { at: this.offset, since: now, reported: false };
    if (!this.torn.reported && now - this.torn.since >= (this.options.tornAfterMs ?? 2000)) {
      this.torn.reported = true;
      this.options.onNote?.(`${name}:${this.lineNo + 1}: the last line is incomplete (${tail} bytes, cut off by a process that was killed while writing it); skipped`);
    }
  }
}
