// Owns the trainer child processes of this window: starts them in fresh run folders, folds their
// events into run state, keeps stderr in the log and in `<run>/trainer.log`, and stops them all on
// dispose. Free of `vscode` so it is tested with real child processes in test/unit/extension/.
import fs from 'node:fs';
import path from 'node:path';
import type { TrainerEvent } from '../../protocol/trainer-messages';
import { LATEST_CHECKPOINT, latestCheckpointName } from '../../rundir/checkpoint-pointer';
import { RUN_FILES } from '../../rundir/run-files';
import { createRunDirectory } from './run-id';
import { describeExit, initialRunState, isTerminal, reduceRunEvent, reduceRunExit, type ExitInfo, type RunState } from './run-state';
import { TrainerProcess } from './trainer-process';

/** The subset of vscode.LogOutputChannel that the manager writes to. */
export interface RunLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

export interface StartRequest {
  /** Folder that receives `<id>/`, e.g. `<workspace>/.stepgrpo/runs`. */
  runsRoot: string;
  /** Trainer preset (demo, smoke, grpo-outcome); the trainer's default when absent. */
  preset?: string;
  /** A JSON config laid over the preset. */
  configFile?: string;
  /** Overrides the config's runtime.executionProvider (the trainer's `--execution-provider`). */
  executionProvider?: string;
  /** Aborting asks the trainer to stop (it finishes the step and checkpoints). */
  signal?: AbortSignal;
}

/** Resume Run: the same folder continues from its latest checkpoint (`--resume <dir>`). */
export interface ResumeRequest {
  dir: string;
  /** What the folder said before (step, reward), shown until the trainer reports. */
  prior?: RunState;
  signal?: AbortSignal;
}

/** Restart from a checkpoint: a new run folder whose policy starts from another run's checkpoint. */
export interface BranchRequest {
  runsRoot: string;
  /** The source run's folder; its config.json is the branch's config. */
  sourceDir: string;
  /** A checkpoint folder (`<run>/checkpoints/step-XXXXXX`). */
  checkpoint: string;
  /** Overrides the source config's runtime.executionProvider. */
  executionProvider?: string;
  signal?: AbortSignal;
}

/** `state`: the host changed the status itself (stop requested). */
export type RunChange =
  { kind: 'started'; run: RunState } | { kind: 'event'; run: RunState; event: TrainerEvent } | { kind: 'state'; run: RunState } | { kind: 'ended'; run: RunState; exit: ExitInfo };

export interface RunManagerOptions {
  trainerJs: string;
  /** Node binary for the trainer; the host's own by default. */
  node?: string;
  log: RunLogger;
  /** On dispose: SIGTERM this long after `stop`, SIGKILL as long again after that. */
  disposeGraceMs?: number;
}

const SILENT: RunLogger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

/** The trainer validates the name and reports a provider that cannot start (before any step). */
const providerArgs = (ep: string | undefined): string[] => (ep ? ['--execution-provider', ep] : []);

/** The file a branch's config is written to inside its new folder (the trainer reads it with --config). */
export const BRANCH_CONFIG = 'branch-config.json';

interface LiveRun {
  state: RunState;
  process: TrainerProcess;
  ended: Promise<RunState>;
}

export class RunManager {
  private readonly runs = new Map<string, LiveRun>();
  private readonly listeners = new Set<(change: RunChange) => void>();
  private disposed = false;

  constructor(private readonly options: RunManagerOptions) {}

  /** Starts a trainer in a new run folder; the process is spawned now and reports through onDidChange. */
  start(request: StartRequest): RunState {
    this.checkCanSpawn();
    if (request.configFile && !fs.existsSync(request.configFile)) throw new Error(`config file not found: ${request.configFile}`);
    const label = request.configFile ? path.basename(request.configFile).replace(/\.stepgrpo\.json$/i, '') : (request.preset ?? 'run');
    const { id, dir } = createRunDirectory(request.runsRoot, label, new Date());
    const args = ['--out', dir];
    if (request.preset) args.push('--preset', request.preset);
    if (request.configFile) args.push('--config', request.configFile);
    return this.spawn(id, dir, [...args, ...providerArgs(request.executionProvider)], request.signal, {});
  }

  /**
   * Resume Run: continues a stopped, failed or interrupted run in its own folder. The run keeps
   * its id, so everything following it (Runs view, viewer, status bar) goes on without a reload.
   */
  resume(request: ResumeRequest): RunState {
    this.checkCanSpawn();
    const dir = path.resolve(request.dir);
    const id = path.basename(dir);
    const current = this.runs.get(id);
    if (current && !current.process.hasExited) throw new Error(`${id} is already running in this window`);
    if (latestCheckpointName(path.join(dir, RUN_FILES.checkpoints)) === null)
      throw new Error(`${id} has no complete checkpoint to resume from (checkpoints/${LATEST_CHECKPOINT} is missing)`);
    const prior = request.prior ?? current?.state;
    const keep: Partial<RunState> = prior
      ? {
          step: prior.step,
          totalSteps: prior.totalSteps,
          lastReward: prior.lastReward,
          lastEvalReward: prior.lastEvalReward,
          checkpoint: prior.checkpoint,
          startedAt: prior.startedAt,
        }
      : {};
    this.runs.delete(id);
    return this.spawn(id, dir, ['--resume', dir], request.signal, keep);
  }

  /** Restart from a checkpoint as a branch: the source's config, its policy from `checkpoint`, SFT skipped. */
  branch(request: BranchRequest): RunState {
    this.checkCanSpawn();
    if (!fs.existsSync(path.join(request.checkpoint, 'state.json'))) throw new Error(`${request.checkpoint} is not a complete checkpoint (no state.json)`);
    const source = JSON.parse(fs.readFileSync(path.join(request.sourceDir, RUN_FILES.config), 'utf8')) as { sft?: Record<string, unknown> };
    const config = { ...source, sft: { ...source.sft, steps: 0 }, initFrom: path.resolve(request.checkpoint) };
    const label = `${path.basename(request.sourceDir).replace(/-\d{8}-\d{6}(-\d+)?$/, '')}-from-${path.basename(request.checkpoint)}`;
    const { id, dir } = createRunDirectory(request.runsRoot, label, new Date());
    const configFile = path.join(dir, BRANCH_CONFIG);
    fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
    return this.spawn(id, dir, ['--out', dir, '--config', configFile, ...providerArgs(request.executionProvider)], request.signal, {});
  }

  private checkCanSpawn(): void {
    if (this.disposed) throw new Error('the run manager is disposed');
    if (!fs.existsSync(this.options.trainerJs)) throw new Error(`the trainer is missing: ${this.options.trainerJs} (run \`node esbuild.js\`)`);
  }

  private spawn(id: string, dir: string, args: string[], signal: AbortSignal | undefined, keep: Partial<RunState>): RunState {
    const stderrFile = fs.createWriteStream(path.join(dir, RUN_FILES.log), { flags: 'a' });
    stderrFile.on('error', (err) => this.log.warn(`[${id}] ${RUN_FILES.log}: ${err.message}`));
    let resolveEnded!: (state: RunState) => void;
    const ended = new Promise<RunState>((r) => (resolveEnded = r));
    this.log.info(`[${id}] starting trainer: ${[this.options.trainerJs, ...args].join(' ')}`);

    // The handlers run asynchronously, after `run` below exists.
    const trainer = new TrainerProcess(
      { node: this.options.node ?? process.execPath, trainerJs: this.options.trainerJs, args, cwd: dir, eventContext: () => ({ maxStep: run.state.totalSteps }) },
      {
        onEvent: (event) => {
          run.state = { ...reduceRunEvent(run.state, event), live: true };
          this.logEvent(id, event);
          this.fire({ kind: 'event', run: run.state, event });
        },
        onWarning: (message) => this.log.warn(`[${id}] ${message}`),
        onStderr: (line) => {
          stderrFile.write(`${line}\n`);
          this.log.info(`[${id}] trainer: ${line}`);
        },
        onExit: (exit) => {
          stderrFile.end();
          run.state = { ...reduceRunExit(run.state, exit, trainer.stderrTail), live: false };
          const how = exit.spawnError ?? (exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`);
          const line = `[${id}] trainer exited (${how}): ${run.state.status}`;
          if (run.state.status === 'failed' || run.state.status === 'interrupted') this.log.error(`${line}: ${run.state.error ?? describeExit(exit, trainer.stderrTail)}`);
          else this.log.info(line);
          this.fire({ kind: 'ended', run: run.state, exit });
          resolveEnded(run.state);
        },
      },
      signal,
    );
    const run: LiveRun = { state: initialRunState(id, dir, { startedAt: Date.now(), ...keep, live: true, pid: trainer.pid }), process: trainer, ended };
    this.runs.set(id, run);
    this.fire({ kind: 'started', run: run.state });
    return run.state;
  }

  /**
   * Asks a running trainer to stop after its current step; with `forceAfterMs` it is sent
   * SIGTERM, then SIGKILL, if it has not exited by then. False when it is not running here.
   */
  stop(id: string, forceAfterMs?: number): boolean {
    const run = this.runs.get(id);
    if (!run || run.process.hasExited) return false;
    this.log.info(`[${id}] stop requested${forceAfterMs !== undefined ? ` (forced after ${Math.round(forceAfterMs / 1000)} s)` : ''}`);
    void run.process.stop(forceAfterMs);
    run.state = { ...run.state, status: 'stopping' };
    this.fire({ kind: 'state', run: run.state });
    return true;
  }

  /** Pause, Resume (a paused run) and Checkpoint Now: the trainer acts between steps and says so in events. */
  command(id: string, type: 'pause' | 'resume' | 'checkpoint'): boolean {
    const run = this.runs.get(id);
    if (!run || run.process.hasExited) return false;
    this.log.info(`[${id}] ${type} requested`);
    return run.process.send(type);
  }

  get(id: string): RunState | undefined {
    return this.runs.get(id)?.state;
  }

  /** Runs started by this manager, newest first (ended ones stay until the window closes). */
  list(): RunState[] {
    return [...this.runs.values()].map((r) => r.state).reverse();
  }

  running(): RunState[] {
    return this.list().filter((r) => !isTerminal(r.status));
  }

  whenEnded(id: string): Promise<RunState> {
    const run = this.runs.get(id);
    if (!run) return Promise.reject(new Error(`no run "${id}" was started in this window`));
    return run.ended;
  }

  onDidChange(listener: (change: RunChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Stops every trainer: `stop` now, SIGTERM and SIGKILL after the grace period if still alive. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const grace = this.options.disposeGraceMs ?? 3000;
    for (const run of this.runs.values()) if (!run.process.hasExited) void run.process.stop(grace);
    this.listeners.clear();
  }

  /** Resolves when every trainer has exited (tests; dispose itself does not wait). */
  async whenAllExited(): Promise<void> {
    await Promise.all([...this.runs.values()].map((r) => r.process.exited));
  }

  /** The host's log channel is disposed with the manager; trainers that exit later log nowhere. */
  private get log(): RunLogger {
    return this.disposed ? SILENT : this.options.log;
  }

  private logEvent(id: string, event: TrainerEvent): void {
    const log = this.log;
    switch (event.type) {
      case 'log':
        log[event.level](`[${id}] ${event.message}`);
        break;
      case 'error':
        log.error(`[${id}] ${event.fatal ? 'fatal error' : 'error'}: ${event.message}${event.detail ? `\n${event.detail}` : ''}`);
        break;
      case 'done':
        log.info(`[${id}] done: ${event.status} ${JSON.stringify(event.summary)}`);
        break;
      case 'checkpoint':
        log.info(`[${id}] checkpoint at step ${event.step}: ${event.path}`);
        break;
      case 'hello':
        log.info(`[${id}] trainer ${event.version} pid ${event.pid} on ${event.device.ep}`);
        break;
      default:
        break;
    }
  }

  private fire(change: RunChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (err) {
        this.log.error(`run listener failed: ${(err as Error).message}`);
      }
    }
  }
}
