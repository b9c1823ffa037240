// Row offsets for the virtualised list (pure): a Fenwick tree over row heights, so appending a row,
// correcting a measured height and finding the row at a scroll offset are all O(log n).

export class HeightIndex {
  private tree: number[] = [0];
  private heights: number[] = [];

  get count(): number {
    return this.heights.length;
  }

  total(): number {
    return this.prefix(this.heights.length);
  }

  height(i: number): number {
    return this.heights[i] ?? 0;
  }

  append(height: number): void {
    const n = this.heights.length + 1;
    this.heights.push(height);
    // tree[n] covers (n - lowbit(n), n].
    this.tree.push(height + this.prefix(n - 1) - this.prefix(n - (n & -n)));
  }

  set(i: number, height: number): void {
    const delta = height - this.heights[i]!;
    if (delta === 0) return;
    this.heights[i] = height;
    for (let k = i + 1; k < this.tree.length; k += k & -k) this.tree[k]! += delta;
  }

  /** Top of row i (the sum of the heights before it). */
  offsetOf(i: number): number {
    return this.prefix(Math.min(i, this.heights.length));
  }

  /** The row that contains offset y (clamped to the last row); -1 when empty. */
  indexAt(y: number): number {
    const n = this.heights.length;
    if (n === 0) return -1;
    let pos = 0;
    let rest = y;
    for (let step = 1 << Math.floor(Math.log2(n)); step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= n && this.tree[next]! <= rest) {
        pos = next;
        rest -= this.tree[next]!;
      }
    }
    return Math.min(pos, n - 1);
  }

  private prefix(n: number): number {
    let sum = 0;
    for (let k = n; k > 0; k -= k & -k) sum += this.tree[k]!;
    return sum;
  }
}

export interface WindowRange {
  /** First and last row to render, inclusive; first > last when there is nothing. */
  first: number;
  last: number;
}

/** Rows that intersect [scrollTop - overscan, scrollTop + viewport + overscan]. */
export function visibleRange(index: HeightIndex, scrollTop: number, viewport: number, overscan: number): WindowRange {
  if (index.count === 0) return { first: 0, last: -1 };
  const first = index.indexAt(Math.max(0, scrollTop - overscan));
  const last = index.indexAt(Math.max(0, scrollTop + viewport + overscan));
  return { first, last };
}
