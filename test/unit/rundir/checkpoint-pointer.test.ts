// checkpoints/latest: absent before the first checkpoint, then the name last pointed at, written by
// a rename so no temporary file is left and a reader never sees half a name.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { LATEST_CHECKPOINT, latestCheckpointDir, latestCheckpointName, pointLatestAt } from '../../../src/rundir/checkpoint-pointer';
import { tempDir } from '../extension/run-fixtures';

describe('checkpoint pointer', () => {
  it('names nothing before a checkpoint, then the folder last pointed at', () => {
    const dir = tempDir();
    assert.equal(latestCheckpointName(dir), null);
    assert.equal(latestCheckpointDir(dir), null);
    pointLatestAt(dir, 'step-000002');
    pointLatestAt(dir, 'step-000004');
    assert.equal(latestCheckpointName(dir), 'step-000004');
    assert.equal(latestCheckpointDir(dir), path.join(dir, 'step-000004'));
    assert.deepEqual(fs.readdirSync(dir), [LATEST_CHECKPOINT]);
  });

  it('reads a name written by hand with surrounding whitespace', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, LATEST_CHECKPOINT), '  step-000007\n\n');
    assert.equal(latestCheckpointName(dir), 'step-000007');
  });
});
