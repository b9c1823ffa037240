// Imports a verl rollout_data_dir or a TRL output folder into a run directory (DESIGN §4), once or
// following it: each step file becomes one `rollouts` event (rescored with the chosen preset, the
// engine's numbers kept beside ours) and one `metrics` event, appended as the engine writes new
// step files. The Rollout viewer and the Metrics view follow the run directory like any other.
// Free of `vscode`: the command (import-command.ts) wires it up; tests drive it directly.
import fs from 'node:fs';
import path from 'node:path';
import type { RewardPresetName } from '../../core/reward';
import { stepMetrics } from '../../core/step-metrics';
import type { TrainerEvent } from '../../protocol/trainer-messages';
import { RunWriter } from '../../rundir/run-writer';
import { listStepFiles, readTrlStep, readVerlStep, type EngineKind, type StepFile } from './engine-rollouts';
import { RolloutImporter } from './rollout-import';

export interface FolderImportOptions {
  /** The engine's folder (verl rollout_data_dir, TRL output_dir or its completions/). */
  source: string;
  /** A new, empty run folder. */
  runDir: string;
  preset: RewardPresetName;
  kind?: EngineKind;
  /** A step file is read once it has not been modified for this long (the engine may be writing it). */
  settleMs?: number;
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
  private readonly done = new Set<string>();
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
    this.writer.append({ v: 1, type: 'done', status, summary: { imported: this.options.source, steps: this.done.size } });
  }

  private async pollOnce(): Promise<ImportedStep[]> {
    if (this.finished) return [];
    const { files } = await listStepFiles(this.options.source, this.kind);
    const imported: ImportedStep[] = [];
    for (const file of files) {
      if (this.done.has(file.file) || !this.settled(file)) continue;
      const step = await this.importStep(file);
      if (step) imported.push(step);
    }
    if (imported.length) this.options.onImported?.(imported);
    return imported;
  }

  /** Not modified for `settleMs`: the engine has finished writing it. */
  private settled(file: StepFile): boolean {
    try {
      const stat = fs.statSync(file.file);
      return stat.size > 0 && Date.now() - stat.mtimeMs >= (this.options.settleMs ?? 1000);
    } catch {
      return false;
    }
  }

  private async importStep(file: StepFile): Promise<ImportedStep | undefined> {
    const name = path.basename(file.file);
    const importer = new RolloutImporter({ file: file.file, preset: this.options.preset });
    let skippedLines = 0;
    try {
      if (this.kind === 'verl') {
        const { rows, bad } = await readVerlStep(file);
        rows.forEach((row, i) => importer.addRecord(row, i + 1));
        skippedLines = bad.length;
        for (const b of bad.slice(0, 3)) this.options.onNote?.(`${name}:${b.line}: ${b.message}; skipped`);
      } else {
        (await readTrlStep(file)).forEach((row, i) => importer.addRecord(row, i + 1));
      }
    } catch (err) {
      // A parquet file caught mid-write fails to parse: tried again on the next poll.
      this.options.onNote?.(`${name}: cannot read it yet (${(err as Error).message}); trying again`);
      return undefined;
    }
    this.done.add(file.file);
    let result;
    try {
      result = importer.finish();
    } catch (err) {
      this.options.onNote?.((err as Error).message);
      return undefined;
    }
    for (const s of result.skipped.slice(0, 3)) this.options.onNote?.(`${name}: row ${s.line}: ${s.field}: ${s.message}; skipped`);
    const events: TrainerEvent[] = [];
    for (const event of result.events) {
      events.push(event);
      const samples = event.groups.flatMap((g) => g.samples);
      // Token counts stay out: an importer writes 0 where the engine gave none.
      const values = stepMetrics(event.groups.map((g) => ({ samples: g.samples.map((s) => ({ rewards: s.rewards })) })));
      // The engine's own numbers, averaged, beside ours (verl's `score`, TRL's reward columns).
      const engineSums = new Map<string, number[]>();
      for (const s of samples) for (const [k, v] of Object.entries(s.engine ?? {})) engineSums.set(k, [...(engineSums.get(k) ?? []), v]);
      for (const [k, vs] of engineSums) values[`engine/${k}`] = vs.reduce((a, b) => a + b, 0) / vs.length;
      events.push({ v: 1, type: 'metrics', step: event.step, phase: 'rl', values });
    }
    this.writer.append(...events);
    return { step: file.step, file: file.file, chains: result.chains, skipped: result.skipped.length + skippedLines };
  }
}
