// The `stepgrpo` shim of Open CLI Terminal: found on PATH, it runs the bundled CLI (dist/cli.js)
// with the given runtime, arguments passed through, also from a folder whose name needs quoting.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { writeCliShim } from '../../../src/extension/runs/cli-shim';

const cliJs = path.resolve(__dirname, '../../../dist/cli.js');

describe('stepgrpo shim', { skip: fs.existsSync(cliJs) ? false : 'needs `node esbuild.js`' }, () => {
  it('runs the bundled CLI by name from PATH', () => {
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), "stepgrpo shim 'it's' "));
    try {
      const shim = writeCliShim(storage, process.execPath, cliJs);
      assert.equal(path.dirname(shim.file), shim.binDir);
      const out = execFileSync('sh', ['-c', 'stepgrpo --help'], { encoding: 'utf8', env: { ...process.env, PATH: `${shim.binDir}${path.delimiter}${process.env['PATH']}` } });
      assert.match(out, /train/);
      // Written again (a new extension version): still one working shim.
      writeCliShim(storage, process.execPath, cliJs);
      assert.match(execFileSync(shim.file, ['--help'], { encoding: 'utf8' }), /train/);
    } finally {
      fs.rmSync(storage, { recursive: true, force: true });
    }
  });
});
