// Runs inside VS Code's extension host: Import Rollouts on a JSONL of chain records (with bad lines)
// makes a run folder under the workspace's runs root, lists it in the Runs view and opens the
// Rollout viewer on it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { StepGrpoApi } from '../../../src/extension/main';
import { activate, viewerWhen } from './extension';
import type { ImportCommandResult } from '../../../src/extension/import/import-command';
import { chainRecord, jsonl, promptGroups } from '../../support/import-fixtures';

let api: StepGrpoApi;

const workspace = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;

suite('import: Import Rollouts from a JSONL of chain records', () => {
  suiteSetup(async () => {
    api = await activate();
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('{file}: writes import-<name>-<stamp>/, lists it as completed and shows its groups in the viewer', async () => {
    const file = path.join(workspace(), 'import-chains.jsonl');
    // Three prompts × 4 chains, plus one record of a fourth prompt (a singleton), and two bad lines.
    fs.writeFileSync(file, jsonl([...promptGroups([1, 2, 3]), '{"completion": torn', chainRecord(4, 'correct'), chainRecord(5, 'correct', { key_steps: 7 })]));
    const result = await vscode.commands.executeCommand<ImportCommandResult | undefined>('stepgrpo.importRollouts', { file });
    assert.ok(result, 'Import Rollouts returned nothing');
    assert.equal(path.dirname(result.dir), path.join(workspace(), '.stepgrpo', 'runs'));
    assert.match(result.runId, /^import-import-chains-\d{8}-\d{6}(-\d+)?$/);
    assert.deepEqual([result.records, result.chains, result.skipped], [13, 13, 2]);

    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(result.dir, 'config.json'), 'utf8')), { imported: { from: file, records: 13, skipped: 2 } });
    const rollouts = fs
      .readFileSync(path.join(result.dir, 'rollouts.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(rollouts.length, 1);
    assert.deepEqual(
      rollouts[0].groups.map((g: { samples: unknown[] }) => g.samples.length),
      [4, 4, 4, 1],
    );
    const events = fs
      .readFileSync(path.join(result.dir, 'events.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      events.map((e) => e.type),
      ['rollouts', 'done'],
    );
    assert.deepEqual(events[0], rollouts[0]);

    const item = (await api.runs.treeItems()).find((i) => i.label === result.runId);
    assert.ok(item, 'the imported run is not in the Runs view');
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'pass', `Runs view item: ${JSON.stringify(item)}`);

    const s = await viewerWhen(api, (x) => x.state.run?.id === result.runId && x.ready && x.postedChains === 13, 20_000, 'the viewer showing the import');
    assert.deepEqual(s.steps, [0]);
    assert.equal(s.state.run?.dir, result.dir);
  });

  test('a file with nothing to import is an error naming it; no run folder is made', async () => {
    const file = path.join(workspace(), 'import-empty.jsonl');
    fs.writeFileSync(file, '{"metrics": 1}\n');
    const before = fs.readdirSync(path.join(workspace(), '.stepgrpo', 'runs'));
    const result = await vscode.commands.executeCommand<ImportCommandResult | undefined>('stepgrpo.importRollouts', { file });
    assert.equal(result, undefined);
    assert.deepEqual(fs.readdirSync(path.join(workspace(), '.stepgrpo', 'runs')), before);
  });
});
