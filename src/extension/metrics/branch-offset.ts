// A branch (Restart from Checkpoint) starts its own step count at 1, but it goes on from its parent's
// checkpoint: the Metrics view plots it from the parent's step, so a branch overlaid on its parent
// lines up. The branch's config names the checkpoint (`initFrom: <parent>/checkpoints/step-000040`).
import fs from 'node:fs';
import path from 'node:path';
import { RUN_FILES } from '../../rundir/run-files';

/** The parent's step a branch starts from (0 for a run that is no branch, e.g. one from the shipped SFT checkpoint). */
export function branchStepOffset(config: unknown): number {
  const initFrom = typeof config === 'object' && config !== null ? (config as { initFrom?: unknown }).initFrom : undefined;
  if (typeof initFrom !== 'string') return 0;
  const step = /[\\/]checkpoints[\\/]step-(\d+)[\\/]?$/.exec(initFrom)?.[1];
  return step === undefined ? 0 : Number(step);
}

/** The offset of the run in `dir`, from its config.json (0 when the file is missing or unreadable). */
export function readBranchStepOffset(dir: string): number {
  try {
    return branchStepOffset(JSON.parse(fs.readFileSync(path.join(dir, RUN_FILES.config), 'utf8')));
  } catch {
    return 0;
  }
}
