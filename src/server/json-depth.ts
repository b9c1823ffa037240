// JSON nesting is bounded before JSON.parse: V8 parses an 8 M-deep array (16 MB) for seconds with
// the event loop held, and the request guards that walk the value recursively overflow the stack on
// a 100 k-deep config. A scanner counts brackets outside strings as the body arrives, chunk by
// chunk, so the cost is linear, spread over the reads, and a too-deep body is refused early. It
// reads UTF-8 bytes, not text: every byte of a multi-byte character is ≥ 0x80, so the ASCII
// brackets, quotes and backslashes it looks for are the same at any chunk boundary.

export const DEFAULT_MAX_JSON_DEPTH = 64;

export class JsonDepthScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private offset = 0;

  constructor(readonly limit: number) {}

  /** Scans the next chunk of the body; returns the offset (in bytes of the whole body) of the first bracket nested deeper than the limit, or -1. */
  feed(bytes: Uint8Array): number {
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.inString = false;
      } else if (c === 0x22) this.inString = true;
      else if (c === 0x5b || c === 0x7b) {
        if (++this.depth > this.limit) return this.offset + i;
      } else if (c === 0x5d || c === 0x7d) this.depth--;
    }
    this.offset += bytes.length;
    return -1;
  }
}
