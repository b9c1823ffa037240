// What the outside world can ask of a running trainer between steps (DESIGN §3 host commands):
// stop (finish the step, checkpoint, exit), pause/resume, checkpoint now. A paused trainer still
// honours Checkpoint Now and Stop: every request wakes `nextRequest`.

export class RunControl {
  private readonly abort = new AbortController();
  private paused = false;
  private checkpointWanted = false;
  private wake: (() => void) | null = null;

  /** Aborted once stop() was called. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  stop(): void {
    this.abort.abort();
    this.paused = false;
    this.notify();
  }

  pause(): void {
    if (this.abort.signal.aborted) return;
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.notify();
  }

  requestCheckpoint(): void {
    this.checkpointWanted = true;
    this.notify();
  }

  /** True once per request. */
  takeCheckpointRequest(): boolean {
    const wanted = this.checkpointWanted;
    this.checkpointWanted = false;
    return wanted;
  }

  /** Resolves on the next stop, resume or checkpoint request. */
  nextRequest(): Promise<void> {
    return new Promise((resolve) => {
      const previous = this.wake;
      this.wake = () => {
        previous?.();
        resolve();
      };
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
