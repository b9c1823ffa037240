// Runs `stepgrpo` in this process through `main(argv, io)` with captured output: the CLI tests need
// no child process (a tsx spawn costs about a second each). `cli-smoke.test.ts` keeps one real spawn.
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

export async function runCli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(argv, { stdout, stderr, env: { ...process.env, ...env } });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
