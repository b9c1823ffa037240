// Linear-time `text.replace(/OPEN([^\n]*?)CLOSE/g, …)`. JavaScript's backtracking engine scans from
// every opener to the end of its line looking for a closer, so a line of n openers costs n² (a 1 MB
// chain of nested `\frac{1}{…}` held the reward server 189 s). Here the nearest closer and the
// nearest newline are found with pointers that only move forward, so the cost is linear. The
// result is the regex's: leftmost opener first, the nearest closer on its line, resume after it.

export interface LazySpan {
  /** The opener, global; it must match at most one way at a position (no alternation inside). */
  open: RegExp;
  /** Where a closer starting at `k` ends (exclusive) and its captures, or null when none starts there. */
  closeAt(text: string, k: number): { end: number; captures: string[] } | null;
  /** The replacement, from the opener's captures, the span's content, and the closer's captures. */
  build(openCaptures: string[], content: string, closeCaptures: string[]): string;
}

export function replaceLazySpans(text: string, span: LazySpan): string {
  const open = new RegExp(span.open.source, span.open.flags.includes('g') ? span.open.flags : `${span.open.flags}g`);
  const nextCloser = forwardSearch(text.length, (k) => span.closeAt(text, k) !== null);
  const nextNewline = forwardSearch(text.length, (k) => text[k] === '\n');
  let out = '';
  let copied = 0;
  let from = 0;
  for (;;) {
    open.lastIndex = from;
    const m = open.exec(text);
    if (!m) break;
    const contentStart = m.index + m[0].length;
    const k = nextCloser(contentStart);
    const newline = nextNewline(contentStart);
    if (k < 0 || (newline >= 0 && newline < k)) {
      from = m.index + 1;
      continue;
    }
    const close = span.closeAt(text, k)!;
    out += text.slice(copied, m.index) + span.build(m.slice(1), text.slice(contentStart, k), close.captures);
    copied = close.end;
    from = close.end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * `find(q)`: the smallest k ≥ q where `hit(k)`, or -1. Queries that never go backwards cost O(n)
 * in all, since the scan resumes where the last one stopped.
 */
function forwardSearch(length: number, hit: (k: number) => boolean): (q: number) => number {
  let scannedFrom = Infinity;
  let found = -1; // the first hit at or after scannedFrom, or -1 when there is none
  return (q) => {
    if (q >= scannedFrom && (found === -1 || found >= q)) return found;
    let k = q;
    while (k < length && !hit(k)) k++;
    scannedFrom = q;
    found = k < length ? k : -1;
    return found;
  };
}
