// Imports a verl rollout_data_dir or a TRL output folder into a run directory (DESIGN §4), once or
// following it: each step file becomes `rollouts` events (rescored with the chosen preset, the
// engine's numbers kept beside ours) and a `metrics` event, appended as the engine writes new step
// files. The Rollout viewer and the Metrics view follow the run directory like any other. How far
// each file was read is kept in the run directory (import-cursor.ts): importing the same source
// into the same run again goes on from there. Free of `vscode`: Import Rollouts
// (extension/import/import-command.ts) and `stepgrpo import` (cli/commands/import.ts) drive it.
import fs from 'node:fs';
import path from 'node:path';
import type { RewardPresetName } from '../../core/reward';
import { describeProblem } from '../../rundir/event-log-reader';
import { RUN_FILES } from '../../rundir/run-files';
import { RunWriter } from '../../rundir/run-writer';
import { coverageNote, listStepFiles, readTrlStep, trlRewardStep, type EngineKind, type StepFile } from './engine-rollouts';
import { EngineStepImport, type StepRead } from './engine-step-import';
import { readFolderImport, readImportCursor, type FileCursor, type ImportCursor } from './import-cursor';

/** Tries of a TRL file that fails to parse, the first retry after TRL_RETRY_MS, doubling. */
export const TRL_READ_TRIES = 5;
const TRL_RETRY_MS = 1000;

export interface FolderImportOptions {
  /** The engine's folder (verl rollout_data_dir, TRL output_dir or its completions/). */
  source: string;
  /** A new run folder, or one an import of the same source left (it goes on from its cursor). */
  runDir: string;
  preset: RewardPresetName;
  kind?: EngineKind;
  /** Following, a TRL step file is read once it has not been modified for this long (the engine may be writing it). */
  settleMs?: number;
  /** Wait before the first retry of a TRL file that fails to parse (doubled each try). */
  retryMs?: number;
  /** Problems worth telling the user (bad lines, unreadable files), each naming the file. */
  onNote?: (note: string) => void;
  /** Step files imported by a poll (follow mode: the run list should be read again). */
  onImported?: (steps: ImportedStep[]) => void;
}

export interface ImportedStep {
  /** The step its chains were filed under (a TRL file's step less one). */
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
  private coverageText: string | undefined;
  /** Chains and skipped rows imported by this process. */
  readonly totals = { chains: 0, skipped: 0 };

  private constructor(
    private readonly options: FolderImportOptions,
    private readonly writer: RunWriter,
    readonly kind: EngineKind,
    readonly follow: boolean,
    private readonly config: { imported: Record<string, unknown> },
    /** Step files an earlier import of this run had read, in part or whole. */
    readonly resumed: number,
  ) {
    this.coverageText = typeof config.imported.coverage === 'string' ? config.imported.coverage : undefined;
  }

  /**
   * Checks the folder and takes the run folder's lock until finish(). A new run gets config.json;
   * one with a cursor from an import of the same source goes on from it. Following, `hello` is
   * written (the run shows as running).
   */
  static async create(options: FolderImportOptions, follow: boolean): Promise<EngineFolderImport> {
    const source = path.resolve(options.source);
    if (!fs.existsSync(source) || !fs.statSync(source).isDirectory()) throw new Error(`StepGRPO: not a folder: ${source}`);
    // A followed run that imported no step file yet has config.json and no cursor: it goes on from nothing read.
    const started = readFolderImport(options.runDir);
    const cursor = readImportCursor(path.resolve(options.runDir)) ?? (started && { v: 1, source: started.source, kind: started.kind, files: {} });
    const { kind } = await listStepFiles(source, cursor?.kind ?? options.kind);
    const resolved = cursor?.kind ?? kind ?? options.kind;
    if (!resolved) {
      throw new Error(
        `StepGRPO: ${source} holds no step files yet: expected verl's {step}.jsonl (trainer.rollout_data_dir) or TRL's completions/completions_NNNNN.parquet (log_completions=True)` +
          (follow ? '; to follow a run that has not written one yet, pick the kind (verl or TRL)' : ''),
      );
    }
    if (cursor && cursor.source !== source) throw new Error(`StepGRPO: ${options.runDir} holds an import of ${cursor.source}, not of ${source}; pick another folder`);
    let run: EngineFolderImport;
    if (cursor) {
      const writer = RunWriter.open(options.runDir, { lock: true });
      const config = JSON.parse(fs.readFileSync(path.join(writer.root, RUN_FILES.config), 'utf8')) as { imported: Record<string, unknown> };
      run = new EngineFolderImport({ ...options, source }, writer, resolved, follow, config, Object.keys(cursor.files).length);
      await run.restore(cursor);
    } else {
      const config = { imported: { from: source, kind: resolved, preset: options.preset, follow } };
      run = new EngineFolderImport({ ...options, source }, RunWriter.create(options.runDir, config, { lock: true }), resolved, follow, config, 0);
    }
    if (follow) run.writer.append({ v: 1, type: 'hello', pid: process.pid, version: 'import', device: { ep: `follow-${resolved}`, threads: 0 }, config: { from: source } });
    return run;
  }

  get runDir(): string {
    return this.options.runDir;
  }

  /** finish() was called: following has stopped. */
  get isFinished(): boolean {
    return this.finished;
  }

  /** What part of the engine's rollouts the source holds, when not all of them (also in config.json `imported.coverage`). */
  get coverage(): string | undefined {
    return this.coverageText;
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
    if (!(await this.end())) return;
    for (const [file, bytes] of this.tails) {
      if (bytes > 0) this.options.onNote?.(`${path.basename(file)}: the last line is incomplete (${bytes} bytes, no newline after it); skipped`);
    }
    this.writer.append({ v: 1, type: 'done', status, summary: { imported: this.options.source, steps: new Set([...this.steps.keys(), ...this.done]).size } });
    this.writer.close();
  }

  /**
   * Stops following without `done` (the window that followed is closing): the run reads as
   * interrupted, and following it again goes on from the cursor, written after the last poll.
   */
  async detach(): Promise<void> {
    if (await this.end()) this.writer.close();
  }

  /** Stops polling once the poll in flight is over; false when already ended. */
  private async end(): Promise<boolean> {
    if (this.finished) return false;
    this.finished = true;
    if (this.timer) clearInterval(this.timer);
    await this.polling;
    return true;
  }

  private async pollOnce(): Promise<ImportedStep[]> {
    if (this.finished) return [];
    const { files } = await listStepFiles(this.options.source, this.kind);
    this.noteCoverage(files);
    const imported: ImportedStep[] = [];
    for (const file of files) {
      const step = this.kind === 'verl' ? await this.readVerl(file) : await this.readTrl(file);
      if (step) imported.push(step);
    }
    if (imported.length) {
      // After the events: a cursor never runs ahead of what the run holds.
      this.writer.writeJsonAtomic(RUN_FILES.importCursor, this.cursor());
      this.options.onImported?.(imported);
    }
    return imported;
  }

  private cursor(): ImportCursor {
    const files: Record<string, FileCursor> = {};
    for (const [file, step] of this.steps) if (this.kind === 'verl') files[path.basename(file)] = { bytes: step.bytes, lines: step.lines };
    // After the verl entries: a file left alone as shorter stays left alone.
    for (const file of this.done) files[path.basename(file)] = { whole: true };
    return { v: 1, source: this.options.source, kind: this.kind, files };
  }

  /** Files an earlier import read: TRL files are done, verl files are read again up to where it stopped (their groups and metrics rebuilt). */
  private async restore(cursor: ImportCursor): Promise<void> {
    const { files } = await listStepFiles(this.options.source, this.kind);
    const byName = new Map(files.map((f) => [path.basename(f.file), f]));
    for (const [name, at] of Object.entries(cursor.files)) {
      const file = byName.get(name);
      if (!file) {
        this.options.onNote?.(`${name}: imported before, no longer in ${this.options.source}`);
        continue;
      }
      if ('whole' in at) this.done.add(file.file);
      else if (fs.statSync(file.file).size < at.bytes) {
        this.options.onNote?.(`${name}: shorter than when it was imported (${at.bytes} bytes); not read again`);
        this.done.add(file.file);
      } else await this.stepImport(file).restore(at.bytes, at.lines);
    }
  }

  /** Says in config.json (and `coverage`) when the source holds only some steps or batches. */
  private noteCoverage(files: StepFile[]): void {
    const note = coverageNote(
      this.kind,
      files.map((f) => f.step),
    );
    if (note === undefined || note === this.coverageText) return;
    this.coverageText = note;
    this.config.imported.coverage = note;
    this.writer.writeJsonAtomic(RUN_FILES.config, this.config);
  }

  private stepImport(file: StepFile): EngineStepImport {
    let step = this.steps.get(file.file);
    if (!step) this.steps.set(file.file, (step = new EngineStepImport(file, this.options.preset, this.writer)));
    return step;
  }

  /** The complete lines appended since the last poll; a half-written last line waits for the next. */
  private async readVerl(file: StepFile): Promise<ImportedStep | undefined> {
    if (this.done.has(file.file)) return undefined;
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
    this.totals.chains += read.chains;
    this.totals.skipped += read.skipped.length;
    return { step: this.kind === 'trl' ? trlRewardStep(file.step) : file.step, file: file.file, chains: read.chains, skipped: read.skipped.length };
  }

  /** Not modified for `settleMs`: the engine has finished writing it. */
  private settled(file: StepFile): fs.Stats | undefined {
    try {
      const stat = fs.statSync(file.file);
      // Importing once, nothing is still being written: every file counts as settled.
      const settleMs = this.follow ? (this.options.settleMs ?? 1000) : 0;
      return stat.size > 0 && Date.now() - stat.mtimeMs >= settleMs ? stat : undefined;
    } catch {
      return undefined;
    }
  }
}
