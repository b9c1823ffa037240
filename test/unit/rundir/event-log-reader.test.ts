// The one reader of run files: complete lines only, validated, from a byte offset; the torn-line
// rule (an incomplete last line waits, and is reported once when it stays); a shrunk file is
// reported and read again; bad lines come back as `{path: 'events.ndjson:LINE', message}`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { encodeLine } from '../../../src/protocol/trainer-messages';
import { EventLogReader, readEventLog } from '../../../src/rundir/event-log-reader';
import { readLastHello, readLastLine, readTailEvents } from '../../../src/rundir/event-log-tail';
import { ev, runEvents, tempDir } from '../extension/run-fixtures';

const eventsFile = (text: string): string => {
  const file = path.join(tempDir('stepgrpo-rundir-'), 'events.ndjson');
  fs.writeFileSync(file, text);
  return file;
};
const steps = (events: { type: string }[]) => events.map((e) => (e as { step?: number }).step);

describe('EventLogReader', () => {
  it('returns complete lines, then only what was appended', async () => {
    const file = eventsFile(encodeLine(ev.metrics(1, 'rl', { reward: 1 })));
    const reader = new EventLogReader(file);
    assert.deepEqual(steps((await reader.read()).events), [1]);
    assert.deepEqual((await reader.read()).events, []);
    fs.appendFileSync(file, encodeLine(ev.metrics(2, 'rl', { reward: 2 })));
    const next = await reader.read();
    assert.deepEqual(steps(next.events), [2]);
    assert.equal(reader.bytes, fs.statSync(file).size);
  });

  it('leaves an incomplete last line for the next read and reports it once when it stays', async () => {
    const line = encodeLine(ev.metrics(2, 'rl', { reward: 2 }));
    const file = eventsFile(encodeLine(ev.metrics(1, 'rl', { reward: 1 })) + line.slice(0, 10));
    let now = 0;
    const reader = new EventLogReader(file, { tornAfterMs: 1000, now: () => now });
    const first = await reader.read();
    assert.deepEqual([steps(first.events), first.problems], [[1], []], 'a writer may be mid-line: not reported yet');
    now = 1000;
    assert.deepEqual((await reader.read()).problems, [
      { path: 'events.ndjson:2', message: 'the last line is incomplete (10 bytes, cut off by a process that was killed while writing it); skipped' },
    ]);
    assert.deepEqual((await reader.read()).problems, [], 'reported once');
    fs.appendFileSync(file, line.slice(10));
    const finished = await reader.read();
    assert.deepEqual([steps(finished.events), finished.problems], [[2], []]);
  });

  it('reports an invalid line with its file and line number and goes on', async () => {
    const file = eventsFile(
      ['not json\n', encodeLine(ev.metrics(1, 'rl', { reward: 1 })), '{"v":1,"type":"metrics","step":-1,"phase":"rl","values":{}}\n', '{"v":1,"type":"future"}\n'].join(''),
    );
    const read = await new EventLogReader(file).read();
    assert.deepEqual(steps(read.events), [1]);
    assert.equal(read.problems.length, 2, 'an unknown type is some other tool’s event, not a problem');
    assert.equal(read.problems[0]!.path, 'events.ndjson:1');
    assert.match(read.problems[0]!.message, /^not JSON/);
    assert.deepEqual(read.problems[1], { path: 'events.ndjson:3', message: 'step: expected an integer ≥ 0, got -1' });
  });

  it('checks steps against the run through the context', async () => {
    const file = eventsFile(encodeLine(ev.metrics(999, 'rl', { reward: 1 })));
    const read = await new EventLogReader(file, { context: () => ({ maxStep: 5 }) }).read();
    assert.deepEqual(read.events, []);
    assert.match(read.problems[0]!.message, /expected a step ≤ 5/);
  });

  it('reports a file that became shorter and reads it again from the start', async () => {
    const file = eventsFile(runEvents().map(encodeLine).join(''));
    const reader = new EventLogReader(file);
    await reader.read();
    fs.writeFileSync(file, encodeLine(ev.hello(7)));
    const read = await reader.read();
    assert.equal(read.restarted, true);
    assert.deepEqual(read.events, [ev.hello(7)]);
    assert.equal(read.problems[0]!.path, 'events.ndjson');
    assert.match(read.problems[0]!.message, /became shorter/);
  });

  it('reads a missing file as empty, and a one-shot read reports a torn line at once', async () => {
    const dir = tempDir('stepgrpo-rundir-');
    assert.deepEqual(await new EventLogReader(path.join(dir, 'events.ndjson')).read(), { events: [], problems: [], restarted: false });
    const file = eventsFile(encodeLine(ev.hello()) + '{"v":1,');
    const read = await readEventLog(file);
    assert.deepEqual([read.events.length, read.problems.map((p) => p.path)], [1, ['events.ndjson:2']]);
  });

  it('keeps a multi-byte character cut between two reads intact', async () => {
    const bytes = Buffer.from(encodeLine(ev.metrics(1, 'eval', { 'eval/ré': 1 })));
    const cut = bytes.indexOf(Buffer.from('é')) + 1;
    const file = eventsFile('');
    fs.writeFileSync(file, bytes.subarray(0, cut));
    const reader = new EventLogReader(file);
    assert.deepEqual((await reader.read()).events, []);
    fs.appendFileSync(file, bytes.subarray(cut));
    assert.deepEqual((await reader.read()).events, [ev.metrics(1, 'eval', { 'eval/ré': 1 })]);
  });

  it('reads lines that cross its read chunks', async () => {
    const events = runEvents({ rl: 40, rolloutPadding: 300_000 });
    const file = eventsFile(events.map(encodeLine).join(''));
    assert.deepEqual((await readEventLog(file)).events, events);
  });
});

describe('the tail of a run file', () => {
  it('finds the latest progress without the rollouts before it', async () => {
    const events = runEvents({ rl: 30, rolloutPadding: 8000, end: 'stopped' });
    const file = eventsFile(events.map(encodeLine).join('') + '{"v":1,"ty');
    const tail = await readTailEvents(file, { tailBytes: 4096 });
    assert.equal(tail.wholeFile, false);
    assert.deepEqual(tail.events.at(-1), events.at(-1));
    assert.ok(tail.events.every((e) => e.type !== 'rollouts'));
  });

  it('finds the last hello, then only searches what is appended', async () => {
    const file = eventsFile(runEvents({ rl: 30, rolloutPadding: 8000, end: 'stopped', pid: 1 }).map(encodeLine).join(''));
    assert.deepEqual(await readLastHello(file), ev.hello(1));
    fs.appendFileSync(file, encodeLine(ev.hello(2)) + encodeLine(ev.rollouts(31, 8000)) + encodeLine(ev.hello(3)).slice(0, 30));
    assert.deepEqual(await readLastHello(file), ev.hello(2), 'a torn hello is not one yet');
    fs.appendFileSync(file, encodeLine(ev.hello(3)).slice(30));
    assert.deepEqual(await readLastHello(file), ev.hello(3));
    fs.writeFileSync(file, '{}\n' + encodeLine(ev.hello(4)));
    assert.deepEqual(await readLastHello(file), ev.hello(4), 'a rewritten file is searched again');
  });

  it('reads the last line of a text file', async () => {
    assert.equal(await readLastLine(eventsFile('loading\nError: bad config\n\n')), 'Error: bad config');
  });
});
