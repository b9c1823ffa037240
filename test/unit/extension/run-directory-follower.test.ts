// The follower polls the one run-file reader: it picks up appends, prefers events.ndjson, waits for
// a folder that has no file yet, passes the reader's problems on as notes, and hands a file that
// became shorter to its owner.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { RunDirectoryFollower } from '../../../src/extension/runs/run-directory-follower';
import { encodeLine, type TrainerEvent } from '../../../src/protocol/trainer-messages';
import { ev, tempDir } from './run-fixtures';

const stepsOf = (events: TrainerEvent[]) => events.map((e) => (e as { step?: number }).step);

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('RunDirectoryFollower', () => {
  it('reads the folder, then what is appended; bad and torn lines become notes', async () => {
    const dir = tempDir('stepgrpo-follow-');
    const file = path.join(dir, 'events.ndjson');
    const second = encodeLine(ev.metrics(1, 'rl', { reward: 1 }));
    fs.writeFileSync(file, encodeLine(ev.metrics(0, 'rl', { reward: 0 })) + second.slice(0, 10));
    const seen: TrainerEvent[] = [];
    const notes: string[] = [];
    const follower = new RunDirectoryFollower(dir, { onEvents: (e) => seen.push(...e), onNote: (n) => notes.push(n), tornAfterMs: 0 });
    await follower.catchUp();
    assert.deepEqual(stepsOf(seen), [0]);
    assert.match(notes[0]!, /events\.ndjson:2: the last line is incomplete \(10 bytes.*skipped/);
    fs.appendFileSync(file, second.slice(10) + encodeLine(ev.metrics(2, 'rl', { reward: 2 })) + 'not json\n');
    await follower.catchUp();
    assert.deepEqual(stepsOf(seen), [0, 1, 2]);
    assert.match(notes[1]!, /events\.ndjson:4: not JSON/);
    follower.dispose();
  });

  it('prefers events.ndjson, and waits for a folder that has no file yet', async () => {
    const dir = tempDir('stepgrpo-follow-');
    const seen: TrainerEvent[] = [];
    const follower = new RunDirectoryFollower(dir, { onEvents: (e) => seen.push(...e), pollMs: 20 });
    await follower.catchUp();
    follower.start();
    fs.writeFileSync(path.join(dir, 'rollouts.jsonl'), encodeLine(ev.rollouts(4)));
    fs.writeFileSync(path.join(dir, 'events.ndjson'), encodeLine(ev.hello()) + encodeLine(ev.rollouts(4)));
    await until(() => seen.length === 2, 'the events');
    follower.dispose();
    assert.deepEqual(
      seen.map((e) => e.type),
      ['hello', 'rollouts'],
    );
  });

  it('hands a file that became shorter to its owner and keeps the position read before', async () => {
    const dir = tempDir('stepgrpo-follow-');
    const file = path.join(dir, 'events.ndjson');
    fs.writeFileSync(file, encodeLine(ev.hello()) + encodeLine(ev.rollouts(4)));
    let rewritten = 0;
    const follower = new RunDirectoryFollower(dir, { onEvents: () => undefined, onRewritten: () => rewritten++ });
    await follower.catchUp();
    const read = follower.position();
    fs.writeFileSync(file, encodeLine(ev.hello()));
    await follower.catchUp();
    assert.equal(rewritten, 1);
    assert.deepEqual(follower.position(), read);
  });
});
