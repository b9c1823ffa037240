// The trainer end to end on the `smoke` preset: run directory contents, the NDJSON child-process
// protocol with a stop command, and resume equivalence (stop + resume = uninterrupted run).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseTrainerEvent, type TrainerEvent } from '../../src/protocol/trainer-messages';
import { TRAIN_DEFAULTS, TRAIN_PRESETS } from '../../src/trainer/config';
import { checkExecutionProvider } from '../../src/trainer/provider-check';
import { RunControl } from '../../src/trainer/run-control';
import { runTraining } from '../../src/trainer/run';

const smoke = TRAIN_PRESETS.smoke!(TRAIN_DEFAULTS);
const tmpRun = (label: string): string => path.join(fs.mkdtempSync(path.join(os.tmpdir(), `stepgrpo-${label}-`)), 'run');
const root = path.resolve(__dirname, '../..');

describe('trainer run (smoke preset)', () => {
  it('writes the run directory of DESIGN §4', async () => {
    const out = tmpRun('layout');
    const events: TrainerEvent[] = [];
    const summary = await runTraining({ outDir: out, config: smoke, onEvent: (e) => events.push(e) });
    assert.equal(summary.status, 'completed');
    assert.equal(summary.steps, smoke.sft.steps + smoke.rl.steps);
    for (const f of ['config.json', 'events.ndjson', 'metrics.jsonl', 'rollouts.jsonl', 'policy.onnx', 'checkpoints/latest']) assert.ok(fs.existsSync(path.join(out, f)), f);
    const tbFiles = fs.readdirSync(path.join(out, 'tb'));
    assert.equal(tbFiles.length, 1);
    assert.match(tbFiles[0]!, /^events\.out\.tfevents\.\d+\./);
    assert.ok(fs.statSync(path.join(out, 'tb', tbFiles[0]!)).size > 100);
    const latest = fs.readFileSync(path.join(out, 'checkpoints/latest'), 'utf8').trim();
    for (const f of ['model.safetensors', 'optimizer.safetensors', 'state.json']) assert.ok(fs.existsSync(path.join(out, 'checkpoints', latest, f)), f);
    const logged = fs.readFileSync(path.join(out, 'events.ndjson'), 'utf8').trim().split('\n');
    assert.equal(logged.length, events.length);
    for (const line of logged) assert.ok(parseTrainerEvent(line).ok, line.slice(0, 120));
    const rollouts = events.filter((e) => e.type === 'rollouts');
    assert.equal(rollouts.length, smoke.rl.steps);
    const group = rollouts[0]!.type === 'rollouts' ? rollouts[0]!.groups[0]! : undefined;
    assert.equal(group?.samples.length, smoke.rl.groupSize);
    assert.ok(group?.image && 'dataUri' in group.image && group.image.dataUri.startsWith('data:image/png;base64,'));
    assert.deepEqual(events.at(-1)?.type === 'done' && events.at(-1), { v: 1, type: 'done', status: 'completed', summary: { ...summary } });
    // Every metrics event (SFT, RL, eval) carries the process's peak RSS, which never goes down.
    const peaks = events.flatMap((e) => (e.type === 'metrics' ? [e.values['memory/rss_mb']] : []));
    assert.deepEqual(new Set(events.filter((e) => e.type === 'metrics').map((e) => e.type === 'metrics' && e.phase)), new Set(['sft', 'rl', 'eval']));
    assert.ok(
      peaks.every((mb, i) => mb !== undefined && mb > 10 && mb < 64 * 1024 && (i === 0 || mb >= peaks[i - 1]!)),
      peaks.join(', '),
    );
  });

  it('refuses to overwrite an existing run', async () => {
    const out = tmpRun('exists');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'config.json'), '{}');
    await assert.rejects(runTraining({ outDir: out, config: smoke }), /already holds a run/);
  });

  it('stop + resume reproduces the uninterrupted run bit for bit', async () => {
    const straight = tmpRun('straight');
    await runTraining({ outDir: straight, config: smoke });
    const interrupted = tmpRun('interrupted');
    const control = new RunControl();
    const stopAt = smoke.sft.steps + 1; // inside RL: resuming needs the SFT reference checkpoint too
    const first = await runTraining({
      outDir: interrupted,
      config: smoke,
      control,
      onEvent: (e) => e.type === 'metrics' && e.phase === 'rl' && e.step === stopAt && control.stop(),
    });
    assert.equal(first.status, 'stopped');
    assert.equal(first.steps, stopAt);
    const resumed = await runTraining({ outDir: interrupted, resume: true });
    assert.equal(resumed.status, 'completed');
    await assert.rejects(runTraining({ outDir: interrupted, resume: true }), /already completed all 5 steps/);
    const final = `checkpoints/step-${String(smoke.sft.steps + smoke.rl.steps).padStart(6, '0')}`;
    for (const f of ['model.safetensors', 'optimizer.safetensors']) {
      assert.ok(fs.readFileSync(path.join(straight, final, f)).equals(fs.readFileSync(path.join(interrupted, final, f))), `${f} differs after resume`);
    }
  });

  it('speaks NDJSON as a child process and honours stop', async () => {
    const out = tmpRun('child');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/trainer/main.ts'), '--preset', 'smoke', '--out', out], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const events: TrainerEvent[] = [];
    const lines = readline.createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const parsed = parseTrainerEvent(line);
      assert.ok(parsed.ok, `malformed line from trainer: ${line}`);
      events.push(parsed.value);
      if (parsed.value.type === 'metrics' && parsed.value.step === 1) child.stdin.write('{"v":1,"type":"stop"}\n');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0);
    assert.equal(events[0]?.type, 'hello');
    const done = events.at(-1);
    assert.ok(done?.type === 'done' && done.status === 'stopped', JSON.stringify(done));
    assert.ok(events.some((e) => e.type === 'checkpoint'));
  });
});

describe('trainer process: a config error before the run starts', () => {
  it('reports the field on stdout and in <out>/events.ndjson, and exits 1', async () => {
    const out = tmpRun('bad-config');
    const configFile = path.join(path.dirname(out), 'bad.json');
    fs.writeFileSync(configFile, JSON.stringify({ rl: { groupSize: '4' } }));
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/trainer/main.ts'), '--preset', 'smoke', '--config', configFile, '--out', out], { cwd: root });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 1);
    for (const text of [stdout, fs.readFileSync(path.join(out, 'events.ndjson'), 'utf8')]) {
      const events = text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as TrainerEvent);
      assert.ok(events[0]?.type === 'error' && /rl\.groupSize: expected an integer ≥ 2 and ≤ 1024, got "4"/.test(events[0].message), text);
      assert.ok(events[1]?.type === 'done' && events[1].status === 'failed');
    }
  });
});

describe('trainer process: an execution provider that cannot start', () => {
  it('fails before any data or step with the error naming CUDA and the install command', async (t) => {
    const cudaStarts = await checkExecutionProvider({ executionProvider: 'cuda', deviceId: 0, providerOptions: {} }).then(
      () => true,
      () => false,
    );
    if (cudaStarts) return t.skip('CUDA works on this machine');
    const out = tmpRun('no-cuda');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/trainer/main.ts'), '--preset', 'smoke', '--execution-provider', 'cuda', '--out', out], {
      cwd: root,
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 1);
    const events = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TrainerEvent);
    assert.deepEqual(
      events.map((e) => e.type),
      ['error', 'done'],
      'no hello, phase or metrics: nothing ran',
    );
    assert.ok(events[0]?.type === 'error' && events[0].fatal);
    assert.match(events[0].message, /execution provider "cuda" is unavailable: .*`ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node`.*CUDA 12 and cuDNN 9/);
    assert.deepEqual(fs.readdirSync(out), ['events.ndjson'], 'the folder records why, and holds nothing else');
  });
});

describe('trainer run: branching and step-level credit', () => {
  it('starts a new run from another run\'s checkpoint and trains RL with advantage "step"', async () => {
    const source = tmpRun('source');
    const first = await runTraining({ outDir: source, config: smoke });
    const branch = tmpRun('branch');
    const summary = await runTraining({
      outDir: branch,
      config: { ...smoke, initFrom: first.checkpoint, sft: { ...smoke.sft, steps: 0 }, rl: { ...smoke.rl, advantage: 'step' } },
    });
    assert.equal(summary.status, 'completed');
    assert.equal(summary.steps, smoke.rl.steps);
    // The branch's starting point (its KL reference) is exactly the source checkpoint.
    assert.ok(fs.readFileSync(path.join(branch, 'checkpoints/step-000000/model.safetensors')).equals(fs.readFileSync(path.join(first.checkpoint!, 'model.safetensors'))));
    const config = JSON.parse(fs.readFileSync(path.join(branch, 'config.json'), 'utf8')) as { initFrom: string; rl: { advantage: string } };
    assert.equal(config.initFrom, first.checkpoint);
    assert.equal(config.rl.advantage, 'step');
  });
});
