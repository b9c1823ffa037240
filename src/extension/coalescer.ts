// How a view turns a burst of run events (dozens a second from a small run) into one piece of work:
// the first request starts a timer, the ones before it fires join it.

export class Coalescer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    private readonly delayMs: number,
    private readonly run: () => void,
  ) {}

  request(): void {
    if (this.timer || this.disposed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, this.delayMs);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
