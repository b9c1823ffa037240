// A run config's `engine` field (issue 17, item 4): the templates pass the one check, every wrong
// field is named with what it takes, `${…}` must be an engine variable, and the trainer refuses
// such a config with a message that says where it runs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { checkRunConfig, checkRunConfigText } from '../../../src/protocol/run-config-check';
import { ENGINE_KINDS, engineEnvironment, expandVariables, unknownVariables } from '../../../src/protocol/engine-config';
import { ENGINE_TEMPLATES, engineStarterConfig } from '../../../src/extension/runs/engine-templates';
import { resolveRun } from '../../../src/trainer/resolve-run';

const issuesOf = (config: unknown) => checkRunConfig(config).map((i) => `${i.path}: ${i.message}`);
const engine = (fields: Record<string, unknown>) => ({ engine: { kind: 'verl', command: ['python3', 'train.py'], ...fields } });

describe('run config: engine', () => {
  it("every engine's template passes the check", () => {
    for (const kind of ENGINE_KINDS) {
      assert.deepEqual(checkRunConfig(engineStarterConfig(kind)), [], kind);
      assert.equal(ENGINE_TEMPLATES[kind].engine.kind, kind);
    }
  });

  it('wrong fields are named, with what they take', () => {
    assert.deepEqual(issuesOf(engine({ kind: 'ray' })), ['engine.kind: expected one of "verl", "openrlhf", "trl", got "ray"']);
    assert.deepEqual(issuesOf(engine({ command: [] })), ['engine.command: expected at least 1 items, got []']);
    assert.deepEqual(issuesOf(engine({ command: ['python3', 3] })), ['engine.command[1]: expected a string, got 3']);
    assert.deepEqual(issuesOf(engine({ command: ['  '] })), ['engine.command[0]: expected a non-blank string, got "  "']);
    assert.deepEqual(issuesOf(engine({ env: { CUDA_VISIBLE_DEVICES: 0 } })), ['engine.env.CUDA_VISIBLE_DEVICES: expected a string, got 0']);
    assert.deepEqual(issuesOf({ engine: { command: ['x'] } }), ['engine: missing the required field "kind"']);
    assert.match(issuesOf(engine({ comand: ['x'] }))[0]!, /^engine.comand: unknown field "comand" \(did you mean "command"\?\)/);
  });

  it('an unknown ${variable} is an error on its string, naming the variables there are', () => {
    const text = JSON.stringify(engine({ command: ['python3', 'trainer.rollout_data_dir=${runDirr}/dump'], cwd: '${workspaceFolder}', env: { A: '${token}' } }), null, 2);
    const issues = checkRunConfigText(text);
    assert.deepEqual(
      issues.map((i) => [i.path, text.slice(i.start, i.end)]),
      [
        ['engine.command[1]', '"trainer.rollout_data_dir=${runDirr}/dump"'],
        ['engine.env.A', '"${token}"'],
      ],
    );
    assert.match(
      issues[0]!.message,
      /^unknown variable \$\{runDirr\}; expected one of \$\{runDir\}, \$\{rewardUrl\}, \$\{rewardToken\}, \$\{integrations\}, \$\{workspaceFolder\}$/,
    );
  });

  it('variables expand; one without a value here is an error naming it', () => {
    assert.deepEqual(unknownVariables('${runDir}/${nope}'), ['nope']);
    assert.equal(expandVariables('trainer.rollout_data_dir=${runDir}/verl', { runDir: '/r' }), 'trainer.rollout_data_dir=/r/verl');
    assert.throws(() => expandVariables('${integrations}/verl_reward.py', {}), /\$\{integrations\} has no value here: the Python integrations are not in this install/);
    assert.deepEqual(engineEnvironment('http://127.0.0.1:9', 't', '/r'), { STEPGRPO_REWARD_URL: 'http://127.0.0.1:9', STEPGRPO_REWARD_TOKEN: 't', STEPGRPO_RUN_DIR: '/r' });
  });

  it('the trainer refuses an engine config and says where it runs', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-engine-config-'));
    try {
      const file = path.join(dir, 'verl.stepgrpo.json');
      fs.writeFileSync(file, JSON.stringify(engineStarterConfig('verl')));
      await assert.rejects(resolveRun({ configFile: file }), /verl\.stepgrpo\.json: engine: this config launches an external engine; start it with Start StepGRPO Run in VS Code/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
