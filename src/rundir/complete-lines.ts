// The torn-line rule's reading half, shared by the run-file reader and the importers: a file that
// may be growing is read from a byte offset by chunks, and only complete lines (ended by a newline)
// are handed on; the bytes after the last newline are left for the next read (their writer may be
// mid-line). Lines stay bytes, so each reader decodes them by its own rule.
import type fs from 'node:fs/promises';

// A reader gives the event loop a turn between chunks: the extension host's messages (a chart
// click, a webview's reply) wait at most one chunk's parse while a long run file is read.
const CHUNK = 1024 * 1024;
const NEWLINE = 0x0a;

export interface CompleteLinesRead {
  /** Offset just after the last complete line. */
  end: number;
  /** Bytes after it: an incomplete last line. */
  tailBytes: number;
}

/**
 * Reads [from, size) of `handle` and hands `onLines` each run of complete lines, newline-separated
 * without the final newline (valid only during the call: the buffer is reused). Memory holds one
 * chunk and the line being read. `final`: no writer
 * will finish an incomplete last line (a one-shot read of a file), so it is handed on as a line.
 */
export async function readCompleteLines(
  handle: fs.FileHandle,
  from: number,
  size: number,
  onLines: (block: Buffer) => void,
  { final = false }: { final?: boolean } = {},
): Promise<CompleteLinesRead> {
  let carry: Buffer[] = [];
  let carried = 0;
  let at = from;
  let end = from;
  // One buffer for the whole read: a new one per chunk is garbage the size of the file.
  const buf = Buffer.allocUnsafe(Math.min(CHUNK, size - from));
  while (at < size) {
    const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, size - at), at);
    if (bytesRead === 0) break;
    at += bytesRead;
    const chunk = buf.subarray(0, bytesRead);
    const last = chunk.lastIndexOf(NEWLINE);
    if (last < 0) {
      // A line longer than a chunk: its parts are joined once, when its newline comes.
      carry.push(Buffer.from(chunk));
      carried += chunk.length;
      continue;
    }
    onLines(carried ? Buffer.concat([...carry, chunk.subarray(0, last)]) : chunk.subarray(0, last));
    end = at - bytesRead + last + 1;
    carry = [Buffer.from(chunk.subarray(last + 1))];
    carried = bytesRead - last - 1;
  }
  if (final && carried > 0) {
    onLines(Buffer.concat(carry));
    return { end: at, tailBytes: 0 };
  }
  return { end, tailBytes: carried };
}

/** Calls `onLine` with each line of a block from readCompleteLines, in order. */
export function forEachLine(block: Buffer, onLine: (bytes: Buffer) => void): void {
  let from = 0;
  for (let nl = block.indexOf(NEWLINE); nl >= 0; nl = block.indexOf(NEWLINE, from)) {
    onLine(block.subarray(from, nl));
    from = nl + 1;
  }
  onLine(block.subarray(from));
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A line as text, or why it is not UTF-8 (invalid UTF-8 is refused, never replaced: docs/server.md). */
export function decodeLine(bytes: Uint8Array): { text: string } | { error: string } {
  try {
    return { text: UTF8.decode(bytes) };
  } catch {
    const at = firstInvalidUtf8(bytes);
    return { error: `invalid UTF-8 (byte 0x${bytes[at]!.toString(16).padStart(2, '0')} at byte ${at + 1} of the line)` };
  }
}

/** Index of the first byte that does not start or continue a well-formed UTF-8 sequence. */
export function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
    }
    // overlong three/four-byte forms, surrogates and code points past U+10FFFF
    if (n === 2 && ((c === 0xe0 && b[i + 1]! < 0xa0) || (c === 0xed && b[i + 1]! > 0x9f))) return i;
    if (n === 3 && ((c === 0xf0 && b[i + 1]! < 0x90) || (c === 0xf4 && b[i + 1]! > 0x8f))) return i;
    i += n + 1;
  }
  return b.length;
}
