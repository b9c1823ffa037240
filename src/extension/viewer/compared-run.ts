// The run shown beside the viewer's own in compare mode: its rollouts read from its folder and
// followed there while it grows (the same RunDirectoryFollower as the shown run), its status from
// its events, and the branch offset that puts its steps on its parent's axis.
import type { ViewerRun } from '../../protocol/viewer-messages';
import { readBranchStepOffset } from '../metrics/branch-offset';
import { RunDirectoryFollower } from '../runs/run-directory-follower';
import { newerOf, readRunDirectory, settleStatus } from '../runs/run-directory-reader';
import { initialRunState, reduceRunEvent, type RunState } from '../runs/run-state';
import { RolloutStore } from './rollout-store';
import { viewerRunOf } from './rollout-viewer';

export interface ComparedRunRef {
  id: string;
  dir: string;
}

export interface ComparedRunEvents {
  /** A step's rollouts arrived after the first read (the run is live). */
  onAdded: (step: number) => void;
  /** Its status or step changed. */
  onRun: () => void;
  onNote: (message: string) => void;
}

export class ComparedRun {
  readonly store = new RolloutStore();
  /** The parent's step this run starts from (0 for a run that is no branch). */
  readonly offset: number;
  private folderRun: RunState;
  private follower: RunDirectoryFollower | undefined;
  private disposed = false;

  constructor(
    readonly ref: ComparedRunRef,
    private readonly managed: () => RunState | undefined,
    private readonly events: ComparedRunEvents,
  ) {
    this.offset = readBranchStepOffset(ref.dir);
    this.folderRun = initialRunState(ref.id, ref.dir);
  }

  /** Reads the folder to its end, then follows it; resolves once the first read is done. */
  async load(): Promise<void> {
    const onDisk = await readRunDirectory(this.ref.dir);
    if (this.disposed) return;
    const totalSteps = onDisk?.totalSteps;
    this.folderRun = initialRunState(this.ref.id, this.ref.dir, { totalSteps, startedAt: onDisk?.startedAt });
    let caughtUp = false;
    const follower = new RunDirectoryFollower(this.ref.dir, {
      context: () => ({ maxStep: totalSteps }),
      onEvents: (events) => {
        for (const e of events) {
          this.folderRun = reduceRunEvent(this.folderRun, e);
          if (e.type === 'rollouts' && this.store.add(e.step, e.groups, e.partial) && caughtUp) this.events.onAdded(e.step);
        }
      },
      onRead: () => {
        if (caughtUp) this.events.onRun();
      },
      onNote: (message) => this.events.onNote(`${this.ref.id}: ${message}`),
    });
    this.follower = follower;
    await follower.catchUp();
    caughtUp = true;
    if (this.disposed) follower.dispose();
    else follower.start();
  }

  /** The run as the header shows it: from the trainer this window runs, else from its folder. */
  run(): ViewerRun {
    return viewerRunOf(this.ref, newerOf(this.managed(), settleStatus(this.folderRun)), null);
  }

  dispose(): void {
    this.disposed = true;
    this.follower?.dispose();
  }
}
