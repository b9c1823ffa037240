// Import Rollouts: a JSONL file of rollouts or chain records becomes a run folder
// (`import-<name>-<stamp>/`, see imported-run.ts) shown in the Runs view and
// opened in the Rollout viewer. The conversion itself is rollout-import.ts.
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import * as vscode from 'vscode';
import type { RewardPresetName } from '../../core/reward';
import { createRunDirectory } from '../runs/run-id';
import { writeImportedRun } from './imported-run';
import { ImportError, RolloutImporter, type ImportResult } from './rollout-import';

export interface ImportArg {
  file?: string;
  /** Size of the positional groups of records without a prompt field (default 1). */
  groupSize?: number;
}

export interface ImportCommandResult {
  runId: string;
  dir: string;
  records: number;
  chains: number;
  skipped: number;
}

const LISTED_SKIPS = 3;

export async function readImportFile(file: string, preset: RewardPresetName, groupSize?: number): Promise<ImportResult> {
  const importer = new RolloutImporter({ file, preset, groupSize });
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const raw of lines) importer.addLine(raw, ++n);
  return importer.finish();
}

export async function importRollouts(
  arg: ImportArg | undefined,
  deps: { runsRoot: () => string; preset: () => RewardPresetName; log: vscode.LogOutputChannel },
): Promise<ImportCommandResult | undefined> {
  let file = arg?.file;
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
  await writeImportedRun(dir, file, result);

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
