// Keeps the unit lane pure: a test file loaded into it may not create an onnxruntime session or
// start a child process (those belong in test/integration). Each such call throws where it is made,
// naming the file, and a last test lists every offending file, so a test that catches the error
// (an expected rejection) still cannot pass the lane.
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import { it } from 'node:test';
import * as ort from 'onnxruntime-node';

const SPAWNERS = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;

const offenders = new Map<string, Set<string>>();

/** The test file on the call stack, e.g. test/unit/engine/io.test.ts. */
function callingTestFile(stack: string): string {
  return /(test\/[\w/.-]+\.test\.ts)/.exec(stack)?.[1] ?? 'a file outside test/ (a fixture or a timer)';
}

function refuse(what: string): Error {
  const file = callingTestFile(new Error().stack ?? '');
  if (!offenders.has(file)) offenders.set(file, new Set());
  offenders.get(file)!.add(what);
  return new Error(`unit lane: ${file} ${what}; the unit lane is in-process and session-free: move the file to test/integration/`);
}

export function guardUnitLane(): void {
  const cp = childProcess as unknown as Record<string, unknown>;
  for (const name of SPAWNERS) {
    cp[name] = () => {
      throw refuse(`starts a child process (child_process.${name})`);
    };
  }
  syncBuiltinESMExports();
  ort.InferenceSession.create = () => Promise.reject(refuse('creates an onnxruntime-node InferenceSession'));
}

/** Registered after every file is loaded, so it runs last. */
export function assertUnitLanePure(): void {
  it('unit lane: no file created an ORT session or a child process', () => {
    const lines = [...offenders].map(([file, what]) => `${file}: ${[...what].join(', ')}`);
    if (lines.length) throw new Error(`move these to test/integration/:\n${lines.join('\n')}`);
  });
}
