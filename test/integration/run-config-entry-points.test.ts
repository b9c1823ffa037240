// One preset, one config file, two ways in: `stepgrpo train` and the trainer child that Start
// StepGRPO Run spawns (through the RunManager, as the palette does) resolve the same run — the
// shipped SFT checkpoint included — and sample the same first rollouts. A bad config is refused
// with the same words by the CLI, the trainer and the extension's diagnostics.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { RunManager, type RunLogger } from '../../src/extension/runs/run-manager';
import { checkRunConfigText, describeConfigIssues } from '../../src/protocol/run-config-check';
import type { TrainerEvent } from '../../src/protocol/trainer-messages';
import { shippedSftCheckpoint } from '../../src/trainer/shipped-checkpoint';
import { runCli } from '../support/cli-harness';

const root = path.resolve(__dirname, '../..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-entry-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

const QUIET: RunLogger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

/** The trainer from its sources, started the way dist/trainer.js is: `node <trainerJs> ...args`. */
function trainerFromSources(): string {
  const file = path.join(work, 'trainer.cjs');
  fs.writeFileSync(file, `require(${JSON.stringify(require.resolve('tsx/cjs'))});\nrequire(${JSON.stringify(path.join(root, 'src/trainer/main.ts'))});\n`);
  return file;
}

function writeConfig(name: string, text: string): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, text);
  return file;
}

const firstLine = (file: string): string => fs.readFileSync(file, 'utf8').split('\n')[0]!;

describe('a preset started from the terminal and from the palette', () => {
  it('resolves to the same config.json (shipped SFT checkpoint included) and samples the same first rollouts', async () => {
    // The demo preset over a tiny RL budget: its SFT settings still match the shipped checkpoint.
    const configFile = writeConfig('tiny-rl.json', JSON.stringify({ rl: { steps: 1, promptsPerStep: 2, groupSize: 2, maxNewTokens: 24 }, eval: { every: 0, prompts: 2 } }));
    const cliDir = path.join(work, 'cli-run');
    const cli = await runCli(['train', '--preset', 'demo', '--config', configFile, '--out', cliDir, '--quiet']);
    assert.equal(cli.code, 0, cli.stderr);

    const manager = new RunManager({ trainerJs: trainerFromSources(), log: QUIET });
    const started = manager.start({ runsRoot: path.join(work, 'palette-runs'), preset: 'demo', configFile });
    const end = await manager.whenEnded(started.id);
    assert.equal(end.status, 'completed', end.error ?? '');

    const config = fs.readFileSync(path.join(cliDir, 'config.json'), 'utf8');
    assert.equal(fs.readFileSync(path.join(started.dir, 'config.json'), 'utf8'), config);
    const resolved = JSON.parse(config) as { initFrom: string | null; sft: { steps: number } };
    assert.deepEqual([resolved.initFrom, resolved.sft.steps], [shippedSftCheckpoint(path.join(root, 'src/trainer')), 0], 'both start from the shipped SFT checkpoint');
    const rollouts = firstLine(path.join(cliDir, 'rollouts.jsonl'));
    assert.ok(rollouts.length > 0);
    assert.equal(firstLine(path.join(started.dir, 'rollouts.jsonl')), rollouts);
  });
});

/** The trainer child's fatal error for this config file. */
async function trainerError(configFile: string, out: string): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/trainer/main.ts'), '--preset', 'smoke', '--config', configFile, '--out', out], { cwd: root });
  child.stdin.end();
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 1, stdout);
  const events = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as TrainerEvent);
  const error = events.find((e) => e.type === 'error');
  assert.ok(error?.type === 'error', stdout);
  return error.message;
}

describe('a bad config', () => {
  const BAD: [name: string, text: string][] = [
    ['negative-beta', '{"rl": {"beta": -1}}'],
    ['zero-temperature', '{"rl": {"temperature": 0, "topP": 0}}'],
    ['zero-lr', '{"sft": {"lr": 0}, "rl": {"lr": -1e-5}}'],
    ['huge', '{"sft": {"batchSize": 1e7}, "rl": {"groupSize": 1e9}}'],
    ['typo', '{\n  "rl": {\n    "grupSize": 4\n  }\n}'],
    ['wrong-type', '{"rl": {"groupSize": "4"}, "seed": 1.5}'],
    ['data-form', '{"data": {"kind": "r1vl"}}'],
    ['hf-model', '{"model": {"hf": "x", "dModel": 64}}'],
    ['provider-options', '{"runtime": {"providerOptions": {"name": "cuda"}}}'],
    ['not-json', '{"rl": {"steps": 3,}}'],
  ];

  it('is refused in the same words by the extension, `stepgrpo train` and the trainer', async () => {
    const files = BAD.map(([name, text]) => ({ text, file: writeConfig(`${name}.stepgrpo.json`, text) }));
    const trainer = await Promise.all(files.map(({ file }, k) => trainerError(file, path.join(work, `bad-${k}`))));
    for (const [k, { text, file }] of files.entries()) {
      const issues = checkRunConfigText(text);
      assert.ok(issues.length > 0, `${file}: the extension accepts it`);
      const expected = describeConfigIssues(file, text, issues);
      const cli = await runCli(['train', '--preset', 'smoke', '--config', file, '--out', path.join(work, `cli-bad-${k}`)]);
      assert.equal(cli.code, 1, `${file}: ${cli.stderr}`);
      assert.equal(cli.stderr.trim(), `stepgrpo train: ${expected}`);
      assert.equal(trainer[k], expected);
    }
  });
});
