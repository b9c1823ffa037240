// Runs Python (the stdlib integrations, the engine stand-ins) for the tests: JSON in on stdin,
// the last stdout line parsed as JSON. Skips cleanly where python3 is absent.
import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';

export const INTEGRATIONS_DIR = path.resolve(__dirname, '../../src/server/integrations');
export const ENGINES_DIR = path.resolve(__dirname, '../integration/engines');

const probe = spawnSync('python3', ['--version'], { encoding: 'utf8' });
export const skipWithoutPython: false | string = probe.status === 0 ? false : 'python3 is not installed (the Python integrations cannot be run)';

export function runPython(args: string[], input: unknown, env: Record<string, string> = {}): Promise<{ out: any; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile('python3', args, { env: { ...process.env, ...env }, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`python ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      resolve({ out: JSON.parse(stdout.trim().split('\n').pop()!), stderr });
    });
    child.stdin!.end(JSON.stringify(input ?? null));
  });
}

/** A snippet with the integrations importable; `input` arrives as the variable `job`. */
export function runSnippet(code: string, input: unknown, env: Record<string, string> = {}): Promise<any> {
  const prelude = `import sys, json\nsys.path.insert(0, ${JSON.stringify(INTEGRATIONS_DIR)})\njob = json.load(sys.stdin)\n`;
  return runPython(['-c', prelude + code], input, env).then((r) => r.out);
}
