// Runs this window can stop that are not trainer children of the RunManager: an engine launched
// from a run config (engine-runs.ts) and a followed import (import/followed-imports.ts). Their
// folders are read like any run's; this registry adds what only this window knows: that Stop
// reaches them, and that a Stop is under way (`stopping` until they have ended, then the folder's
// `done` says `stopped`). Free of `vscode` so it is tested with real processes.
import path from 'node:path';
import { isTerminal, type RunState } from './run-state';

/** A run as the Runs view shows it: `stopOnly` when Stop is its one control (no pause, no checkpoint). */
export type ShownRun = RunState & { stopOnly?: boolean };

interface Entry {
  /** Asks the run to stop; resolves once it has ended (its `done` written). */
  stop: () => Promise<unknown>;
  stopping: Promise<void> | undefined;
}

export class StoppableRuns {
  private readonly runs = new Map<string, Entry>();
  private readonly listeners = new Set<() => void>();

  /** Called when a run is added, starts stopping, or is removed. */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** `dir` can be stopped here until the returned handle is disposed (the run has ended). */
  add(dir: string, stop: () => Promise<unknown>): { dispose(): void } {
    const key = path.resolve(dir);
    const entry: Entry = { stop, stopping: undefined };
    this.runs.set(key, entry);
    this.changed();
    return {
      dispose: () => {
        if (this.runs.get(key) !== entry) return;
        this.runs.delete(key);
        this.changed();
      },
    };
  }

  has(dir: string): boolean {
    return this.runs.has(path.resolve(dir));
  }

  isStopping(dir: string): boolean {
    return this.runs.get(path.resolve(dir))?.stopping !== undefined;
  }

  /** Stops the run in `dir` and resolves once it has ended; false when it is not one of these. A second Stop waits on the first. */
  async stop(dir: string): Promise<boolean> {
    const entry = this.runs.get(path.resolve(dir));
    if (!entry) return false;
    if (!entry.stopping) {
      entry.stopping = entry.stop().then(
        () => undefined,
        () => undefined,
      );
      this.changed();
    }
    await entry.stopping;
    return true;
  }

  /** The run as the Runs view shows it: one of these that its folder leaves unfinished is `running` (or `stopping`) with Stop only. */
  shown(run: RunState): ShownRun {
    const entry = this.runs.get(path.resolve(run.dir));
    if (!entry || isTerminal(run.status)) return run;
    return { ...run, status: entry.stopping ? 'stopping' : 'running', stopOnly: true };
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
