// The RunManager against real child processes: small Node programs that speak the trainer protocol
// (run-fixtures.ts fakeTrainer), so spawning, line parsing, stop and kill escalation are exercised.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { BRANCH_CONFIG, RunManager, type RunChange, type RunLogger } from '../../../src/extension/runs/run-manager';
import { readRunDirectory } from '../../../src/extension/runs/run-directory-reader';
import { ev, fakeTrainer, tempDir, type FakeTrainerScript } from '../../unit/extension/run-fixtures';

const work = tempDir('stepgrpo-manager-');
after(() => fs.rmSync(work, { recursive: true, force: true }));

function recordingLog(): RunLogger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (m: string) => void lines.push(`${level} ${m}`);
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

function manager(script: FakeTrainerScript, disposeGraceMs?: number) {
  const log = recordingLog();
  const m = new RunManager({ trainerJs: fakeTrainer(work, script), log, disposeGraceMs });
  const changes: RunChange[] = [];
  m.onDidChange((c) => changes.push(c));
  return { m, log, changes, runsRoot: path.join(work, 'runs') };
}

/** Resolves on the first change that satisfies `pred`. */
function until(m: RunManager, pred: (c: RunChange) => boolean): Promise<RunChange> {
  return new Promise((resolve) => {
    const sub = m.onDidChange((c) => {
      if (pred(c)) {
        sub.dispose();
        resolve(c);
      }
    });
  });
}

describe('RunManager', () => {
  it('runs a trainer to completion in a fresh run folder and folds its events', async () => {
    const { m, changes, runsRoot } = manager({ steps: 3, done: true });
    const started = m.start({ runsRoot, preset: 'smoke' });
    assert.match(started.id, /^smoke-\d{8}-\d{6}$/);
    assert.equal(started.dir, path.join(runsRoot, started.id));
    assert.ok(fs.statSync(started.dir).isDirectory());
    const end = await m.whenEnded(started.id);
    assert.equal(end.status, 'completed');
    assert.deepEqual([end.step, end.totalSteps, end.lastReward, end.live], [3, 3, 0.3, false]);
    assert.deepEqual(
      changes.map((c) => c.kind).filter((k, i, a) => a.indexOf(k) === i),
      ['started', 'event', 'ended'],
    );
    assert.deepEqual(m.running(), []);
  });

  it('passes --out, --preset, --config and the execution provider setting to the trainer', async () => {
    const { m, runsRoot } = manager({ steps: 0, done: true });
    const config = path.join(work, 'cfg.json');
    fs.writeFileSync(config, '{}');
    const run = m.start({ runsRoot, preset: 'demo', configFile: config, executionProvider: 'cuda' });
    const hello = await until(m, (c) => c.kind === 'event' && c.event.type === 'hello');
    assert.ok(hello.kind === 'event' && hello.event.type === 'hello');
    assert.deepEqual(hello.event.config, { out: run.dir, resumed: false, argv: ['--out', run.dir, '--preset', 'demo', '--config', config, '--execution-provider', 'cuda'] });
    assert.match(run.id, /^cfg-/, 'a config-file run is named after the file');
    await m.whenEnded(run.id);
  });

  it('logs malformed lines and unknown event types as warnings and goes on', async () => {
    const { m, log, runsRoot } = manager({
      steps: 2,
      done: true,
      preamble: ['not json at all', '{"v":1,"type":"telemetry","x":1}', '{"v":1,"type":"metrics","step":"one"}', ev.metrics(1, 'sft', { loss: 1 })],
    });
    const run = m.start({ runsRoot, preset: 'smoke' });
    const end = await m.whenEnded(run.id);
    assert.equal(end.status, 'completed');
    const warnings = log.lines.filter((l) => l.startsWith('warn'));
    assert.equal(warnings.length, 3, warnings.join('\n'));
    assert.match(warnings[0]!, /malformed trainer line \(not JSON/);
    assert.match(warnings[1]!, /unknown type "telemetry"/);
    assert.match(warnings[2]!, /\(step: expected an integer ≥ 0, got string\)/);
  });

  it('stop asks the trainer to finish and it ends as stopped', async () => {
    const { m, runsRoot } = manager({ steps: 10_000, stepMs: 2, done: true });
    const run = m.start({ runsRoot, preset: 'demo' });
    await until(m, (c) => c.kind === 'event' && c.event.type === 'metrics');
    assert.deepEqual(
      m.running().map((r) => r.id),
      [run.id],
    );
    assert.equal(m.stop(run.id), true);
    const end = await m.whenEnded(run.id);
    assert.equal(end.status, 'stopped');
    assert.ok(end.step < 10_000);
    assert.equal(m.stop(run.id), false, 'a second stop has nothing to stop');
  });

  it("an aborted signal stops the run (the progress notification's Cancel)", async () => {
    const { m, runsRoot } = manager({ steps: 10_000, stepMs: 2, done: true });
    const controller = new AbortController();
    const run = m.start({ runsRoot, preset: 'demo', signal: controller.signal });
    await until(m, (c) => c.kind === 'event' && c.event.type === 'metrics');
    controller.abort();
    assert.equal((await m.whenEnded(run.id)).status, 'stopped');
  });

  it('a trainer that exits non-zero without done is interrupted, with its stderr, which also lands in trainer.log', async () => {
    const { m, log, runsRoot } = manager({ steps: 1, exitCode: 2, stderr: ['loading…', 'trainer: unknown preset "nope"'] });
    const run = m.start({ runsRoot, preset: 'nope' });
    const end = await m.whenEnded(run.id);
    assert.equal(end.status, 'interrupted');
    assert.equal(end.error, 'the trainer exited with code 2: trainer: unknown preset "nope"');
    assert.equal(fs.readFileSync(path.join(run.dir, 'trainer.log'), 'utf8'), 'loading…\ntrainer: unknown preset "nope"\n');
    assert.ok(log.lines.some((l) => l.startsWith('error') && l.includes('unknown preset')));
  });

  it('an error event is the reported failure', async () => {
    const { m, runsRoot } = manager({ preamble: [ev.error('config: rl.groupSize: expected a number, got "4"'), ev.done('failed', { error: 'x' })], hello: false, exitCode: 1 });
    const run = m.start({ runsRoot, preset: 'smoke' });
    const end = await m.whenEnded(run.id);
    assert.equal(end.status, 'failed');
    assert.equal(end.error, 'config: rl.groupSize: expected a number, got "4"');
  });

  it('dispose escalates to SIGTERM and SIGKILL for a trainer that ignores stop', async () => {
    const { m, runsRoot } = manager({ steps: 1, stubborn: true }, 100);
    const run = m.start({ runsRoot, preset: 'demo' });
    await until(m, (c) => c.kind === 'event' && c.event.type === 'metrics');
    const startedAt = Date.now();
    const ended = m.whenEnded(run.id);
    m.dispose();
    const end = await ended;
    assert.equal(end.status, 'interrupted');
    assert.match(end.error!, /killed by SIGKILL/);
    assert.ok(Date.now() - startedAt >= 200, 'SIGKILL came before the two grace periods');
    assert.throws(() => m.start({ runsRoot, preset: 'demo' }), /disposed/);
  });

  it('dispose lets a cooperative trainer stop on its own', async () => {
    const { m, runsRoot } = manager({ steps: 10_000, stepMs: 2, done: true }, 5_000);
    const run = m.start({ runsRoot, preset: 'demo' });
    await until(m, (c) => c.kind === 'event' && c.event.type === 'metrics');
    const ended = m.whenEnded(run.id);
    m.dispose();
    assert.equal((await ended).status, 'stopped');
  });

  it('a missing trainer or config file is an error before anything is spawned', () => {
    const log = recordingLog();
    const m = new RunManager({ trainerJs: path.join(work, 'nope.js'), log });
    assert.throws(() => m.start({ runsRoot: path.join(work, 'runs'), preset: 'demo' }), /the trainer is missing: .*nope\.js/);
    const { m: ok, runsRoot } = manager({});
    assert.throws(() => ok.start({ runsRoot, configFile: path.join(work, 'missing.json') }), /config file not found: .*missing\.json/);
  });

  it('a trainer that cannot be spawned fails with the reason', async () => {
    const log = recordingLog();
    const m = new RunManager({ trainerJs: fakeTrainer(work, {}), node: path.join(work, 'no-such-node'), log });
    const run = m.start({ runsRoot: path.join(work, 'runs'), preset: 'demo' });
    const end = await m.whenEnded(run.id);
    assert.equal(end.status, 'failed');
    assert.match(end.error!, /could not be started: .*ENOENT/);
  });

  it('what the manager saw matches what the run folder says', async () => {
    // The fake trainer writes no events.ndjson; the folder has only trainer.log, so a run that failed
    // at start reads back as failed with its last stderr line.
    const { m, runsRoot } = manager({ exitCode: 1, stderr: ['trainer: config.json: Unexpected end of JSON input'] });
    const run = m.start({ runsRoot, preset: 'demo' });
    await m.whenEnded(run.id);
    const read = await readRunDirectory(run.dir, { isAlive: () => false });
    assert.equal(read?.status, 'failed');
    assert.equal(read?.error, 'trainer: config.json: Unexpected end of JSON input');
  });

  it('Pause, Resume and Checkpoint Now reach the trainer and the run state follows its confirmations', async () => {
    const { m, runsRoot } = manager({ steps: 10_000, stepMs: 2, done: true });
    const run = m.start({ runsRoot, preset: 'demo' });
    await until(m, (c) => c.kind === 'event' && c.event.type === 'metrics');
    assert.equal(m.command(run.id, 'pause'), true);
    await until(m, (c) => c.run.status === 'paused');
    const pausedAt = m.get(run.id)!.step;
    assert.equal(m.command(run.id, 'checkpoint'), true);
    const ckpt = await until(m, (c) => c.kind === 'event' && c.event.type === 'checkpoint');
    assert.equal(ckpt.run.status, 'paused');
    assert.equal(m.get(run.id)!.step, pausedAt, 'a paused trainer takes no step');
    m.command(run.id, 'resume');
    await until(m, (c) => c.kind === 'event' && c.event.type === 'metrics' && c.run.status === 'running');
    assert.equal(m.stop(run.id), true);
    assert.equal(m.get(run.id)!.status, 'stopping');
    assert.equal((await m.whenEnded(run.id)).status, 'stopped');
    assert.equal(m.command(run.id, 'pause'), false, 'an ended run takes no command');
  });

  it('Stop with a timeout forces a trainer that ignores it (SIGTERM, then SIGKILL)', async () => {
    const { m, runsRoot } = manager({ steps: 1, stubborn: true });
    const run = m.start({ runsRoot, preset: 'demo' });
    await until(m, (c) => c.kind === 'event' && c.event.type === 'metrics');
    m.stop(run.id, 100);
    const end = await m.whenEnded(run.id);
    assert.equal(end.status, 'interrupted');
    assert.match(end.error!, /SIGKILL/);
  });

  it('Resume Run continues the same run id and folder with --resume, keeping what the folder said', async () => {
    const { m, runsRoot } = manager({ steps: 3, done: true });
    const first = m.start({ runsRoot, preset: 'demo' });
    await m.whenEnded(first.id);
    assert.throws(() => m.resume({ dir: first.dir }), /no complete checkpoint/);
    fs.mkdirSync(path.join(first.dir, 'checkpoints'), { recursive: true });
    fs.writeFileSync(path.join(first.dir, 'checkpoints', 'latest'), 'step-000003\n');
    const again = m.resume({ dir: first.dir, prior: { ...m.get(first.id)!, status: 'interrupted', lastReward: 0.7 } });
    assert.deepEqual([again.id, again.dir, again.status, again.lastReward], [first.id, first.dir, 'starting', 0.7]);
    const hello = await until(m, (c) => c.kind === 'event' && c.event.type === 'hello');
    assert.ok(hello.kind === 'event' && hello.event.type === 'hello');
    assert.deepEqual((hello.event.config as { argv: string[] }).argv, ['--resume', first.dir]);
    assert.equal((await m.whenEnded(first.id)).status, 'completed');
    assert.equal(m.list().filter((r) => r.id === first.id).length, 1, 'one entry per run id');
  });

  it('Restart from Checkpoint starts a new run folder from the source config with initFrom and no SFT', async () => {
    const { m, runsRoot } = manager({ steps: 1, done: true });
    const source = path.join(runsRoot, 'demo-20250101-000000');
    const ckpt = path.join(source, 'checkpoints', 'step-000004');
    fs.mkdirSync(ckpt, { recursive: true });
    fs.writeFileSync(path.join(ckpt, 'state.json'), '{}');
    fs.writeFileSync(path.join(source, 'config.json'), JSON.stringify({ seed: 3, sft: { steps: 1500, lr: 1 }, rl: { steps: 9 } }));
    const branch = m.branch({ runsRoot, sourceDir: source, checkpoint: ckpt, executionProvider: 'webgpu' });
    assert.match(branch.id, /^demo-from-step-000004-\d{8}-\d{6}$/);
    const hello = await until(m, (c) => c.kind === 'event' && c.event.type === 'hello');
    assert.ok(hello.kind === 'event' && hello.event.type === 'hello');
    assert.deepEqual((hello.event.config as { argv: string[] }).argv, ['--out', branch.dir, '--config', path.join(branch.dir, BRANCH_CONFIG), '--execution-provider', 'webgpu']);
    const config = JSON.parse(fs.readFileSync(path.join(branch.dir, BRANCH_CONFIG), 'utf8'));
    assert.deepEqual(config, { seed: 3, sft: { steps: 0, lr: 1 }, rl: { steps: 9 }, initFrom: ckpt });
    assert.equal((await m.whenEnded(branch.id)).status, 'completed');
    assert.throws(() => m.branch({ runsRoot, sourceDir: source, checkpoint: path.join(source, 'nope') }), /not a complete checkpoint/);
  });
});
