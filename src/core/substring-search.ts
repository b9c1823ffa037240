// Substring search for many needles in one long haystack (thousands of key steps over a step of
// hundreds of KB): one `indexOf` scan per needle is O(needles × text); a 4-gram index built once
// makes each search a walk over the positions of the needle's rarest 4-gram. Small inputs keep
// plain `indexOf`, which is faster there.

export interface Searcher {
  /** Like String.prototype.indexOf on the haystack. */
  indexOf(needle: string, from: number): number;
}

const K = 4;
const TABLE_BITS = 20;
const MASK = (1 << TABLE_BITS) - 1;
/** Index only when needles × haystack length exceeds this (about 20 ms of plain scans). */
const INDEX_WORK = 5e7;
const MIN_TEXT = 1 << 14;

export function searcherFor(text: string, needles: number): Searcher {
  if (text.length < MIN_TEXT || needles * text.length < INDEX_WORK) return { indexOf: (n, from) => text.indexOf(n, from) };
  return new GramIndex(text);
}

function gram(s: string, i: number): number {
  return (((s.charCodeAt(i) * 31 + s.charCodeAt(i + 1)) * 31 + s.charCodeAt(i + 2)) * 31 + s.charCodeAt(i + 3)) & MASK;
}

class GramIndex implements Searcher {
  /** slotStart[h] .. slotStart[h + 1]: the positions (ascending) whose 4-gram hashes to h. */
  private readonly slotStart = new Int32Array(MASK + 2);
  private readonly positions: Int32Array;

  constructor(private readonly text: string) {
    const n = Math.max(0, text.length - K + 1);
    const hashes = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const h = gram(text, i);
      hashes[i] = h;
      this.slotStart[h + 1]!++;
    }
    for (let h = 1; h < this.slotStart.length; h++) this.slotStart[h]! += this.slotStart[h - 1]!;
    const fill = this.slotStart.slice(0, MASK + 1);
    this.positions = new Int32Array(n);
    for (let i = 0; i < n; i++) this.positions[fill[hashes[i]!]!++] = i;
  }

  indexOf(needle: string, from: number): number {
    if (needle.length < K) return this.text.indexOf(needle, from);
    // the needle's rarest 4-gram narrows the candidates most
    let best = 0;
    let bestSize = Infinity;
    for (let o = 0; o + K <= needle.length; o++) {
      const h = gram(needle, o);
      const size = this.slotStart[h + 1]! - this.slotStart[h]!;
      if (size < bestSize) {
        bestSize = size;
        best = o;
        if (size === 0) return -1;
      }
    }
    const h = gram(needle, best);
    let lo = this.slotStart[h]!;
    let hi = this.slotStart[h + 1]!;
    const first = Math.max(from, 0) + best;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.positions[mid]! < first) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < this.slotStart[h + 1]!; k++) {
      const start = this.positions[k]! - best;
      if (this.text.startsWith(needle, start)) return start;
    }
    return -1;
  }
}
