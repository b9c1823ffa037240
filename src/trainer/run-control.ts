// What the outside world can ask of a running trainer between steps (DESIGN §3 host commands):
// stop (finish the step, checkpoint, exit), pause/resume, checkpoint now.

export class RunControl {
  private readonly abort = new AbortController();
  private paused: { promise: Promise<void>; release: () => void } | null = null;
  private checkpointWanted = false;

  /** Aborted once stop() was called. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get isPaused(): boolean {
    return this.paused !== null;
  }

  stop(): void {
    this.abort.abort();
    this.resume();
  }

  pause(): void {
    if (this.paused || this.abort.signal.aborted) return;
    let release!: () => void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.paused = { promise, release };
  }

  resume(): void {
    this.paused?.release();
    this.paused = null;
  }

  requestCheckpoint(): void {
    this.checkpointWanted = true;
  }

  /** True once per request. */
  takeCheckpointRequest(): boolean {
    const wanted = this.checkpointWanted;
    this.checkpointWanted = false;
    return wanted;
  }

  /** Resolves immediately unless paused; then when resumed or stopped. */
  async waitWhilePaused(): Promise<void> {
    while (this.paused) await this.paused.promise;
  }
}
