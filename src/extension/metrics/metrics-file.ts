// Reads a run's metrics.jsonl (DESIGN §4) incrementally: the first read takes the whole file, later
// reads only what was appended since, so a CLI run that is still writing can be followed cheaply.
// A torn last line (the trainer is mid-write, or was killed) waits for its newline; a bad line is
// reported with its line number and skipped.
import fs from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { describeIssue } from '../../protocol/schema';
import { parseTrainerEvent, type TrainerEvent } from '../../protocol/trainer-messages';

export const METRICS_FILE = 'metrics.jsonl';

export type MetricsEvent = Extract<TrainerEvent, { type: 'metrics' }>;

export interface TailRead {
  events: MetricsEvent[];
  /** `metrics.jsonl:12: not JSON: …` — one per bad line. */
  errors: string[];
  /** The file shrank or was replaced: the events are the whole file again; drop what came before. */
  restarted: boolean;
}

const CHUNK = 4 * 1024 * 1024;

export class MetricsFileTail {
  private offset = 0;
  private line = 0;
  private partial = '';
  private decoder = new StringDecoder('utf8');

  constructor(
    readonly file: string,
    /** Shown in error messages instead of the full path. */
    private readonly label = METRICS_FILE,
  ) {}

  /** Events appended since the last read; a missing file reads as empty. */
  async read(): Promise<TailRead> {
    const out: TailRead = { events: [], errors: [], restarted: false };
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
      throw err;
    }
    try {
      const size = (await handle.stat()).size;
      if (size < this.offset) {
        this.reset();
        out.restarted = true;
      }
      const buf = Buffer.alloc(Math.min(CHUNK, Math.max(0, size - this.offset)));
      while (this.offset < size) {
        const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, size - this.offset), this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        this.consume(this.decoder.write(buf.subarray(0, bytesRead)), out);
      }
    } finally {
      await handle.close();
    }
    return out;
  }

  private reset(): void {
    this.offset = 0;
    this.line = 0;
    this.partial = '';
    this.decoder = new StringDecoder('utf8');
  }

  private consume(text: string, out: TailRead): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const raw of lines) {
      this.line++;
      if (!raw.trim()) continue;
      const parsed = parseTrainerEvent(raw);
      if (!parsed.ok) out.errors.push(`${this.label}:${this.line}: ${describeIssue(parsed.issue)}`);
      else if (parsed.value.type === 'metrics') out.events.push(parsed.value);
    }
  }
}
