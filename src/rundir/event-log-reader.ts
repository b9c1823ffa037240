// The one reader of run files (events.ndjson and its projections, DESIGN §4). It keeps a byte
// offset and returns only complete lines, each validated with the protocol's parseTrainerEvent;
// a bad line is reported as data, `{path: 'events.ndjson:12', message}`, and skipped. The
// torn-line rule: an incomplete last line is left for the next read (its writer may be mid-line)
// and reported once it stays incomplete (its writer was killed mid-line). A file that became
// shorter was rewritten or truncated: that is reported and the file is read again from the start.
import fs from 'node:fs/promises';
import path from 'node:path';
import { describeIssue, type Issue } from '../protocol/schema';
import { parseTrainerEvent, type EventContext, type TrainerEvent } from '../protocol/trainer-messages';
import { readCompleteLines } from './complete-lines';
import { RUN_FILES } from './run-files';

export interface LogRead {
  events: TrainerEvent[];
  /** Bad lines, a torn last line, a shrunk file: `{path: 'events.ndjson:LINE', message}`. */
  problems: Issue[];
  /** The file became shorter: `events` start again from its first line; drop what came before. */
  restarted: boolean;
}

export interface EventLogReaderOptions {
  /** Checks each event against the run (its total steps), read at every line. */
  context?: () => EventContext;
  /** How long an incomplete last line may stay unchanged before it is reported. */
  tornAfterMs?: number;
  now?: () => number;
}

/** `events.ndjson:12: message` — how a problem reads in a log line or a notice. */
export const describeProblem = (problem: Issue): string => `${problem.path}: ${problem.message}`;

export class EventLogReader {
  private offset = 0;
  private lineNo = 0;
  private torn: { at: number; bytes: number; since: number; reported: boolean } | undefined;
  private readonly name: string;

  constructor(
    readonly file: string,
    private readonly options: EventLogReaderOptions = {},
  ) {
    this.name = path.basename(file);
  }

  /** Bytes of complete lines read so far. */
  get bytes(): number {
    return this.offset;
  }

  /**
   * The complete lines appended since the last read; a missing file reads as empty. `final`: no
   * writer will finish an incomplete last line (a one-shot read), so it is reported at once.
   */
  async read({ final = false }: { final?: boolean } = {}): Promise<LogRead> {
    const out: LogRead = { events: [], problems: [], restarted: false };
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
      throw err;
    }
    let tail = 0;
    try {
      const size = (await handle.stat()).size;
      if (size < this.offset) {
        out.problems.push({ path: this.name, message: `became shorter (${size} < ${this.offset} bytes): it was rewritten or truncated; read again from the start` });
        out.restarted = true;
        this.offset = 0;
        this.lineNo = 0;
        this.torn = undefined;
      }
      const read = await readCompleteLines(handle, this.offset, size, (block) => this.consume(block.toString('utf8'), out));
      this.offset = read.end;
      tail = read.tailBytes;
    } finally {
      await handle.close();
    }
    this.checkTorn(tail, final, out);
    return out;
  }

  private consume(text: string, out: LogRead): void {
    const context = this.options.context?.() ?? {};
    for (const line of text.split('\n')) {
      this.lineNo++;
      if (!line.trim()) continue;
      const parsed = parseTrainerEvent(line, context);
      if (parsed.ok) out.events.push(parsed.value);
      // Another tool's event type is not a problem of this run (DESIGN §3: ignored).
      else if (!parsed.unknownType) out.problems.push({ path: `${this.name}:${this.lineNo}`, message: describeIssue(parsed.issue) });
    }
  }

  private checkTorn(bytes: number, final: boolean, out: LogRead): void {
    if (bytes === 0) {
      this.torn = undefined;
      return;
    }
    const now = (this.options.now ?? Date.now)();
    if (!this.torn || this.torn.at !== this.offset || this.torn.bytes !== bytes) this.torn = { at: this.offset, bytes, since: now, reported: false };
    if (this.torn.reported || (!final && now - this.torn.since < (this.options.tornAfterMs ?? 2000))) return;
    this.torn.reported = true;
    out.problems.push({
      path: `${this.name}:${this.lineNo + 1}`,
      message: `the last line is incomplete (${bytes} bytes, cut off by a process that was killed while writing it); skipped`,
    });
  }
}

/** Every event of a run file, read once (a torn last line is reported at once). */
export function readEventLog(file: string, context: EventContext = {}): Promise<LogRead> {
  return new EventLogReader(file, { context: () => context }).read({ final: true });
}

/** Every event of the run in `dir` (its events.ndjson), read once; fails on a folder that holds no run. */
export async function readRunEvents(dir: string): Promise<LogRead> {
  try {
    await fs.access(path.join(dir, RUN_FILES.config));
  } catch {
    throw new Error(`${dir} is not a run directory (no ${RUN_FILES.config})`);
  }
  return readEventLog(path.join(dir, RUN_FILES.events));
}
