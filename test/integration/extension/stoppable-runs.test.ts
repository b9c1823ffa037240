// A run launched on an external engine, with a real process and a real recording (issue 17 left
// open: no Stop in the Runs view). Registered as engine-runs.ts registers it, its row is live with
// Stop only (no Pause, no Checkpoint Now); Stop shows `stopping` until the engine has exited and the
// recording is closed, then the folder says `stopped`.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { EngineProcess } from '../../../src/extension/runs/engine-process';
import { RUN_CONTEXT, runContext } from '../../../src/extension/runs/run-context';
import { readRunDirectory } from '../../../src/extension/runs/run-directory-reader';
import { StoppableRuns } from '../../../src/extension/runs/stoppable-runs';
import { RunRecorder } from '../../../src/server/run-recorder';
import { until } from '../../e2e/lib/until.mjs';
import { tempDir } from '../../unit/extension/run-fixtures';

const work = tempDir('stepgrpo-stoppable-');
after(() => fs.rmSync(work, { recursive: true, force: true }));

describe('a launched engine in the Runs view', () => {
  it('live with Stop only; Stop: stopping while the engine winds down, then stopped', async () => {
    const stoppable = new StoppableRuns();
    const dir = path.join(work, 'verl-launch-1');
    const recorder = RunRecorder.create(dir, { config: { engine: { kind: 'verl' } }, version: 'test' });
    // An engine that takes a moment to exit on SIGTERM (a trainer saving).
    let output = '';
    const engine = new EngineProcess(
      [process.execPath, '-e', 'process.on("SIGTERM", () => setTimeout(() => process.exit(0), 300)); console.log("ready"); setInterval(() => {}, 1000)'],
      {
        cwd: work,
        env: process.env,
        onOutput: (text) => (output += text),
      },
    );
    const registration = stoppable.add(dir, async () => {
      await engine.stop(5000);
      await ended;
    });
    const ended = engine.exited.then((exit) => {
      recorder.close(exit.stopped ? 'stopped' : 'completed');
      registration.dispose();
    });

    await until(
      () => output,
      (text) => text.includes('ready'),
      10_000,
      'the engine to start',
    );
    const running = stoppable.shown((await readRunDirectory(dir))!);
    assert.deepEqual([running.status, running.stopOnly, runContext(running)], ['running', true, RUN_CONTEXT.stopOnly]);

    const stop = stoppable.stop(dir);
    const stopping = stoppable.shown((await readRunDirectory(dir))!);
    assert.deepEqual([stopping.status, runContext(stopping)], ['stopping', RUN_CONTEXT.stopping]);
    assert.equal(engine.hasExited, false, 'the engine is still winding down');

    assert.equal(await stop, true);
    assert.equal(stoppable.has(dir), false);
    const stopped = stoppable.shown((await readRunDirectory(dir))!);
    assert.deepEqual([stopped.status, runContext(stopped)], ['stopped', RUN_CONTEXT.resumable]);
    assert.equal(await stoppable.stop(dir), false, 'an ended run is no longer stoppable here');
  });
});
