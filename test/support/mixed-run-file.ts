// A run file with every kind of line a reader of rollouts lines must tell apart: whole steps,
// partial events of one step (a recording's) around another event, a line of another tool's key
// order, a line that does not validate, an empty line, and a torn last line.
import fs from 'node:fs';
import path from 'node:path';
import { encodeLine, type TrainerEvent } from '../../src/protocol/trainer-messages';
import { RUN_FILES } from '../../src/rundir/run-files';
import { ev, tempDir } from '../unit/extension/run-fixtures';
import { fixtureGroup, fixtureRollouts, writeRecurringRun } from './rollout-fixtures';

/** A run file with every kind of line the index must tell apart; its torn last line's length. */
export function writeMixedRun(): { dir: string; file: string; torn: number } {
  const dir = path.join(tempDir('stepgrpo-index-'), 'run');
  writeRecurringRun(dir, [1, 2, 3], 2, () => ['correct', 'wrong-answer']);
  const file = path.join(dir, RUN_FILES.events);
  const partial = (step: number, index: number): TrainerEvent => ({ v: 1, type: 'rollouts', step, groups: [fixtureGroup(index)], partial: true });
  const { v, type, step, groups } = fixtureRollouts(5, 1) as Extract<TrainerEvent, { type: 'rollouts' }>;
  const tornLine = encodeLine(fixtureRollouts(6, 1)).slice(0, 200);
  fs.appendFileSync(
    file,
    [
      encodeLine(partial(4, 0)),
      encodeLine(ev.metrics(4, 'rl', { reward: 1 })),
      encodeLine(partial(4, 1)),
      // Another tool's key order: found by parsing the line.
      `${JSON.stringify({ groups, step, type, v })}\n`,
      '{"v":1,"type":"rollouts","step":7,"groups":"not a list"}\n',
      '\n',
      encodeLine(partial(4, 0)),
      tornLine,
    ].join(''),
  );
  return { dir, file, torn: tornLine.length };
}
