// The engine folders this workspace follows (Import Rollouts → Follow) until the user stops
// following them. The choice is kept in the workspace's state (a vscode.Memento), not in the window:
// a window closed or reloaded while following leaves the run without `done` (it reads interrupted),
// and the next window of the workspace follows it again from its import-cursor.json, so a step file
// written in between is imported and no chain twice. Stop (the Runs view, Stop Run, the
// notification's Cancel) writes `done: stopped` and forgets the choice. Each follow is in the Runs
// view's registry of stoppable runs, so its row is live with Stop. Free of `vscode`: tested with
// real folders in test/integration/extension/.
import path from 'node:path';
import type { EngineFolderImport } from '../../server/import/engine-folder-import';
import { readRunDirectory } from '../runs/run-directory-reader';
import type { RunLogger } from '../runs/run-manager';
import { isTerminal } from '../runs/run-state';
import type { StoppableRuns } from '../runs/stoppable-runs';

/** The workspace-state key of the followed folders. */
export const FOLLOWED_KEY = 'stepgrpo.import.followed';

/** The part of vscode.Memento the choices are kept in. */
export interface ChoiceStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

export interface FollowedFolder {
  /** The engine's folder (verl rollout_data_dir, TRL output_dir). */
  folder: string;
  /** The run folder its chains go to. */
  runDir: string;
}

export type ResumeOutcome = FollowedFolder & ({ run: EngineFolderImport } | { error: string });

export interface FollowedImportsOptions {
  state: ChoiceStore;
  stoppable: StoppableRuns;
  log: RunLogger;
  /** A follow began or ended: the run list should be read again. */
  runsChanged: () => void;
  pollMs?: number;
  /** Tries of a follow to resume (the closing window may still hold the run's lock), this far apart. */
  resumeTries?: number;
  resumeRetryMs?: number;
}

const isFollowedFolder = (v: unknown): v is FollowedFolder =>
  typeof v === 'object' && v !== null && typeof (v as FollowedFolder).folder === 'string' && typeof (v as FollowedFolder).runDir === 'string';

export class FollowedImports {
  private readonly live = new Map<string, { run: EngineFolderImport; registration: { dispose(): void } }>();

  constructor(private readonly options: FollowedImportsOptions) {}

  /** The folders this workspace follows, as saved (a window resumes them on activation). */
  get saved(): FollowedFolder[] {
    const value = this.options.state.get<unknown>(FOLLOWED_KEY);
    return Array.isArray(value) ? value.filter(isFollowedFolder) : [];
  }

  isFollowing(runDir: string): boolean {
    return this.live.has(path.resolve(runDir));
  }

  /** Follows an import opened with `follow`: polled until stopped, and chosen for the next windows too. */
  async follow(run: EngineFolderImport, folder: string): Promise<void> {
    const runDir = path.resolve(run.runDir);
    const registration = this.options.stoppable.add(runDir, () => this.stop(runDir));
    this.live.set(runDir, { run, registration });
    await this.save([...this.saved.filter((f) => path.resolve(f.runDir) !== runDir), { folder: path.resolve(folder), runDir }]);
    run.start(this.options.pollMs);
  }

  /** The user stops following: `done: stopped` is written and the choice forgotten. False when not followed here. */
  async stop(runDir: string): Promise<boolean> {
    const key = path.resolve(runDir);
    const followed = this.live.get(key);
    if (!followed) return false;
    await followed.run.finish('stopped');
    this.live.delete(key);
    followed.registration.dispose();
    await this.forget(key);
    this.options.log.info(`Stopped following into ${key}`);
    this.options.runsChanged();
    return true;
  }

  /**
   * Follows again what the last window of this workspace left followed, each opened with `open`
   * (from its cursor). A run that has ended otherwise (`done` written, its folder removed) is
   * forgotten; one that cannot be opened is forgotten with the reason, for the user to resume.
   */
  async resumeSaved(open: (followed: FollowedFolder) => Promise<EngineFolderImport>): Promise<ResumeOutcome[]> {
    const outcomes: ResumeOutcome[] = [];
    for (const followed of this.saved) {
      if (this.isFollowing(followed.runDir)) continue;
      const state = await readRunDirectory(followed.runDir).catch(() => undefined);
      if (!state || (isTerminal(state.status) && state.status !== 'interrupted')) {
        await this.forget(followed.runDir);
        continue;
      }
      const opened = await this.openWithRetries(followed, open);
      if ('error' in opened) await this.forget(followed.runDir);
      else await this.follow(opened.run, followed.folder);
      outcomes.push(opened);
    }
    if (outcomes.length) this.options.runsChanged();
    return outcomes;
  }

  /** The window is closing: each follow ends without `done` and stays chosen. */
  dispose(): void {
    for (const { run, registration } of this.live.values()) {
      registration.dispose();
      void run.detach();
    }
    this.live.clear();
  }

  private async openWithRetries(followed: FollowedFolder, open: (followed: FollowedFolder) => Promise<EngineFolderImport>): Promise<ResumeOutcome> {
    const tries = this.options.resumeTries ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        return { ...followed, run: await open(followed) };
      } catch (err) {
        const error = (err as Error).message;
        if (attempt >= tries) return { ...followed, error };
        this.options.log.warn(`Following ${followed.folder} again: ${error}; trying again (${attempt} of ${tries})`);
        await new Promise((resolve) => setTimeout(resolve, this.options.resumeRetryMs ?? 2000));
      }
    }
  }

  private forget(runDir: string): Promise<void> {
    const key = path.resolve(runDir);
    return this.save(this.saved.filter((f) => path.resolve(f.runDir) !== key));
  }

  private async save(followed: FollowedFolder[]): Promise<void> {
    await this.options.state.update(FOLLOWED_KEY, followed);
  }
}
