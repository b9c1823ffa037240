// The import cursor read back: a bad one is an error naming the file and the field; runs that hold
// an import of a folder are found by the folder. What config.json says was imported (a followed
// import that read no step file yet has only that).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findImportRuns, readFolderImport, readImportCursor } from '../../../../src/server/import/import-cursor';

const runsRoot = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-cursor-'));

function runWithCursor(root: string, name: string, cursor: unknown): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'import-cursor.json'), typeof cursor === 'string' ? cursor : JSON.stringify(cursor));
  return dir;
}

describe('import cursor', () => {
  it('reads what the importer writes; none is undefined', () => {
    const root = runsRoot();
    const cursor = { v: 1, source: '/data/verl', kind: 'verl', files: { '1.jsonl': { bytes: 10, lines: 2 }, '2.jsonl': { whole: true } } };
    assert.deepEqual(readImportCursor(runWithCursor(root, 'a', cursor)), cursor);
    assert.equal(readImportCursor(root), undefined);
  });

  it('a bad cursor is an error naming the file and the field', () => {
    const root = runsRoot();
    assert.throws(() => readImportCursor(runWithCursor(root, 'json', '{"v": 1,')), /json[/\\]import-cursor\.json: not valid JSON/);
    assert.throws(() => readImportCursor(runWithCursor(root, 'shape', { v: 1, source: '/x', kind: 'ray', files: {} })), /expected \{v: 1, source, kind/);
    assert.throws(
      () => readImportCursor(runWithCursor(root, 'file', { v: 1, source: '/x', kind: 'trl', files: { 'a.parquet': { bytes: -1, lines: 0 } } })),
      /files\.a\.parquet: expected \{bytes, lines\} or \{whole: true\}/,
    );
  });

  it('finds the runs that hold an import of a folder, oldest first', () => {
    const root = runsRoot();
    const source = path.join(root, 'verl');
    const cursor = (s: string) => ({ v: 1, source: s, kind: 'verl', files: {} });
    const first = runWithCursor(root, 'import-verl-1', cursor(source));
    runWithCursor(root, 'import-other', cursor('/elsewhere'));
    runWithCursor(root, 'broken', '{');
    const second = runWithCursor(root, 'import-verl-2', cursor(source));
    assert.deepEqual(findImportRuns(root, source), [first, second]);
    assert.deepEqual(findImportRuns(path.join(root, 'missing'), source), []);
  });

  it('config.json: a folder import says its source, kind and preset; a file import or a trainer run says none', () => {
    const root = runsRoot();
    const withConfig = (name: string, config: unknown): string => {
      const dir = path.join(root, name);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
      return dir;
    };
    const followed = withConfig('followed', { imported: { from: '/data/verl', kind: 'verl', preset: 'stepgrpo', follow: true } });
    assert.deepEqual(readFolderImport(followed), { source: '/data/verl', kind: 'verl', preset: 'stepgrpo' });
    assert.equal(readFolderImport(withConfig('file', { imported: { from: '/data/chains.jsonl', records: 3, skipped: 0 } })), undefined);
    assert.equal(readFolderImport(withConfig('trainer', { rl: { steps: 10 } })), undefined);
    assert.equal(readFolderImport(path.join(root, 'none')), undefined);
  });
});
