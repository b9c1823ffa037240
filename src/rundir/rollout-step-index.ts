// Where each step's rollouts lie in a run file, found without parsing them: rollouts lines are most
// of a run's bytes (500 steps of 128 chains are 48 MB), and opening one step should parse only its
// own lines. A rollouts line's step is read from its head as every writer encodes it
// (`{"v":1,"type":"rollouts","step":N,`); any other line is parsed whole, so a line of another
// tool's key order is still indexed. Only complete lines are indexed (the torn-line rule); a line
// that does not parse is left out here and reported by the whole read (EventLogReader).
import fs from 'node:fs/promises';
import { parseTrainerEvent, type EventContext, type TrainerEvent } from '../protocol/trainer-messages';

export interface LineRange {
  offset: number;
  length: number;
}

export interface RolloutStepIndex {
  file: string;
  /** Bytes indexed (up to the end of the last complete line). */
  end: number;
  /** Each step's rollouts lines, in file order. */
  lines: Map<number, LineRange[]>;
}

type RolloutsEvent = Extract<TrainerEvent, { type: 'rollouts' }>;

/** How every writer (encodeLine of an event built `{v, type, step, ...}`) starts a rollouts line. */
const ROLLOUTS_HEAD = /^\{"v":1,"type":"rollouts","step":(\d+)[,}]/;
/** ...and any other event's line: one of another type is no rollouts line, whatever follows. */
const EVENT_HEAD = /^\{"v":1,"type":"(\w+)"/;
const HEAD_BYTES = 64;
const NEWLINE = 0x0a;
/** The scan only looks for newlines: big reads, and no parse to hold up the event loop. */
const SCAN_CHUNK = 4 * 1024 * 1024;

interface ScannedLine extends LineRange {
  /** Its first bytes (or fewer, up to its newline), when the chunk held them. */
  head: string | undefined;
}

/** The head of the line starting at `at` in `chunk`, unless it runs past the chunk's end. */
function headAt(chunk: Buffer, at: number): string | undefined {
  const end = Math.min(chunk.length, at + HEAD_BYTES);
  if (end - at < HEAD_BYTES && chunk.indexOf(NEWLINE, at) < 0) return undefined;
  return chunk.toString('latin1', at, end);
}

async function readRange(handle: fs.FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  const { bytesRead } = await handle.read(buf, 0, length, offset);
  return buf.subarray(0, bytesRead);
}

/** Every complete line of the file, by one pass that reads each byte once and parses nothing. */
async function scanLines(handle: fs.FileHandle, size: number, chunkBytes: number): Promise<{ lines: ScannedLine[]; end: number }> {
  const lines: ScannedLine[] = [];
  const buf = Buffer.allocUnsafe(Math.max(1, Math.min(chunkBytes, size)));
  let start = 0;
  let head: string | undefined;
  for (let at = 0; at < size;) {
    const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, size - at), at);
    if (bytesRead === 0) break;
    const chunk = buf.subarray(0, bytesRead);
    if (at === 0) head = headAt(chunk, 0);
    for (let nl = chunk.indexOf(NEWLINE); nl >= 0; nl = chunk.indexOf(NEWLINE, nl + 1)) {
      lines.push({ offset: start, length: at + nl - start, head });
      start = at + nl + 1;
      head = headAt(chunk, nl + 1);
    }
    at += bytesRead;
  }
  return { lines, end: start };
}

/** The step of a rollouts line; undefined for any other line (and one that does not parse). */
async function stepOf(handle: fs.FileHandle, line: ScannedLine, context: EventContext): Promise<number | undefined> {
  if (line.length === 0) return undefined;
  const head = line.head ?? (await readRange(handle, line.offset, Math.min(line.length, HEAD_BYTES))).toString('latin1');
  const rollouts = ROLLOUTS_HEAD.exec(head);
  if (rollouts) return Number(rollouts[1]);
  const type = EVENT_HEAD.exec(head)?.[1];
  if (type !== undefined && type !== 'rollouts') return undefined;
  const parsed = parseTrainerEvent((await readRange(handle, line.offset, line.length)).toString('utf8'), context);
  return parsed.ok && parsed.value.type === 'rollouts' ? parsed.value.step : undefined;
}

/** Indexes the rollouts lines of `file` (a missing file has none). */
export async function indexRolloutSteps(file: string, context: EventContext = {}, chunkBytes = SCAN_CHUNK): Promise<RolloutStepIndex> {
  const index: RolloutStepIndex = { file, end: 0, lines: new Map() };
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return index;
    throw err;
  }
  try {
    const { lines, end } = await scanLines(handle, (await handle.stat()).size, chunkBytes);
    index.end = end;
    for (const line of lines) {
      const step = await stepOf(handle, line, context);
      if (step === undefined) continue;
      const range = { offset: line.offset, length: line.length };
      const known = index.lines.get(step);
      if (known) known.push(range);
      else index.lines.set(step, [range]);
    }
  } finally {
    await handle.close();
  }
  return index;
}

/** The valid rollouts events of one indexed step, in file order; lines that do not parse are skipped. */
export async function readIndexedStep(index: RolloutStepIndex, step: number, context: EventContext = {}): Promise<RolloutsEvent[]> {
  const ranges = index.lines.get(step) ?? [];
  if (!ranges.length) return [];
  const handle = await fs.open(index.file, 'r');
  try {
    const events: RolloutsEvent[] = [];
    for (const { offset, length } of ranges) {
      const parsed = parseTrainerEvent((await readRange(handle, offset, length)).toString('utf8'), context);
      if (parsed.ok && parsed.value.type === 'rollouts' && parsed.value.step === step) events.push(parsed.value);
    }
    return events;
  } finally {
    await handle.close();
  }
}
