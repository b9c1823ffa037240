// The shown run's steps while its folder is still being read whole (issue 18: a chart click opens a
// step of a 48 MB run in ≤ 300 ms). A step is read alone from the index of its lines into the run's
// RolloutStore; the whole read, going on in the background, then skips the events added here, so a
// step's partial events (a recording's) are never added twice. Free of `vscode`, unit-tested directly.
import type { EventContext, TrainerEvent } from '../../protocol/trainer-messages';
import { indexRolloutSteps, readIndexedStep, type RolloutStepIndex } from '../../rundir/rollout-step-index';
import type { RolloutStore } from './rollout-store';

export class IndexedSteps {
  private readonly loads = new Map<number, Promise<void>>();
  private readonly loaded = new Set<number>();
  /** Per step: events added here that the whole read has not met yet (it skips them). */
  private readonly ahead = new Map<number, number>();
  private closed = false;

  private constructor(
    private readonly index: RolloutStepIndex,
    private readonly store: RolloutStore,
    private readonly context: () => EventContext,
  ) {}

  /** Indexes `file` (the run's followed file) for `store`. */
  static async open(file: string, store: RolloutStore, context: () => EventContext): Promise<IndexedSteps> {
    return new IndexedSteps(await indexRolloutSteps(file, context()), store, context);
  }

  /** The indexed steps and any the store got since (live ones), ascending. */
  steps(): number[] {
    return [...new Set([...this.index.lines.keys(), ...this.store.steps()])].sort((a, b) => a - b);
  }

  /** The file indexed and its bytes indexed: a file found shorter later was rewritten or truncated. */
  position(): { file: string; bytes: number } {
    return { file: this.index.file, bytes: this.index.end };
  }

  /** Whether `step` was read into the store (or found in no indexed line). */
  has(step: number): boolean {
    return this.loaded.has(step);
  }

  /** Reads `step`'s lines into the store, once; resolves when it holds them. */
  load(step: number): Promise<void> {
    let load = this.loads.get(step);
    if (!load) {
      load = this.read(step);
      this.loads.set(step, load);
    }
    return load;
  }

  /** Whether the whole read should skip this event: it was added here already. */
  skips(event: TrainerEvent): boolean {
    if (event.type !== 'rollouts') return false;
    const ahead = this.ahead.get(event.step) ?? 0;
    if (ahead === 0) return false;
    this.ahead.set(event.step, ahead - 1);
    return true;
  }

  /** The whole read has reached the end of the index: a read still under way adds nothing. */
  close(): void {
    this.closed = true;
  }

  private async read(step: number): Promise<void> {
    const events = await readIndexedStep(this.index, step, this.context());
    if (this.closed) return;
    for (const e of events) this.store.add(e.step, e.groups, e.partial);
    this.ahead.set(step, events.length);
    this.loaded.add(step);
  }
}
