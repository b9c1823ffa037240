// The pointer to a run's latest complete checkpoint: checkpoints/latest holds a folder's name and
// is written only after that folder is whole, so whatever it names can be loaded. The trainer writes
// it; the trainer, the CLI and the extension (may this run be resumed?) read it here.
import fs from 'node:fs';
import path from 'node:path';

/** The pointer's file name in a run's checkpoints/. */
export const LATEST_CHECKPOINT = 'latest';

/** The checkpoint folder `<checkpointsDir>/latest` names, or null when there is none yet. */
export function latestCheckpointName(checkpointsDir: string): string | null {
  const file = path.join(checkpointsDir, LATEST_CHECKPOINT);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : null;
}

/** The latest complete checkpoint folder of `checkpointsDir`, or null when there is none yet. */
export function latestCheckpointDir(checkpointsDir: string): string | null {
  const name = latestCheckpointName(checkpointsDir);
  return name === null ? null : path.join(checkpointsDir, name);
}

/** Names `name` the latest checkpoint: a temporary file renamed over `latest`, so a kill leaves the old or the new name. */
export function pointLatestAt(checkpointsDir: string, name: string): void {
  const temp = path.join(checkpointsDir, `${LATEST_CHECKPOINT}.tmp`);
  fs.writeFileSync(temp, `${name}\n`);
  fs.renameSync(temp, path.join(checkpointsDir, LATEST_CHECKPOINT));
}
