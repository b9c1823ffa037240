// Runs inside a desktop VS Code's extension host (test/host/run.mjs, @vscode/test-electron): the
// extension as VS Code itself sees it, through the `vscode` API and the extension's test API.
import assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import type { StepGrpoApi } from '../../../src/extension/main';
import { withTimeout } from '../../e2e/lib/until.mjs';
import { activate, extension } from '../../e2e/suite/extension';
import { APPLES_REFERENCE, applesChain, withFrontMatter } from '../../fixtures/chain-documents';
import { runEvents, writeRunDir } from '../../unit/extension/run-fixtures';

let api: StepGrpoApi;

suite('desktop VS Code extension host', () => {
  suiteSetup(async () => {
    api = await activate();
  });

  test('registers every command package.json contributes', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed: { command: string }[] = extension().packageJSON.contributes.commands;
    const missing = contributed.map((c) => c.command).filter((id) => !registered.has(id));
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  test('annotates a chain document: a scored summary and a code lens from the registered provider', async () => {
    const doc = await vscode.workspace.openTextDocument({ content: withFrontMatter(applesChain(), APPLES_REFERENCE), language: 'markdown' });
    await vscode.window.showTextDocument(doc);
    await withTimeout(Promise.resolve(api.whenAnnotated(doc.uri)), 20_000, 'annotations of the apples chain');
    const summary = api.annotations(doc.uri)?.summaries[0]?.text;
    assert.match(summary ?? '(no summary)', /^answer ✓ · key steps 2\/2/);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    assert.ok(
      lenses.some((l) => l.command?.title.startsWith('StepGRPO: ')),
      `code lenses: ${lenses.map((l) => l.command?.title).join(' | ')}`,
    );
  });

  test("lists a run folder of the workspace in the run manager's view", async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the host was started without a workspace folder');
    writeRunDir(path.join(folder.uri.fsPath, '.stepgrpo', 'runs'), 'host-listed-run', { events: runEvents() });
    const labels = (await api.runs.treeItems()).map((item) => item.label);
    assert.ok(labels.includes('host-listed-run'), `the Runs view lists ${labels.join(', ') || 'nothing'}`);
  });
});
