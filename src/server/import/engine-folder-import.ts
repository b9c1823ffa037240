// Imports a verl rollout_data_dir or a TRL output folder into a run directory (DESIGN §4), once or
// following it: each step file becomes one `rollouts` event (rescored with the chosen preset, the
// engine's numbers kept beside ours) and one `metrics` event, appended as the engine writes new
// step files. The Rollout viewer and the Metrics view follow the run directory like any other.
// Free of `vscode`: the command (import-command.ts) wires it up; tests drive it directly.
import fs from 'node:fs';
import path from 'node:path';
import type { RewardPresetName } from '../../core/reward';
import { describeProblem } from '../../rundir/event-log-reader';
import { RunWriter } from '../../rundir/run-writer';
import { listStepFiles, readTrlStep, type EngineKind, type StepFile } from './engine-rollouts';
import { EngineStepImport, type StepRead } from './engine-step-import';

/** Tries of a TRL file that fails to parse, the first retry after TRL_RETRY_MS, doubling. */
export const TRL_READ_TRIES = 5;
const TRL_RETRY_MS = 1000;

export interface FolderImportOptions {
  /** The engine's folder (verl rollout_data_dir, TRL output_dir or its completions/). */
  source: string;
  /** A new, empty run folder. */
  runDir: string;
  preset: RewardPresetName;
  kind?: EngineKind;
  /** A TRL step file is read once it has not been modified for this long (the engine may be writing it). */
  settleMs?: number;
  /** Wait before the first retry of a TRL file that fails to parse (doubled each try). */
  retryMs?: number;
  /** Problems worth telling the user (bad lines, unreadable files), each naming the file. */
  onNote?: (note: string) => void;
  /** Step files imported by a poll (follow mode: the run list should be read again). */
  onImported?: (steps: ImportedStep[]) => void;
}

export interface ImportedStep {
  step: number;
  file: string;
  chains: number;
  skipped: number;
}

export class EngineFolderImport {
  /** TRL files read (a parquet file is read whole, once). */
  private readonly done = new Set<string>();
  private readonly steps = new Map<string, EngineStepImport>();
  /** Per verl file: bytes of its incomplete last line at the last read. */
  private readonly tails = new Map<string, number>();
  private readonly retries = new Map<string, { version: string; tries: number; gaveUp: boolean; next: number }>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<ImportedStep[]> | undefined;
  private finished = false;
  readonly kind: EngineKind;

  private constructor(
    private readonly options: FolderImportOptions,
    private readonly writer: RunWriter,
    kind: EngineKind,
    readonly follow: boolean,
  ) {
    this.kind = kind;
  }

  /** Checks the folder, writes config.json (and `hello` when following: the run shows as running). */
  static async create(options: FolderImportOptions, follow: boolean): Promise<EngineFolderImport> {
    const source = path.resolve(options.source);
    if (!fs.existsSync(source) || !fs.statSync(source).isDirectory()) throw new Error(`StepGRPO: not a folder: ${source}`);
    const { kind } = await listStepFiles(source, options.kind);
    const resolved = kind ?? options.kind;
    if (!resolved) {
      throw new Error(
        `StepGRPO: ${source} holds no step files yet: expected verl's {step}.jsonl (trainer.rollout_data_dir) or TRL's completions/completions_NNNNN.parquet (log_completions=True)` +
          (follow ? '; to follow a run that has not written one yet, pick the kind (verl or TRL)' : ''),
      );
    }
    const writer = RunWriter.create(options.runDir, { imported: { from: source, kind: resolved, preset: options.preset, follow } });
    if (follow) writer.append({ v: 1, type: 'hello', pid: process.pid, version: 'import', device: { ep: `follow-${resolved}`, threads: 0 }, config: { from: source } });
    return new EngineFolderImport({ ...options, source }, writer, resolved, follow);
  }

  get runDir(): string {
    return this.options.runDir;
  }

  /** Imports the step files that are complete and not imported yet. */
  poll(): Promise<ImportedStep[]> {
    this.polling ??= this.pollOnce().finally(() => (this.polling = undefined));
    return this.polling;
  }

  /** Polls every `pollMs` until finished. */
  start(pollMs = 1000): void {
    if (this.timer || this.finished) return;
    this.timer = setInterval(() => void this.poll(), pollMs);
    this.timer.unref?.();
  }

  /** Stops following and writes `done`. */
  async finish(status: 'completed' | 'stopped' = 'completed'): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    if (this.timer) clearInterval(this.timer);
    await this.polling;
    for (const [file, bytes] of this.tails) {
      if (bytes > 0) this.options.onNote?.(`${path.basename(file)}: the last line is incomplete (${bytes} bytes, no newline after it); skipped`);
    }
    this.writer.append({ v: 1, type: 'done', status, summary: { imported: this.options.source, steps: this.steps.size } });
  }

  private async pollOnce(): Promise<ImportedStep[]> {
    if (this.finished) return [];
    const { files } = await listStepFiles(this.options.source, this.kind);
    const imported: ImportedStep[] = [];
    for (const file of files) {
      const step = this.kind === 'verl' ? await this.readVerl(file) : await this.readTrl(file);
      if (step) imported.push(step);
    }
    if (imported.length) this.options.onImported?.(imported);
    return imported;
  }

  private stepImport(file: StepFile): EngineStepImport {
    let step = this.steps.get(file.file);
    if (!step) this.steps.set(file.file, (step = new EngineStepImport(file, this.options.preset, this.writer)));
    return step;
  }

  /** The complete lines appended since the last poll; a half-written last line waits for the next. */
  private async readVerl(file: StepFile): Promise<ImportedStep | undefined> {
    const step = this.stepImport(file);
    let size: number;
    try {
      size = (await fs.promises.stat(file.file)).size;
    } catch {
      return undefined;
    }
    if (size <= step.bytes + (this.tails.get(file.file) ?? 0) && this.follow) return undefined;
    const read = await step.readVerl({ final: !this.follow });
    this.tails.set(file.file, read.tailBytes);
    return this.report(file, read);
  }

  /**
   * A parquet file is read whole once it has settled. One that fails to parse (caught mid-write,
   * or broken) is tried again with backoff, then reported and left until it changes.
   */
  private async readTrl(file: StepFile): Promise<ImportedStep | undefined> {
    if (this.done.has(file.file)) return undefined;
    const stat = this.settled(file);
    if (!stat) return undefined;
    const version = `${stat.size}:${stat.mtimeMs}`;
    const retry = this.retries.get(file.file);
    // A changed file starts its tries afresh.
    if (retry?.version === version && (retry.gaveUp || Date.now() < retry.next)) return undefined;
    let rows: Record<string, unknown>[];
    try {
      rows = await readTrlStep(file);
    } catch (err) {
      const tries = retry?.version === version ? retry.tries + 1 : 1;
      const gaveUp = !this.follow || tries >= TRL_READ_TRIES;
      this.retries.set(file.file, { version, tries, gaveUp, next: Date.now() + (this.options.retryMs ?? TRL_RETRY_MS) * 2 ** (tries - 1) });
      const why = `${path.basename(file.file)}: cannot be read (${(err as Error).message})`;
      this.options.onNote?.(
        gaveUp ? `${why}; skipped after ${tries} tr${tries === 1 ? 'y' : 'ies'} (it is read again if it changes)` : `${why}; trying again (${tries} of ${TRL_READ_TRIES})`,
      );
      return undefined;
    }
    this.retries.delete(file.file);
    this.done.add(file.file);
    return this.report(file, this.stepImport(file).readRows(rows));
  }

  /** Every skipped row goes to the log, named `file:line`. */
  private report(file: StepFile, read: StepRead): ImportedStep | undefined {
    for (const s of read.skipped) this.options.onNote?.(`${describeProblem(s)}; skipped`);
    if (read.chains === 0 && read.skipped.length === 0) return undefined;
    return { step: file.step, file: file.file, chains: read.chains, skipped: read.skipped.length };
  }

  /** Not modified for `settleMs`: the engine has finished writing it. */
  private settled(file: StepFile): fs.Stats | undefined {
    try {
      const stat = fs.statSync(file.file);
      return stat.size > 0 && Date.now() - stat.mtimeMs >= (this.options.settleMs ?? 1000) ? stat : undefined;
    } catch {
      return undefined;
    }
  }
}
