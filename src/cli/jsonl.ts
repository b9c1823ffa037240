// Line-by-line JSONL reading with 1-based line numbers (blank lines skipped), from a file or stdin.
// Input hygiene: a UTF-8 byte-order mark is skipped (it would otherwise make the first record
// `Unexpected token '\uFEFF'`), a line that is not valid UTF-8 is reported instead of being read
// with replacement characters, and a JSON array file (pretty-printed or on one line) is refused
// with one clear error instead of scoring whichever inner line happens to parse.
import fs from 'node:fs';
import { firstInvalidUtf8 } from '../rundir/complete-lines';
import { escapeControls } from './printable';

export interface JsonlLine {
  line: number;
  /** The line, decoded (lossily when `error` is set). */
  raw: string;
  /** Set when the line cannot be read as text: the reason, e.g. invalid UTF-8 at a column. */
  error?: string;
  /** How messages name the record: the line number, or `[i]` for an element of a JSON array. */
  label: string;
}

export class JsonlFormatError extends Error {}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const UTF8_LOSSY = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Longest line read (bytes). A longer one is skipped and reported as that line's error, so that a
 * 600 MB line costs neither the memory to hold it nor a crash that does not name it.
 */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

export async function* readJsonlLines(path: string, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<JsonlLine> {
  let line = 0;
  let firstRecord = true;
  for await (const bytes of byteLines(path, maxLineBytes)) {
    line++;
    if (typeof bytes === 'number') {
      yield { line, raw: '', error: `the line is ${bytes} bytes, longer than the limit of ${maxLineBytes} bytes; it is skipped`, label: String(line) };
      firstRecord = false;
      continue;
    }
    const body = line === 1 ? withoutBom(bytes) : bytes;
    let raw: string;
    try {
      raw = UTF8.decode(body);
    } catch {
      const at = firstInvalidUtf8(body);
      yield { line, raw: UTF8_LOSSY.decode(body), error: `invalid UTF-8 (byte 0x${body[at]!.toString(16).padStart(2, '0')} at byte ${at + 1} of the line)`, label: String(line) };
      firstRecord = false;
      continue;
    }
    if (raw.trim().length === 0) continue;
    if (firstRecord && looksLikeJsonArray(raw)) {
      throw new JsonlFormatError(`${path}:${line}: expected JSON Lines; this looks like a JSON array — use --json-array or convert (e.g. jq -c '.[]')`);
    }
    firstRecord = false;
    yield { line, raw, label: String(line) };
  }
}

/** The elements of a file holding one JSON array, as records labelled `[i]` (0-based). */
export async function* readJsonArray(path: string): AsyncGenerator<JsonlLine> {
  const chunks: Buffer[] = [];
  for await (const chunk of path === '-' ? process.stdin : fs.createReadStream(path)) chunks.push(chunk as Buffer);
  const bytes = withoutBom(Buffer.concat(chunks));
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new JsonlFormatError(`${path}: invalid UTF-8 at byte ${firstInvalidUtf8(bytes) + 1}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new JsonlFormatError(`${path}: not valid JSON (${escapeControls((err as Error).message)})`);
  }
  if (!Array.isArray(value)) throw new JsonlFormatError(`${path}: --json-array expects a JSON array, got ${value === null ? 'null' : typeof value}`);
  for (let i = 0; i < value.length; i++) yield { line: i + 1, raw: JSON.stringify(value[i]), label: `[${i}]` };
}

/** The first line is `[`, or an array that does not parse on its own line, or an array of objects. */
function looksLikeJsonArray(raw: string): boolean {
  const t = raw.trim();
  if (!t.startsWith('[')) return false;
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch {
    return true;
  }
  return Array.isArray(value) && value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
}

function withoutBom(b: Uint8Array): Uint8Array {
  return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? b.subarray(3) : b;
}

/**
 * Lines as bytes (split at LF, a CR before it dropped), so that each can be decoded strictly; a line
 * longer than `maxBytes` is not kept: its length in bytes comes instead.
 */
async function* byteLines(path: string, maxBytes: number): AsyncGenerator<Uint8Array | number> {
  const input = path === '-' ? process.stdin : fs.createReadStream(path);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const add = (part: Buffer): void => {
    pendingBytes += part.length;
    if (pendingBytes > maxBytes) pending = [];
    else pending.push(part);
  };
  const take = (): Uint8Array | number => {
    const line = pendingBytes > maxBytes ? pendingBytes : stripCr(pending.length === 1 ? pending[0]! : Buffer.concat(pending));
    pending = [];
    pendingBytes = 0;
    return line;
  };
  for await (const chunk of input) {
    const buf = chunk as Buffer;
    let from = 0;
    for (let nl = buf.indexOf(10, from); nl >= 0; nl = buf.indexOf(10, from)) {
      add(buf.subarray(from, nl));
      yield take();
      from = nl + 1;
    }
    if (from < buf.length) add(buf.subarray(from));
  }
  if (pendingBytes > 0) yield take();
}

function stripCr(b: Buffer): Buffer {
  return b.length > 0 && b[b.length - 1] === 13 ? b.subarray(0, b.length - 1) : b;
}

/** Opens the output: a file (created or truncated) or stdout for `-` / absent. */
export function openOutput(path: string | undefined, stdout: NodeJS.WritableStream): { stream: NodeJS.WritableStream; close(): Promise<void> } {
  if (path === undefined || path === '-') return { stream: stdout, close: async () => {} };
  const stream = fs.createWriteStream(path, { encoding: 'utf8' });
  return {
    stream,
    close: () => new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve()))),
  };
}
