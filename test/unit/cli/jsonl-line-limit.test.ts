// `stepgrpo score` reads lines up to a bound: a longer line is reported as that line's error (named by
// its number and length) and skipped, without holding it in memory; the lines after it are read.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readJsonlLines } from '../../../src/cli/jsonl';

describe('JSONL line-length limit', () => {
  it('names the long line and goes on with the next ones', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-jsonl-'));
    try {
      const file = path.join(dir, 'chains.jsonl');
      fs.writeFileSync(file, `{"a":1}\n{"long":"${'x'.repeat(5000)}"}\n{"b":2}\n`);
      const lines = [];
      for await (const line of readJsonlLines(file, 1024)) lines.push(line);
      assert.deepEqual(
        lines.map((l) => [l.line, l.raw, l.error]),
        [
          [1, '{"a":1}', undefined],
          [2, '', 'the line is 5011 bytes, longer than the limit of 1024 bytes; it is skipped'],
          [3, '{"b":2}', undefined],
        ],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
