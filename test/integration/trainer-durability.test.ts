// What a trainer run survives besides a clean stop: a run with no checkpoint restarts in place, a
// second writer of a live run is refused, a corrupt checkpoint fails naming its file, orphaned
// checkpoint temps are removed, and the CLI checkpoints on SIGTERM as on Ctrl-C.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TrainerEvent } from '../../src/protocol/trainer-messages';
import { RUN_FILES } from '../../src/rundir/run-files';
import { loadWeights } from '../../src/trainer/checkpoint';
import { TRAIN_DEFAULTS, TRAIN_PRESETS } from '../../src/trainer/config';
import { RunControl } from '../../src/trainer/run-control';
import { runTraining } from '../../src/trainer/run';
import { SHIPPED_SFT_FOLDER } from '../../src/trainer/shipped-checkpoint';
import { until } from '../e2e/lib/until.mjs';

const smoke = TRAIN_PRESETS.smoke!(TRAIN_DEFAULTS);
const root = path.resolve(__dirname, '../..');
const tmpRun = (label: string): string => path.join(fs.mkdtempSync(path.join(os.tmpdir(), `stepgrpo-${label}-`)), 'run');
const latestOf = (out: string): string => path.join(out, RUN_FILES.checkpoints, fs.readFileSync(path.join(out, RUN_FILES.checkpoints, 'latest'), 'utf8').trim());

/** A smoke run stopped after `step` steps (its stop writes a checkpoint). */
async function stoppedRun(label: string, step: number): Promise<string> {
  const out = tmpRun(label);
  const control = new RunControl();
  const first = await runTraining({ outDir: out, config: smoke, control, onEvent: (e) => e.type === 'metrics' && e.step === step && control.stop() });
  assert.equal(first.status, 'stopped');
  return out;
}

describe('trainer run durability', () => {
  it('restarts in place, from step 0 with its config.json, a run killed before its first checkpoint', async () => {
    const straight = tmpRun('straight');
    await runTraining({ outDir: straight, config: smoke });
    const out = tmpRun('no-checkpoint');
    fs.mkdirSync(out, { recursive: true });
    fs.copyFileSync(path.join(straight, RUN_FILES.config), path.join(out, RUN_FILES.config));
    const events: TrainerEvent[] = [];
    const summary = await runTraining({ outDir: out, resume: true, onEvent: (e) => events.push(e) });
    assert.equal(summary.status, 'completed');
    assert.ok(events.some((e) => e.type === 'log' && /no complete checkpoint in .*: restarting from step 0 with the run's config\.json/.test(e.message)));
    for (const f of ['model.safetensors', 'optimizer.safetensors'])
      assert.ok(fs.readFileSync(path.join(latestOf(straight), f)).equals(fs.readFileSync(path.join(latestOf(out), f))), f);
  });

  it('refuses a second writer of a live run, naming its pid', async () => {
    const out = tmpRun('locked');
    const control = new RunControl();
    let paused!: () => void;
    const isPaused = new Promise<void>((resolve) => (paused = resolve));
    const first = runTraining({
      outDir: out,
      config: smoke,
      control,
      onEvent: (e) => {
        if (e.type === 'metrics' && e.step === 1) control.pause();
        if (e.type === 'paused') paused();
      },
    });
    await isPaused;
    await assert.rejects(runTraining({ outDir: out, resume: true }), new RegExp(`is being written by process ${process.pid} \\(since `));
    control.stop();
    assert.equal((await first).status, 'stopped');
    assert.equal(fs.existsSync(path.join(out, RUN_FILES.lock)), false, 'the lock goes with its writer');
  });

  it('fails naming the file when a checkpoint no longer matches its checksum', async () => {
    const out = await stoppedRun('bit-rot', 2);
    const model = path.join(latestOf(out), 'model.safetensors');
    const bytes = fs.readFileSync(model);
    const at = bytes.length - 3;
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0x10, at);
    fs.writeFileSync(model, bytes);
    await assert.rejects(runTraining({ outDir: out, resume: true }), new RegExp(`${model.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: checksum mismatch`));
  });

  it('removes the checkpoint temp folders a killed writer left, on resume', async () => {
    const out = await stoppedRun('orphans', 2);
    const checkpoints = path.join(out, RUN_FILES.checkpoints);
    fs.mkdirSync(path.join(checkpoints, 'step-000004.tmp-999999-1'));
    fs.writeFileSync(path.join(checkpoints, 'step-000004.tmp-999999-1', 'model.safetensors'), 'half');
    fs.writeFileSync(path.join(checkpoints, 'latest.tmp'), 'step-00');
    await runTraining({ outDir: out, resume: true });
    assert.deepEqual(
      fs.readdirSync(checkpoints).filter((n) => n.includes('.tmp')),
      [],
    );
  });

  it('loads the shipped SFT checkpoint, written before checkpoints had checksums', () => {
    const shipped = loadWeights(path.join(root, SHIPPED_SFT_FOLDER));
    assert.equal('checksums' in shipped.state, false);
    assert.ok(shipped.params.size > 0);
  });

  it('stepgrpo train stops with a checkpoint on SIGTERM, and --resume completes the run', async () => {
    const out = tmpRun('cli-sigterm');
    const configFile = path.join(path.dirname(out), 'config.json');
    fs.writeFileSync(configFile, JSON.stringify({ sft: { steps: 200 }, sftCheckpointEvery: 0 }));
    const cli = (args: string[]) => spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'train', '--quiet', ...args], { cwd: root });
    const child = cli(['--preset', 'smoke', '--config', configFile, '--out', out]);
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    await until(() => fs.existsSync(path.join(out, RUN_FILES.metrics)), Boolean, 60_000, 'the first SFT step');
    child.kill('SIGTERM');
    assert.equal(await closed, 0);
    const stopped = JSON.parse(stdout) as { status: string; steps: number };
    assert.equal(stopped.status, 'stopped');
    assert.ok(stopped.steps > 0 && stopped.steps < 200, `stopped mid-SFT at ${stopped.steps}`);
    const resumed = cli(['--resume', out]);
    let resumedOut = '';
    resumed.stdout.on('data', (d: Buffer) => (resumedOut += d.toString()));
    assert.equal(await new Promise<number | null>((resolve) => resumed.on('close', resolve)), 0);
    assert.equal((JSON.parse(resumedOut) as { status: string }).status, 'completed');
  });
});
