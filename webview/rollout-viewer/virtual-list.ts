// A virtualised list of variable-height rows: only the rows within the viewport (plus overscan) are
// in the DOM. Heights start as an estimate, are measured once rendered and cached by row key; the
// row under the top edge stays put when heights above it change.
import { HeightIndex, visibleRange } from './height-index';
import { frameScheduler } from '../shared/frame';

const OVERSCAN_PX = 300;
/**
 * Building rows (DOM, style and layout) stops for the frame after this many milliseconds (at least
 * one row is built): a jump to unmeasured rows, a fling or a new search result fills the screen
 * over a few frames instead of holding one frame for all of it.
 */
const BUILD_BUDGET_MS = 8;

export interface VirtualListOptions<R> {
  scroller: HTMLElement;
  render(row: R): HTMLElement;
  key(row: R): string;
  /** First guess of a row's height, used until rows have been measured (then their mean is). */
  estimate(row: R): number;
  /** After a frame that left every visible row built. */
  onRendered?: () => void;
}

export class VirtualList<R> {
  private rows: R[] = [];
  private index = new HeightIndex();
  private readonly measured = new Map<string, number>();
  private readonly mounted = new Map<number, HTMLElement>();
  private readonly rowOf = new WeakMap<Element, number>();
  /** Mounted rows change height when the panel is resized or fonts load: re-measure them then. */
  private readonly rowObserver = new ResizeObserver((entries) => this.remeasure(entries));
  private width = -1;
  private readonly spacer: HTMLElement;
  private readonly schedule = frameScheduler(() => this.render());
  private measuredSum = 0;
  private measuredCount = 0;
  /** How long the last row took to build and measure. */
  private lastRowMs = 0;

  constructor(private readonly options: VirtualListOptions<R>) {
    this.spacer = document.createElement('div');
    this.spacer.className = 'virtual-spacer';
    options.scroller.appendChild(this.spacer);
    options.scroller.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => {
      // Heights measured at another width are stale; mounted rows are re-measured by rowObserver.
      if (options.scroller.clientWidth !== this.width) {
        this.width = options.scroller.clientWidth;
        this.measured.clear();
        this.measuredSum = this.measuredCount = 0;
      }
      this.schedule();
    }).observe(options.scroller);
  }

  get length(): number {
    return this.rows.length;
  }

  /** Rows currently in the DOM (for the status line and the benchmark). */
  get mountedCount(): number {
    return this.mounted.size;
  }

  /** Replaces every row (filters or step changed); `forgetHeights` when the layout changed. */
  setRows(rows: R[], forgetHeights = false): void {
    if (forgetHeights) {
      this.measured.clear();
      this.measuredSum = this.measuredCount = 0;
    }
    for (const el of this.mounted.values()) this.unmount(el);
    this.mounted.clear();
    this.rows = [];
    this.index = new HeightIndex();
    this.options.scroller.scrollTop = 0;
    this.appendRows(rows);
  }

  appendRows(rows: readonly R[]): void {
    // With no height measured (a new layout, a re-sort), no row key needs building: 10,000 sorted rows append in one go.
    const known = this.measured.size > 0;
    for (const row of rows) {
      this.rows.push(row);
      const measured = known ? this.measured.get(this.options.key(row)) : undefined;
      this.index.append(measured ?? (this.measuredCount ? this.measuredSum / this.measuredCount : this.options.estimate(row)));
    }
    this.spacer.style.height = `${this.index.total()}px`;
    this.schedule();
  }

  /** Renders the mounted rows that `which` selects again (their content changed, e.g. a chain was expanded). */
  rerender(which: (row: R) => boolean): void {
    for (const [i, el] of this.mounted) {
      if (!which(this.rows[i]!)) continue;
      this.unmount(el);
      this.mounted.delete(i);
    }
    this.schedule();
  }

  /** Scrolls row i to the top; `then` runs once it is rendered (mounted and measured). */
  scrollToRow(i: number, then?: () => void): void {
    if (i < 0 || i >= this.rows.length) return;
    this.options.scroller.scrollTop = this.index.offsetOf(i);
    this.schedule();
    if (then) requestAnimationFrame(() => requestAnimationFrame(then));
  }

  private unmount(el: HTMLElement): void {
    this.rowObserver.unobserve(el);
    el.remove();
  }

  private remeasure(entries: ResizeObserverEntry[]): void {
    const scroller = this.options.scroller;
    const anchor = this.index.indexAt(scroller.scrollTop);
    const anchorOffset = anchor < 0 ? 0 : scroller.scrollTop - this.index.offsetOf(anchor);
    let changed = false;
    for (const entry of entries) {
      const i = this.rowOf.get(entry.target);
      if (i === undefined || this.mounted.get(i) !== entry.target) continue;
      const height = (entry.target as HTMLElement).offsetHeight;
      if (height === this.index.height(i)) continue;
      this.index.set(i, height);
      this.measured.set(this.options.key(this.rows[i]!), height);
      changed = true;
    }
    if (!changed) return;
    for (const [i, el] of this.mounted) el.style.transform = `translateY(${this.index.offsetOf(i)}px)`;
    this.spacer.style.height = `${this.index.total()}px`;
    if (anchor >= 0) scroller.scrollTop = this.index.offsetOf(anchor) + anchorOffset;
    this.schedule();
  }

  private render(): void {
    const scroller = this.options.scroller;
    const started = performance.now();
    for (let pass = 0; pass < 3; pass++) {
      const top = scroller.scrollTop;
      const anchor = this.index.indexAt(top);
      const anchorOffset = anchor < 0 ? 0 : top - this.index.offsetOf(anchor);
      const { first, last } = visibleRange(this.index, top, scroller.clientHeight, OVERSCAN_PX);
      for (const [i, el] of this.mounted) {
        if (i < first || i > last) {
          this.unmount(el);
          this.mounted.delete(i);
        }
      }
      const fresh: { i: number; height: number }[] = [];
      let unfinished = false;
      for (let i = first; i <= last; i++) {
        if (this.mounted.has(i)) continue;
        // A row that would end past the budget (judged by the last one built) waits for the next frame.
        if (performance.now() - started + this.lastRowMs > BUILD_BUDGET_MS && (fresh.length > 0 || pass > 0)) {
          unfinished = true;
          break;
        }
        const rowStarted = performance.now();
        const el = this.options.render(this.rows[i]!);
        el.classList.add('virtual-row');
        this.spacer.appendChild(el);
        this.mounted.set(i, el);
        this.rowOf.set(el, i);
        this.rowObserver.observe(el);
        // Measured as soon as it is built, so its style and layout count against the frame's budget
        // too: laid out together after the budget, a screen of new rows held a fling frame 80–100 ms.
        fresh.push({ i, height: el.offsetHeight });
        this.lastRowMs = performance.now() - rowStarted;
      }
      let changed = false;
      for (const { i, height } of fresh) {
        this.measured.set(this.options.key(this.rows[i]!), height);
        this.measuredSum += height;
        this.measuredCount++;
        if (height !== this.index.height(i)) {
          this.index.set(i, height);
          changed = true;
        }
      }
      for (const [i, el] of this.mounted) el.style.transform = `translateY(${this.index.offsetOf(i)}px)`;
      this.spacer.style.height = `${this.index.total()}px`;
      if (unfinished) {
        if (changed && anchor >= 0) scroller.scrollTop = this.index.offsetOf(anchor) + anchorOffset;
        this.schedule();
        return;
      }
      if (!changed) break;
      // Keep the row under the top edge where it was, then fill whatever the new heights uncovered.
      if (anchor >= 0) scroller.scrollTop = this.index.offsetOf(anchor) + anchorOffset;
    }
    this.options.onRendered?.();
  }
}
