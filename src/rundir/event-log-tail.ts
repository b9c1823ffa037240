// Cheap reads of a run file for listing runs: the events at its end and its first event (the
// `hello`), without reading the megabytes of rollouts between them. Lines are validated like
// EventLogReader's; a torn last line is left out. Bad lines are skipped here unreported: the
// incremental reader, which knows their line numbers, reports them when the run is opened.
import fs from 'node:fs/promises';
import { parseTrainerEvent, type EventContext, type TrainerEvent } from '../protocol/trainer-messages';

export interface TailOptions {
  /** First window; doubled until an event that carries the run's progress is found or the file is read. */
  tailBytes?: number;
  maxTailBytes?: number;
  context?: EventContext;
}

/** How the writer (encodeLine of an event built `{v, type, ...}`) starts every rollouts line. */
const ROLLOUTS_PREFIX = '{"v":1,"type":"rollouts"';
const PROGRESS: ReadonlySet<TrainerEvent['type']> = new Set(['metrics', 'done', 'phase']);

async function withFile<T>(file: string, body: (handle: fs.FileHandle, size: number) => Promise<T>): Promise<T> {
  const handle = await fs.open(file, 'r');
  try {
    return await body(handle, (await handle.stat()).size);
  } finally {
    await handle.close();
  }
}

async function readRange(handle: fs.FileHandle, start: number, end: number): Promise<string> {
  const buf = Buffer.alloc(Math.max(0, end - start));
  const { bytesRead } = await handle.read(buf, 0, buf.length, start);
  return buf.subarray(0, bytesRead).toString('utf8');
}

/** The complete, valid events at the end of the file; `wholeFile` when the window reached its start. */
export function readTailEvents(file: string, options: TailOptions = {}): Promise<{ events: TrainerEvent[]; wholeFile: boolean }> {
  const { tailBytes = 64 * 1024, maxTailBytes = 16 * 1024 * 1024, context = {} } = options;
  return withFile(file, async (handle, size) => {
    for (let window = tailBytes; ; window *= 2) {
      const start = Math.max(0, size - Math.min(window, maxTailBytes));
      const lines = (await readRange(handle, start, size)).split('\n');
      if (start > 0) lines.shift(); // starts mid-line
      lines.pop(); // after the last newline: empty, or a torn line
      const events: TrainerEvent[] = [];
      for (const line of lines) {
        // Rollouts lines are most of the bytes and say nothing of the run's progress: skipped unparsed.
        if (!line.trim() || line.startsWith(ROLLOUTS_PREFIX)) continue;
        const parsed = parseTrainerEvent(line, context);
        if (parsed.ok) events.push(parsed.value);
      }
      if (start === 0 || events.some((e) => PROGRESS.has(e.type)) || window >= maxTailBytes) return { events, wholeFile: start === 0 };
    }
  });
}

/** The first event of the file when it is complete and valid (a run's first event is its `hello`). */
export function readFirstEvent(file: string, maxBytes = 256 * 1024): Promise<TrainerEvent | undefined> {
  return withFile(file, async (handle, size) => {
    const text = await readRange(handle, 0, Math.min(size, maxBytes));
    const end = text.indexOf('\n');
    if (end < 0) return undefined;
    const parsed = parseTrainerEvent(text.slice(0, end));
    return parsed.ok ? parsed.value : undefined;
  });
}

/** The last non-empty line of a text file (trainer.log: why a trainer failed before its first event). */
export function readLastLine(file: string, bytes = 4096): Promise<string | undefined> {
  return withFile(file, async (handle, size) =>
    (await readRange(handle, Math.max(0, size - bytes), size))
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1),
  );
}
