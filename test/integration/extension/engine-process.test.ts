// The engine command of a launched run, with real processes: its output arrives, its exit code is
// reported, a command that cannot start says why, and Stop reaches the whole process group (a
// grandchild that ignores nothing but is not the driver is stopped too).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineProcess, describeEngineExit } from '../../../src/extension/runs/engine-process';

const node = (script: string, onOutput: (t: string) => void = () => undefined) =>
  new EngineProcess([process.execPath, '-e', script], { cwd: process.cwd(), env: process.env, onOutput });

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('EngineProcess', () => {
  it('hands on output and reports the exit code', async () => {
    let out = '';
    const p = node('console.log("step 1"); console.error("warn"); process.exit(3)', (t) => (out += t));
    const exit = await p.exited;
    assert.equal(exit.code, 3);
    assert.match(out, /step 1/);
    assert.match(out, /warn/);
    assert.equal(describeEngineExit(exit), 'the engine exited with code 3');
  });

  it('a command that cannot start says why', async () => {
    const exit = await new EngineProcess(['/no/such/engine'], { cwd: process.cwd(), env: process.env, onOutput: () => undefined }).exited;
    assert.match(describeEngineExit(exit), /^the engine command could not start: spawn \/no\/such\/engine ENOENT/);
  });

  /** A driver that forks a worker ignoring SIGTERM; `driverIgnores`: the driver ignores it too. The worker's pid once it runs. */
  async function driverWithWorker(driverIgnores: boolean): Promise<{ p: EngineProcess; worker: number }> {
    let out = '';
    const p = node(
      `${driverIgnores ? 'process.on("SIGTERM", () => {});' : ''}
       const w = require('child_process').spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); console.log("ready"); setInterval(() => {}, 1000)'], { stdio: ['ignore', 'pipe', 'ignore'] });
       w.stdout.once('data', () => console.log('worker ' + w.pid)); w.stdout.resume(); setInterval(() => {}, 1000);`,
      (t) => (out += t),
    );
    for (let i = 0; i < 400 && !/worker \d+/.test(out); i++) await new Promise((r) => setTimeout(r, 25));
    return { p, worker: Number(/worker (\d+)/.exec(out)![1]) };
  }

  async function gone(pid: number): Promise<boolean> {
    for (let i = 0; i < 150 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    return !alive(pid);
  }

  it('Stop: SIGTERM to the process group, SIGKILL after the grace when the driver ignores it', async () => {
    const { p, worker } = await driverWithWorker(true);
    const exit = await p.stop(300);
    assert.equal(exit.stopped, true);
    assert.equal(exit.signal, 'SIGKILL');
    assert.equal(describeEngineExit(exit), 'the engine was stopped (SIGKILL)');
    assert.ok(await gone(worker), 'the worker is gone too');
  });

  it('Stop: a worker that outlives its driver is killed after the grace', async () => {
    const { p, worker } = await driverWithWorker(false);
    const exit = await p.stop(300);
    assert.equal(exit.signal, 'SIGTERM');
    assert.ok(await gone(worker), 'the worker is gone after the grace');
  });
});
