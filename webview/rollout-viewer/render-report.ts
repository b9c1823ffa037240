// When a drawn frame makes the page tell the host again what it shows (the host and the tests read
// these `rendered` reports). Free of the DOM, unit-tested.

/** What a report said, as far as a later frame can change it. */
export interface OnScreen {
  mounted: number;
  heatSpans: number;
}

export class RenderReport {
  private last: OnScreen = { mounted: 0, heatSpans: 0 };

  /** A report was sent saying `now`. */
  reported(now: OnScreen): void {
    this.last = now;
  }

  /**
   * Whether the frame just drawn changes what the last report said: rows built where it had none
   * (replaced rows are built a frame later, and a panel laid out at height 0 builds them only once it
   * has a size), or another count of heat spans while the overlay is on. Scrolling alone is not.
   */
  afterFrame(now: OnScreen, heatOn: boolean): boolean {
    if (now.mounted > 0 && this.last.mounted === 0) return true;
    return heatOn && now.heatSpans !== this.last.heatSpans;
  }
}
