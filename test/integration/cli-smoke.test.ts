// The one real spawn of the CLI: the entry point wires process.argv, stdio and the exit code. Every
// other CLI test runs in process (test/support/cli-harness.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

test('`stepgrpo score` as a process: stdin in, scored JSONL out, exit codes', () => {
  const cli = (args: string[], input = ''): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], { cwd: root, input, encoding: 'utf8' });
  const ok = cli(['score', '--in', '-'], `${JSON.stringify({ completion: 'The final answer is: 7', answer: '7' })}\n`);
  assert.equal(ok.status, 0, String(ok.stderr));
  assert.equal(typeof JSON.parse(String(ok.stdout)).rewards.total, 'number');
  const usage = cli(['score', '--rl-steps=']);
  assert.equal(usage.status, 2);
  assert.match(String(usage.stderr), /unknown option '--rl-steps'/);
});
