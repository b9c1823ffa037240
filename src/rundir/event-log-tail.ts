// Cheap reads of a run file for listing runs: the events at its end and its last `hello`, without
// parsing the megabytes of rollouts between them. Lines are validated like
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

/** How the writer starts every hello line (see ROLLOUTS_PREFIX). */
const HELLO_LINE = Buffer.from('{"v":1,"type":"hello"');
const SEARCH_CHUNK = 4 * 1024 * 1024;
/** Per file: the bytes already searched for `hello` lines and the last one found there. */
const helloSearches = new Map<string, { searched: number; hello: TrainerEvent | undefined }>();

/**
 * The last valid `hello` of the file: the session now writing it (a run resumed from a terminal
 * says hello again after its first session's `done`). Each byte is searched once across calls
 * (only appended bytes are, later; a file that became shorter is searched again), and only hello
 * lines are parsed.
 */
export function readLastHello(file: string): Promise<TrainerEvent | undefined> {
  return withFile(file, async (handle, size) => {
    const known = helloSearches.get(file);
    let { searched, hello } = known && known.searched <= size ? known : { searched: 0, hello: undefined };
    while (searched < size) {
      const buf = Buffer.alloc(Math.min(SEARCH_CHUNK, size - searched));
      const { bytesRead } = await handle.read(buf, 0, buf.length, searched);
      const end = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (end < 0) break; // one incomplete line: searched again once it is complete
      for (let at = 0; at <= end; at = buf.indexOf(0x0a, at) + 1) {
        if (at + HELLO_LINE.length > end || buf.compare(HELLO_LINE, 0, HELLO_LINE.length, at, at + HELLO_LINE.length) !== 0) continue;
        const parsed = parseTrainerEvent(buf.toString('utf8', at, buf.indexOf(0x0a, at)));
        if (parsed.ok) hello = parsed.value;
      }
      searched += end + 1;
    }
    helloSearches.set(file, { searched, hello });
    return hello;
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
