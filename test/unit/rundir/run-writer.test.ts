// The one writer of run folders: refuses a folder that holds a run, writes config.json whole,
// appends each event to events.ndjson and its projection, and holds batched appends until flush().
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { encodeLine } from '../../../src/protocol/trainer-messages';
import { readEventLog } from '../../../src/rundir/event-log-reader';
import { RUN_FILES } from '../../../src/rundir/run-files';
import { RunWriter } from '../../../src/rundir/run-writer';
import { ev, runEvents, tempDir } from '../extension/run-fixtures';

const read = (dir: string, name: string): string => fs.readFileSync(path.join(dir, name), 'utf8');

describe('RunWriter', () => {
  it('writes config.json and appends every event to the log and its projection, in the trainer’s encoding', async () => {
    const dir = path.join(tempDir('stepgrpo-writer-'), 'run');
    const writer = RunWriter.create(dir, { rl: { steps: 2 } });
    const events = runEvents();
    writer.append(...events);
    assert.deepEqual(JSON.parse(read(dir, RUN_FILES.config)), { rl: { steps: 2 } });
    assert.equal(read(dir, RUN_FILES.events), events.map(encodeLine).join(''));
    const linesOf = (type: string) => events.flatMap((e) => (e.type === type ? [encodeLine(e)] : [])).join('');
    assert.deepEqual([read(dir, RUN_FILES.metrics), read(dir, RUN_FILES.rollouts)], [linesOf('metrics'), linesOf('rollouts')]);
    assert.deepEqual((await readEventLog(path.join(dir, RUN_FILES.events))).events, events);
  });

  it('refuses a folder that already holds a run, and opens one to append after it', () => {
    const dir = tempDir('stepgrpo-writer-');
    RunWriter.create(dir, {}).append(ev.hello());
    assert.throws(() => RunWriter.create(dir, {}), /already holds a run \(config\.json exists\)/);
    RunWriter.open(dir).append(ev.done('stopped'));
    assert.equal(read(dir, RUN_FILES.events), [ev.hello(), ev.done('stopped')].map(encodeLine).join(''));
    assert.throws(() => RunWriter.open(tempDir('stepgrpo-writer-')), /is not a run directory \(no config\.json\)/);
  });

  it('holds batched appends until flush', () => {
    const dir = tempDir('stepgrpo-writer-');
    const writer = RunWriter.create(dir, {}, { batched: true });
    writer.append(ev.hello(), ev.metrics(1, 'rl', { reward: 1 }));
    assert.equal(fs.existsSync(path.join(dir, RUN_FILES.events)), false, 'nothing written before flush');
    writer.flush();
    assert.equal(read(dir, RUN_FILES.events), [ev.hello(), ev.metrics(1, 'rl', { reward: 1 })].map(encodeLine).join(''));
    assert.equal(read(dir, RUN_FILES.metrics), encodeLine(ev.metrics(1, 'rl', { reward: 1 })));
  });

  it('writes JSON atomically: no temporary file is left, and a failed write leaves the old file whole', () => {
    const dir = tempDir('stepgrpo-writer-');
    const writer = RunWriter.create(dir, { a: 1 });
    assert.deepEqual(fs.readdirSync(dir), [RUN_FILES.config]);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => writer.writeJsonAtomic(RUN_FILES.config, cyclic), /circular/);
    assert.deepEqual(JSON.parse(read(dir, RUN_FILES.config)), { a: 1 });
  });

  it('names the file it could not append to', () => {
    const dir = tempDir('stepgrpo-writer-');
    const writer = RunWriter.create(dir, {});
    fs.mkdirSync(path.join(dir, RUN_FILES.events));
    assert.throws(() => writer.append(ev.hello()), new RegExp(`cannot append to .*${RUN_FILES.events}`));
  });
});
