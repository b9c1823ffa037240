// The index of a run file's rollouts lines: each step read alone gives exactly the events the one
// run-file reader (readEventLog, the reference) gives for it, whatever the chunk boundaries, with
// partial events, a line of another key order, a bad line, other events and a torn last line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { TrainerEvent } from '../../../src/protocol/trainer-messages';
import { readEventLog } from '../../../src/rundir/event-log-reader';
import { indexRolloutSteps, readIndexedStep } from '../../../src/rundir/rollout-step-index';
import { RUN_FILES } from '../../../src/rundir/run-files';
import { writeMixedRun } from '../../support/mixed-run-file';
import { tempDir } from '../extension/run-fixtures';

function byStep(events: TrainerEvent[]): Map<number, TrainerEvent[]> {
  const out = new Map<number, TrainerEvent[]>();
  for (const e of events) if (e.type === 'rollouts') out.set(e.step, [...(out.get(e.step) ?? []), e]);
  return out;
}

describe('indexRolloutSteps', () => {
  it('reads each step alone as the whole read gives it, at any chunk size; the torn last line is left out', async () => {
    const { file, torn } = writeMixedRun();
    const expected = byStep((await readEventLog(file)).events);
    assert.deepEqual([...expected.keys()], [1, 2, 3, 4, 5], 'the reference: step 7 does not validate, step 6 is torn');
    for (const chunk of [undefined, 5, 64, 1000, 4096]) {
      const index = await indexRolloutSteps(file, {}, chunk);
      assert.equal(index.end, fs.statSync(file).size - torn, `chunk ${chunk}: indexed up to the torn line`);
      assert.deepEqual(
        [...index.lines.keys()].filter((s) => s !== 7),
        [...expected.keys()],
        `chunk ${chunk}`,
      );
      for (const [step, events] of expected) assert.deepEqual(await readIndexedStep(index, step), events, `chunk ${chunk}, step ${step}`);
      assert.deepEqual(await readIndexedStep(index, 7), [], 'a line that does not validate is skipped');
      assert.deepEqual(await readIndexedStep(index, 6), [], 'the torn line is not indexed');
    }
  });

  it('indexes a missing file as empty', async () => {
    const index = await indexRolloutSteps(path.join(tempDir('stepgrpo-index-'), RUN_FILES.events));
    assert.deepEqual([index.end, index.lines.size], [0, 0]);
  });
});
