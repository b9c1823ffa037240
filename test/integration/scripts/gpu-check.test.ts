// scripts/gpu-check.ts where the GPU provider is missing: it must skip (exit 0, so CI on CPU
// machines passes) with one line that says what is missing, never fail or fall back to the CPU.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { it } from 'node:test';
import { promisify } from 'node:util';

const root = join(__dirname, '..', '..', '..');
// With the CUDA provider libraries installed the script runs the real comparison instead.
const ortBin = join(dirname(require.resolve('onnxruntime-node/package.json')), 'bin');
const cudaInstalled = readdirSync(ortBin, { recursive: true }).some((f) => String(f).includes('providers_cuda'));

it('skips with the reason when the cuda provider is missing', { skip: cudaInstalled && 'onnxruntime-node has its CUDA provider here: run the script itself' }, async () => {
  // execFile rejects on a non-zero exit code: resolving is the exit 0 the check needs.
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/gpu-check.ts', '--ep', 'cuda'], { cwd: root, timeout: 60_000 });
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, stdout);
  assert.match(lines[0]!, /^gpu-check: skipped — execution provider "cuda" is unavailable: .*CUDA provider libraries/);
});
