// `stepgrpo serve` in a child process (through tsx), for the tests and the bench that need a server
// they can kill -9 or that must not share this process's event loop.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

export function startServeProcess(args: string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'serve', '--port', '0', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve({ child, url: out.split('\n')[0]!.trim(), stderr: () => err });
    });
    child.stderr!.on('data', (d) => (err += d));
    child.once('exit', (code, signal) => reject(new Error(`stepgrpo serve exited (${code ?? signal}) before it listened: ${err.trim()}`)));
    child.once('error', reject);
  });
}

/** The single-sample OpenRLHF `/get_reward` bodies the load tests send (prompts repeat: groups form). */
export function getRewardBodies(chains: readonly string[], prompts = 8): string[] {
  return chains.map((c, i) => JSON.stringify({ query: [`Prompt ${i % prompts}\n${c}`], prompts: [`Prompt ${i % prompts}\n`], labels: ['7'] }));
}
