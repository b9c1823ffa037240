// Import Rollouts: a JSONL file of rollouts or chain records, or a verl / TRL rollout folder (once
// or followed live), becomes a run folder (`import-<name>-<stamp>/`) shown in the Runs view and
// opened in the Rollout viewer. The importers (server/import/, shared with `stepgrpo import`) do
// the work. A followed folder is live in the Runs view with Stop, and shows a notification whose
// Cancel stops following too; a window closed or reloaded while following does not stop it: the
// next window follows it again from its cursor (followed-imports.ts), and says so. Importing a
// folder again can go on in the run an earlier import of it left, without a chain twice.
import path from 'node:path';
import * as vscode from 'vscode';
import type { RewardPresetName } from '../../core/reward';
import { createRunDirectory } from '../runs/run-id';
import { findImportRuns, readFolderImport } from '../../server/import/import-cursor';
import { EngineFolderImport, type FolderImportOptions } from '../../server/import/engine-folder-import';
import type { EngineKind } from '../../server/import/engine-rollouts';
import { writeImportedRun } from '../../server/import/imported-run';
import { readImportFile } from '../../server/import/import-file';
import { ImportError, type ImportResult } from '../../server/import/rollout-import';
import type { FollowedImports } from './followed-imports';

export interface ImportArg {
  file?: string;
  /** Size of the positional groups of records without a prompt field (default 1). */
  groupSize?: number;
  /** A verl rollout_data_dir or a TRL output folder. */
  folder?: string;
  /** Keep importing the step files the engine writes, until stopped (across Reload Window). */
  follow?: boolean;
  /** For a folder with no step file yet. */
  kind?: EngineKind;
  /** A run folder an earlier import of `folder` left: go on in it from where that import stopped. */
  runDir?: string;
}

export interface ImportCommandResult {
  runId: string;
  dir: string;
  records: number;
  chains: number;
  skipped: number;
  following?: boolean;
}

export interface ImportDeps {
  runsRoot: () => string;
  preset: () => RewardPresetName;
  log: vscode.LogOutputChannel;
  /** The folders this workspace follows (the window owns it: closing it detaches them). */
  follows: FollowedImports;
  /** A followed folder gave new steps: the run list should be read again. */
  runsChanged: () => void;
}

const LISTED_SKIPS = 3;

export async function importRollouts(arg: ImportArg | undefined, deps: ImportDeps): Promise<ImportCommandResult | undefined> {
  let file = arg?.file;
  if (!file && !arg?.folder) {
    const what = await vscode.window.showQuickPick(
      [
        { label: '$(file) A JSONL file', detail: 'rollouts.jsonl, events.ndjson, `stepgrpo score` records, a verl dump file', id: 'file' },
        { label: '$(folder) A verl or TRL folder', detail: "verl's trainer.rollout_data_dir ({step}.jsonl) or TRL's output_dir (completions/*.parquet)", id: 'folder' },
        { label: '$(eye) Follow a verl or TRL folder live', detail: 'import the step files there now, and each new one as the engine writes it', id: 'follow' },
      ],
      { title: 'Import Rollouts' },
    );
    if (!what) return undefined;
    if (what.id !== 'file') {
      const picked = await vscode.window.showOpenDialog({
        title: 'Import Rollouts',
        canSelectFiles: false,
        canSelectFolders: true,
        canSelectMany: false,
        openLabel: what.id === 'follow' ? 'Follow' : 'Import',
      });
      if (!picked?.[0]) return undefined;
      const folder = picked[0].fsPath;
      const earlier = findImportRuns(deps.runsRoot(), folder).at(-1);
      let runDir: string | undefined;
      if (earlier) {
        const choice = await vscode.window.showQuickPick(
          [
            { label: `$(debug-continue) Go on in ${path.basename(earlier)}`, detail: 'import only what that import has not read yet', dir: earlier },
            { label: '$(new-folder) A new run', detail: 'import the folder again from the start', dir: undefined },
          ],
          { title: `Import Rollouts: ${path.basename(folder)} was imported before` },
        );
        if (!choice) return undefined;
        runDir = choice.dir;
      }
      return importFolder({ folder, follow: what.id === 'follow', ...(runDir ? { runDir } : {}) }, deps);
    }
  }
  if (!file && arg?.folder) return importFolder(arg, deps);
  if (!file) {
    const picked = await vscode.window.showOpenDialog({
      title: 'Import Rollouts',
      canSelectMany: false,
      filters: { 'Rollouts (JSONL)': ['jsonl', 'ndjson'] },
      openLabel: 'Import',
    });
    if (!picked?.[0]) return undefined;
    file = picked[0].fsPath;
  }
  file = path.resolve(file);
  let result: ImportResult;
  try {
    result = await readImportFile(file, deps.preset(), arg?.groupSize);
  } catch (err) {
    const message = err instanceof ImportError ? err.message : `StepGRPO: cannot import ${file}: ${(err as Error).message}`;
    deps.log.error(message);
    void vscode.window.showErrorMessage(message);
    return undefined;
  }

  const { id, dir } = createRunDirectory(deps.runsRoot(), `import-${path.basename(file, path.extname(file))}`, new Date());
  writeImportedRun(dir, file, result);

  const name = path.basename(file);
  deps.log.info(`Imported ${result.chains} chains (${result.records} records, ${result.events.length} step(s)) from ${file} into ${dir}`);
  for (const s of result.skipped) deps.log.warn(`${name}:${s.line}: ${s.field}: ${s.message}`);
  if (result.skipped.length > 0) {
    const listed = result.skipped
      .slice(0, LISTED_SKIPS)
      .map((s) => `line ${s.line} (${s.field})`)
      .join(', ');
    const more = result.skipped.length > LISTED_SKIPS ? ` and ${result.skipped.length - LISTED_SKIPS} more` : '';
    void vscode.window.showWarningMessage(
      `StepGRPO: imported ${result.chains} chains from ${name}; skipped ${result.skipped.length} bad line(s): ${listed}${more}. See the StepGRPO log.`,
    );
  }
  await vscode.commands.executeCommand('stepgrpo.openRolloutViewer', { runDir: dir });
  return { runId: id, dir, records: result.records, chains: result.chains, skipped: result.skipped.length };
}

async function importFolder(arg: ImportArg, deps: ImportDeps): Promise<ImportCommandResult | undefined> {
  const folder = path.resolve(arg.folder!);
  const follow = arg.follow === true;
  const { id, dir } = arg.runDir
    ? { id: path.basename(arg.runDir), dir: path.resolve(arg.runDir) }
    : createRunDirectory(deps.runsRoot(), `import-${path.basename(folder)}`, new Date());
  let run: EngineFolderImport;
  try {
    run = await EngineFolderImport.create({ ...folderImportOptions(folder, dir, deps), preset: deps.preset(), ...(arg.kind ? { kind: arg.kind } : {}) }, follow);
  } catch (err) {
    const message = (err as Error).message;
    deps.log.error(message);
    void vscode.window.showErrorMessage(message);
    return undefined;
  }
  const steps = await run.poll();
  const chains = steps.reduce((n, s) => n + s.chains, 0);
  const skipped = steps.reduce((n, s) => n + s.skipped, 0);
  const resumed = run.resumed ? ` (going on from ${run.resumed} step file(s) imported before)` : '';
  deps.log.info(`Imported ${chains} chains (${steps.length} step file(s), ${run.kind}) from ${folder} into ${dir}${resumed}${follow ? '; following it for new step files' : ''}`);
  if (follow) await followWithNotification(run, folder, deps, `StepGRPO: following ${path.basename(folder)}`);
  else await run.finish('completed');
  if (skipped > 0) void vscode.window.showWarningMessage(`StepGRPO: imported ${chains} chains from ${folder}; skipped ${skipped} bad row(s). See the StepGRPO log.`);
  // Said where the run is opened: the viewer would otherwise suggest every step and sample is there.
  if (run.coverage) void vscode.window.showInformationMessage(`StepGRPO: ${path.basename(folder)}: ${run.coverage}.`);
  await vscode.commands.executeCommand('stepgrpo.openRolloutViewer', { runDir: dir });
  return { runId: id, dir, records: chains, chains, skipped, following: follow };
}

function folderImportOptions(folder: string, runDir: string, deps: ImportDeps): Pick<FolderImportOptions, 'source' | 'runDir' | 'onImported' | 'onNote'> {
  const id = path.basename(runDir);
  return { source: folder, runDir, onImported: () => deps.runsChanged(), onNote: (note) => deps.log.warn(`[${id}] ${note}`) };
}

/**
 * Follows again what this workspace followed when its last window closed (on activation), each
 * from its cursor, with its notification; one that cannot go on is said, with a button to retry.
 */
export async function resumeFollowing(deps: ImportDeps): Promise<void> {
  const outcomes = await deps.follows.resumeSaved(async ({ folder, runDir }) => {
    const preset = readFolderImport(runDir)?.preset ?? deps.preset();
    return EngineFolderImport.create({ ...folderImportOptions(folder, runDir, deps), preset }, true);
  });
  for (const outcome of outcomes) {
    const name = path.basename(outcome.folder);
    if ('run' in outcome) {
      deps.log.info(`Following ${outcome.folder} into ${outcome.runDir} again (the window closed while following it)`);
      await followWithNotification(outcome.run, outcome.folder, deps, `StepGRPO: following ${name} again after the window reloaded`);
      continue;
    }
    const message = `StepGRPO: following ${name} ended when the window closed and could not go on: ${outcome.error}`;
    deps.log.error(message);
    const resume = 'Resume Following';
    void vscode.window.showWarningMessage(message, resume).then((choice) => {
      if (choice === resume) void vscode.commands.executeCommand('stepgrpo.importRollouts', { folder: outcome.folder, runDir: outcome.runDir, follow: true } satisfies ImportArg);
    });
  }
}

/**
 * While following: live in the Runs view with Stop, and a notification counting the chains
 * imported, whose Cancel stops following too. It closes however following ends.
 */
async function followWithNotification(run: EngineFolderImport, folder: string, deps: ImportDeps, title: string): Promise<void> {
  await deps.follows.follow(run, folder);
  void vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    (progress, token) =>
      new Promise<void>((resolve) => {
        const cancel = token.onCancellationRequested(() => void deps.follows.stop(run.runDir));
        const timer = setInterval(() => {
          if (!run.isFinished) {
            progress.report({ message: `${run.totals.chains} chains imported; Cancel stops following` });
            return;
          }
          clearInterval(timer);
          cancel.dispose();
          resolve();
        }, 1000);
      }),
  );
}
