// Importers under the faults of issue 19: a verl step file far larger than a batch (bounded
// rollouts events, groups scattered by verl's balance_batch still get whole-group advantages), a
// file the engine is still writing (complete lines only, read again as it grows), a TRL file that
// does not parse (bounded retries, then reported), invalid UTF-8 (the row is refused, named
// file:line), and every skipped row reported.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { groupAdvantages } from '../../../../src/core/grpo';
import { EngineFolderImport, TRL_READ_TRIES } from '../../../../src/server/import/engine-folder-import';
import { BATCH_BYTES } from '../../../../src/server/import/engine-step-import';
import { readImportFile } from '../../../../src/server/import/import-file';
import { readRolloutStore } from '../../../support/rollout-fixtures';
import { verlDumpRow, writeTrlStep, writeVerlDump } from '../../../support/engine-folders';

const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `stepgrpo-${name}-`));

async function importer(source: string, follow: boolean, options: { kind?: 'verl' | 'trl'; retryMs?: number } = {}) {
  const notes: string[] = [];
  const runDir = tmp('run');
  const run = await EngineFolderImport.create({ source, runDir, preset: 'stepgrpo', settleMs: 0, onNote: (n) => notes.push(n), ...options }, follow);
  return { run, runDir, notes };
}

const chainsIn = (steps: { chains: number }[]) => steps.reduce((n, s) => n + s.chains, 0);

/** Polls until `done()` holds, at most `tries` times. */
async function pollUntil(run: EngineFolderImport, done: () => boolean, tries = 500): Promise<void> {
  for (let i = 0; i < tries && !done(); i++) {
    await run.poll();
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('engine folder import: faults', () => {
  it('a verl step file larger than a batch: bounded rollouts lines, every chain once, whole-group advantages', async () => {
    const source = tmp('verl-big');
    const rows = 12_000;
    const bytes = writeVerlDump(path.join(source, '1.jsonl'), rows, { groupSize: 8 });
    assert.ok(bytes > BATCH_BYTES, 'the file needs more than one batch');
    const { run, runDir, notes } = await importer(source, false);
    assert.equal(chainsIn(await run.poll()), rows);
    await run.finish();
    assert.deepEqual(notes, []);
    const lines = fs.readFileSync(path.join(runDir, 'rollouts.jsonl'), 'utf8').split('\n').filter(Boolean);
    assert.ok(lines.length > 1);
    for (const line of lines) assert.ok(Buffer.byteLength(line) < 2 * BATCH_BYTES, `a rollouts line of ${Buffer.byteLength(line)} bytes`);
    const { store } = await readRolloutStore(runDir);
    const groups = store.groups(1);
    assert.equal(groups.length, rows / 8);
    for (const g of groups) {
      assert.equal(g.samples.length, 8, g.promptId);
      const totals = g.samples.map((s) => s.rewards.total);
      assert.deepEqual(
        g.samples.map((s) => s.advantage),
        groupAdvantages(totals, totals.length),
      );
    }
  });

  it('follow: a file written with a pause is read by complete lines and again when it grows', async () => {
    const source = tmp('verl-pause');
    const file = path.join(source, '3.jsonl');
    const lines = Array.from({ length: 12 }, (_, i) => verlDumpRow(3, Math.floor(i / 4), i % 4));
    const text = `${lines.join('\n')}\n`;
    const cut = text.indexOf('\n', text.length / 2) + 20; // mid-line
    fs.writeFileSync(file, text.slice(0, cut));
    const { run, runDir, notes } = await importer(source, true);
    const first = chainsIn(await run.poll());
    assert.equal(first, text.slice(0, cut).split('\n').length - 1, 'the complete lines only');
    fs.appendFileSync(file, text.slice(cut));
    assert.equal(chainsIn(await run.poll()), lines.length - first, 'the rest, once the file grew');
    assert.deepEqual(await run.poll(), []);
    await run.finish('stopped');
    assert.deepEqual(notes, [], 'the half-written line was not a bad row');
    const { store } = await readRolloutStore(runDir);
    assert.equal(store.chainCount(3), lines.length);
    assert.deepEqual(
      store.groups(3).map((g) => g.samples.length),
      [4, 4, 4],
    );
  });

  it('follow: a line left incomplete is reported when following ends', async () => {
    const source = tmp('verl-torn');
    fs.writeFileSync(path.join(source, '1.jsonl'), `${verlDumpRow(1, 0, 0)}\n{"input": "cut`);
    const { run, notes } = await importer(source, true);
    assert.equal(chainsIn(await run.poll()), 1);
    assert.deepEqual(notes, []);
    await run.finish('stopped');
    assert.deepEqual(notes, ['1.jsonl: the last line is incomplete (14 bytes, no newline after it); skipped']);
  });

  it('follow: a TRL file that does not parse is tried a bounded number of times, reported, and read once it changes', async () => {
    const source = tmp('trl-broken');
    const file = path.join(source, 'completions', 'completions_00002.parquet');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'not a parquet file');
    const { run, notes } = await importer(source, true, { kind: 'trl', retryMs: 1 });
    await pollUntil(run, () => notes.some((n) => n.includes('skipped after')));
    for (let i = 0; i < 20; i++) await run.poll();
    assert.equal(notes.length, TRL_READ_TRIES, notes.join('\n'));
    assert.match(notes.at(-1)!, new RegExp(`^completions_00002\\.parquet: cannot be read \\(.+\\); skipped after ${TRL_READ_TRIES} tries`));
    writeTrlStep(source, 2);
    fs.utimesSync(file, new Date(), new Date(Date.now() - 5000));
    const steps = await run.poll();
    assert.deepEqual(
      steps.map((s) => [s.step, s.chains]),
      [[1, 8]],
      'filed under the step the rewards were computed at',
    );
    await run.finish('stopped');
  });

  it('once: a TRL file that does not parse is reported at once, not dropped silently', async () => {
    const source = tmp('trl-broken-once');
    writeTrlStep(source, 1);
    fs.writeFileSync(path.join(source, 'completions', 'completions_00002.parquet'), 'PAR1 cut');
    const { run, notes } = await importer(source, false);
    assert.deepEqual(
      (await run.poll()).map((s) => s.step),
      [0],
    );
    await run.finish();
    assert.equal(notes.length, 1);
    assert.match(notes[0]!, /^completions_00002\.parquet: cannot be read \(.+\); skipped after 1 try/);
  });

  it('invalid UTF-8 refuses its row, named file:line; every skipped row is reported', async () => {
    const source = tmp('verl-utf8');
    const good = verlDumpRow(4, 0, 0);
    const bad = Buffer.from(verlDumpRow(4, 0, 1));
    bad[bad.indexOf('apples')] = 0xff;
    fs.writeFileSync(path.join(source, '4.jsonl'), Buffer.concat([Buffer.from(`${good}\n`), bad, Buffer.from(`\n${['{', '[]', 'x', '1', 'null'].join('\n')}\n${good}\n`)]));
    const { run, runDir, notes } = await importer(source, false);
    assert.equal(chainsIn(await run.poll()), 2);
    await run.finish();
    assert.equal(notes.length, 6, notes.join('\n'));
    assert.match(notes[0]!, /^4\.jsonl:2: invalid UTF-8 \(byte 0xff at byte \d+ of the line\); skipped$/);
    assert.deepEqual(
      notes.slice(1).map((n) => n.split(':').slice(0, 2).join(':')),
      ['4.jsonl:3', '4.jsonl:4', '4.jsonl:5', '4.jsonl:6', '4.jsonl:7'],
    );
    const { store } = await readRolloutStore(runDir);
    assert.ok(store.groups(4).every((g) => g.samples.every((s) => !s.text.includes('\uFFFD'))));
  });

  it('a JSONL file: a line with invalid UTF-8 is skipped with its line number, not read with replacements', async () => {
    const dir = tmp('jsonl-utf8');
    const file = path.join(dir, 'chains.jsonl');
    const bad = Buffer.from(JSON.stringify({ completion: 'caf\u00e9', answer: '1' }));
    bad[bad.indexOf(0xc3)] = 0xc0;
    fs.writeFileSync(
      file,
      Buffer.concat([Buffer.from(`${JSON.stringify({ completion: 'ok', answer: '1' })}\n`), bad, Buffer.from(`\n${JSON.stringify({ completion: 'last', answer: '1' })}`)]),
    );
    const result = await readImportFile(file, 'stepgrpo');
    assert.equal(result.chains, 2, 'the last line, without a newline, is read');
    assert.equal(result.skipped.length, 1);
    assert.equal(result.skipped[0]!.line, 2);
    assert.match(result.skipped[0]!.message, /^invalid UTF-8 \(byte 0xc0 at byte \d+ of the line\)$/);
  });
});
