// A JSONL file of rollouts or chain records read for Import Rollouts (free of vscode): streamed by
// lines through RolloutImporter, by the rule of the run-file reader (rundir/complete-lines.ts).
import fs from 'node:fs/promises';
import type { RewardPresetName } from '../../core/reward';
import { decodeLine, forEachLine, readCompleteLines } from '../../rundir/complete-lines';
import { RolloutImporter, type ImportResult } from './rollout-import';

/** Streams the file by lines; a line that is not valid UTF-8 is skipped and reported, never read with replacements. */
export async function readImportFile(file: string, preset: RewardPresetName, groupSize?: number): Promise<ImportResult> {
  const importer = new RolloutImporter({ file, preset, groupSize });
  let n = 0;
  const add = (bytes: Buffer): void => {
    const decoded = decodeLine(bytes);
    if ('error' in decoded) importer.skipLine(++n, decoded.error);
    else importer.addLine(decoded.text, ++n);
  };
  const handle = await fs.open(file, 'r');
  try {
    await readCompleteLines(handle, 0, (await handle.stat()).size, (block) => forEachLine(block, add), { final: true });
  } finally {
    await handle.close();
  }
  return importer.finish();
}
