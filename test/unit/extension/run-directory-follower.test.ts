// The follower reads complete lines only, picks up appends, merges nothing itself (the store does),
// and reports a last line that stays incomplete (a writer killed mid-line) once, as skipped.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunDirectoryFollower, readCompleteLines } from '../../../src/extension/runs/run-directory-follower';
import type { TrainerEvent } from '../../../src/protocol/trainer-messages';

const metricsLine = (step: number) => `${JSON.stringify({ v: 1, type: 'metrics', step, phase: 'rl', values: { reward: step } })}\n`;

describe('RunDirectoryFollower', () => {
  it('reads complete lines, then appends; an incomplete last line waits and is reported once when it stays', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-follow-'));
    const file = path.join(dir, 'events.ndjson');
    fs.writeFileSync(file, metricsLine(0) + metricsLine(1).slice(0, 10));
    const seen: TrainerEvent[] = [];
    const notes: string[] = [];
    const follower = new RunDirectoryFollower(dir, { onEvents: (e) => seen.push(...e), onNote: (n) => notes.push(n), tornAfterMs: 0 });
    await follower.catchUp();
    assert.deepEqual(
      seen.map((e) => (e as { step: number }).step),
      [0],
    );
    await follower.catchUp();
    assert.equal(notes.length, 1);
    assert.match(notes[0]!, /events\.ndjson:2: the last line is incomplete \(10 bytes.*skipped/);
    await follower.catchUp();
    assert.equal(notes.length, 1, 'reported once');
    fs.appendFileSync(file, metricsLine(1).slice(10) + metricsLine(2) + 'not json\n');
    await follower.catchUp();
    assert.deepEqual(
      seen.map((e) => (e as { step: number }).step),
      [0, 1, 2],
    );
    assert.match(notes[1]!, /events\.ndjson:4: not JSON/);
    follower.dispose();
  });

  it('prefers rollouts.jsonl and waits for a folder that has no file yet', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-follow-'));
    const seen: TrainerEvent[] = [];
    const follower = new RunDirectoryFollower(dir, { onEvents: (e) => seen.push(...e), pollMs: 20 });
    await follower.catchUp();
    follower.start();
    fs.writeFileSync(path.join(dir, 'rollouts.jsonl'), metricsLine(5));
    const deadline = Date.now() + 5000;
    while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    follower.dispose();
    assert.equal((seen[0] as { step: number }).step, 5);
  });

  it('readCompleteLines stops at the last newline', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-follow-')), 'x');
    fs.writeFileSync(file, 'a\nb\nc');
    assert.deepEqual(await readCompleteLines(file, 0), { lines: ['a', 'b'], next: 4, tail: 1, size: 5 });
    assert.deepEqual(await readCompleteLines(file, 4), { lines: [], next: 4, tail: 1, size: 5 });
  });
});
