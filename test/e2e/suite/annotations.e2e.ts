// Runs inside VS Code's Node extension host (code-server). Everything is checked through the public
// VS Code API plus the extension's exported test API (the last published annotations).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as vscode from 'vscode';
import type { StepGrpoApi } from '../../../src/extension/main';
import { until, withTimeout } from '../lib/until.mjs';
import { extension } from './extension';
import { buildChain, offsetOf } from '../../fixtures/chain-builder';
import { APPLES_REFERENCE, applesChain, jsonlLine, lineOf, withComment, withFrontMatter } from '../../fixtures/chain-documents';

let api: StepGrpoApi;

const annotated = (uri: vscode.Uri): Promise<void> => withTimeout(Promise.resolve(api.whenAnnotated(uri)), 20_000, `annotations for ${uri.toString()}`);

async function open(content: string, language: string): Promise<{ doc: vscode.TextDocument; editor: vscode.TextEditor }> {
  const doc = await vscode.workspace.openTextDocument({ content, language });
  const editor = await vscode.window.showTextDocument(doc);
  await annotated(doc.uri);
  return { doc, editor };
}

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'StepGRPO');
}

function snapshot(uri: vscode.Uri) {
  const s = api.annotations(uri);
  assert.ok(s, 'no annotation snapshot');
  return s;
}

function texts(doc: vscode.TextDocument, ranges: [number, number, number, number][]): string[] {
  return ranges.map(([a, b, c, d]) => doc.getText(new vscode.Range(a, b, c, d)));
}

async function replace(editor: vscode.TextEditor, offset: number, length: number, text: string): Promise<void> {
  const doc = editor.document;
  const ok = await editor.edit((e) => e.replace(new vscode.Range(doc.positionAt(offset), doc.positionAt(offset + length)), text));
  assert.ok(ok, 'edit was not applied');
  await annotated(doc.uri);
}

suite('activation and commands', () => {
  test('activates lazily, on the first chain document, and reports its activation time', async () => {
    const ext = extension();
    const activeBeforeAnyDocument = ext.isActive;
    const doc = await vscode.workspace.openTextDocument({ content: applesChain(), language: 'markdown' });
    await until(() => ext.isActive, Boolean, 10_000, 'activation on opening a Markdown document');
    // Set before the laziness check so a failure there does not cascade into every later test.
    api = ext.exports;
    assert.equal(activeBeforeAnyDocument, false, 'the extension activated before any chain document was opened');
    assert.ok(Number.isFinite(api.activationMs) && api.activationMs >= 0);
    const metrics = process.env['STEPGRPO_E2E_METRICS'];
    if (metrics) fs.writeFileSync(metrics, JSON.stringify({ activationMs: api.activationMs }));
    await annotated(doc.uri);
  });

  test('every command in contributes.commands is registered', async () => {
    const contributed = (extension().packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    assert.ok(contributed.length >= 7);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(
      contributed.filter((c) => !registered.has(c)),
      [],
    );
  });
});

suite('Markdown chain annotations', () => {
  test('a valid chain with front matter: no diagnostics, key steps and answer highlighted', async () => {
    const { doc } = await open(withFrontMatter(applesChain(), APPLES_REFERENCE), 'markdown');
    assert.deepEqual(ours(doc.uri), []);
    const s = snapshot(doc.uri);
    assert.deepEqual(texts(doc, s.decorations.keyStepMatch), ['12 apples', '12 - 5 = 7']);
    assert.deepEqual(texts(doc, s.decorations.answerCorrect), ['7']);
    assert.deepEqual(s.decorations.answerIncorrect, []);
    assert.match(s.summaries[0]!.text, /^answer ✓ · key steps 2\/2 · StepRVR ✓ · total \d/);
    assert.deepEqual(s.unmatchedKeySteps, [[]]);
  });

  test('a step gap gives exactly one STEP_GAP diagnostic; fixing the number clears it', async () => {
    const text = withFrontMatter(applesChain({ stepNumbers: [1, 3] }), APPLES_REFERENCE);
    const { doc, editor } = await open(text, 'markdown');
    const diags = ours(doc.uri);
    assert.deepEqual(
      diags.map((d) => d.code),
      ['STEP_GAP'],
    );
    const header = offsetOf(text, '### Step 3:');
    assert.equal(diags[0]!.range.start.line, lineOf(text, header));
    assert.match(snapshot(doc.uri).summaries[0]!.text, /StepRVR ✗/);

    await replace(editor, header + '### Step '.length, 1, '2');
    assert.deepEqual(ours(doc.uri), []);
    assert.match(snapshot(doc.uri).summaries[0]!.text, /StepRVR ✓/);
    assert.equal(snapshot(doc.uri).version, doc.version);
  });

  test('the quick fix renumbers the steps', async () => {
    const { doc } = await open(withFrontMatter(applesChain({ stepNumbers: [2, 2] }), APPLES_REFERENCE), 'markdown');
    const diags = ours(doc.uri);
    assert.ok(diags.length > 0, 'expected step-numbering diagnostics');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, diags[0]!.range);
    const fix = actions.find((a) => a.title.startsWith('Renumber steps'));
    assert.ok(fix?.edit, `no renumber quick fix among ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    await annotated(doc.uri);
    assert.ok(doc.getText().includes('### Step 1:\nThere are 12') && doc.getText().includes('### Step 2:\nNot red'));
    assert.deepEqual(ours(doc.uri), []);
  });

  test('the reference can come from an HTML comment block', async () => {
    const { doc } = await open(withComment(applesChain({ steps: ['There are 12 apples in total.', 'Not red: 12 - 4 = 8.'], answer: '8' }), APPLES_REFERENCE), 'markdown');
    const s = snapshot(doc.uri);
    assert.match(s.summaries[0]!.text, /^answer ✗ · key steps 1\/2 · StepRVR ✓/);
    assert.deepEqual(s.unmatchedKeySteps, [['12 - 5 = 7']]);
    assert.deepEqual(texts(doc, s.decorations.answerIncorrect), ['8']);
  });

  test('without a reference StepRVR still runs and StepRAR says what is missing', async () => {
    const { doc } = await open(applesChain({ stepNumbers: [1, 1] }), 'markdown');
    assert.deepEqual(
      ours(doc.uri).map((d) => d.code),
      ['STEP_DUPLICATE'],
    );
    const s = snapshot(doc.uri);
    assert.match(s.summaries[0]!.text, /answer \? \(no reference\) · key steps \? \(none given\) · StepRVR ✗/);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    assert.ok(
      lenses.some((l) => /StepRAR has no reference answer and no key steps/.test(l.command?.title ?? '')),
      lenses.map((l) => l.command?.title).join('\n'),
    );
  });

  test('CodeLens and hover show the summary and the full breakdown', async () => {
    const text = withFrontMatter(applesChain({ steps: ['There are 12 apples.', 'So 7 are not red.'] }), APPLES_REFERENCE);
    const { doc } = await open(text, 'markdown');
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.match(titles[0]!, /^StepGRPO: answer ✓ · key steps 1\/2 · StepRVR ✓ · total \d/);
    assert.ok(
      titles.some((t) => t.includes('unmatched key steps: 12 - 5 = 7')),
      titles.join('\n'),
    );
    const header = doc.positionAt(offsetOf(text, '### Rationales:') + 4);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, header);
    const hover = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(hover, /StepGRPO reward/);
    assert.match(hover, /✗ 12 \\- 5 = 7/);
    assert.match(hover, /Reference from the front matter/);
  });

  test('Score Reasoning Chain in Editor scores the active editor', async () => {
    const { doc } = await open(withFrontMatter(applesChain(), APPLES_REFERENCE), 'markdown');
    const result = await vscode.commands.executeCommand<{ uri: string; summaries: string[] }>('stepgrpo.scoreChain');
    assert.equal(result.uri, doc.uri.toString());
    assert.match(result.summaries[0]!, /^answer ✓ · key steps 2\/2 · StepRVR ✓/);
  });
});

suite('rollout JSONL annotations', () => {
  const good = { prompt: 'How many apples are not red?', completion: applesChain(), answer: '7', key_steps: APPLES_REFERENCE.key_steps };
  const gap = { ...good, completion: applesChain({ stepNumbers: [1, 3] }) };
  const lines = [jsonlLine(good), '{"completion": "### Step 1: oops', jsonlLine(gap), jsonlLine({ step: 3, reward: 0.5 })];

  test('each line is scored on its own, with ranges inside the JSON string', async () => {
    const { doc } = await open(lines.join('\n'), 'jsonl');
    const diags = ours(doc.uri).map((d) => ({ code: d.code, line: d.range.start.line }));
    assert.deepEqual(diags, [
      { code: 'INVALID_JSON', line: 1 },
      { code: 'STEP_GAP', line: 2 },
    ]);
    const gapRange = ours(doc.uri)[1]!.range;
    assert.ok(gapRange.start.character > lines[2]!.indexOf('"completion"'), 'STEP_GAP range is outside the completion string');
    assert.match(doc.getText(gapRange), /3/);
    const s = snapshot(doc.uri);
    assert.deepEqual(
      s.decorations.lineSummary.map((r) => r[0]),
      [0, 2],
    );
    assert.deepEqual(
      s.summaries.map((x) => x.line),
      [0, 2],
    );
    assert.deepEqual(
      texts(
        doc,
        s.decorations.keyStepMatch.filter((r) => r[0] === 0),
      ),
      ['12 apples', '12 - 5 = 7'],
    );
    assert.match(s.summaries[1]!.text, /StepRVR ✗/);
  });

  test('the renumber quick fix edits inside the JSON string and keeps the line valid JSON', async () => {
    const { doc } = await open(lines.join('\n'), 'jsonl');
    const gapDiag = ours(doc.uri).find((d) => d.code === 'STEP_GAP')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, gapDiag.range);
    const fix = actions.find((a) => a.title.startsWith('Renumber steps'));
    assert.ok(fix?.edit);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    await annotated(doc.uri);
    const record = JSON.parse(doc.lineAt(2).text) as { completion: string };
    assert.equal(record.completion, applesChain());
    assert.deepEqual(
      ours(doc.uri).map((d) => d.code),
      ['INVALID_JSON'],
    );
  });
});

suite('bad input never throws and says what happened', () => {
  test('a 5 MB document gets one NOT_SCORED diagnostic', async () => {
    const big = applesChain() + `${'filler text for a very long chain. '.repeat(64)}\n`.repeat(2300);
    assert.ok(big.length > 5_000_000);
    const { doc } = await open(big, 'markdown');
    const diags = ours(doc.uri);
    assert.deepEqual(
      diags.map((d) => d.code),
      ['NOT_SCORED'],
    );
    assert.match(diags[0]!.message, /above the annotation limit/);
  });

  test('binary content gets one NOT_SCORED diagnostic', async () => {
    const { doc } = await open(`${applesChain()}\u0000\u0001\u0002\ufffd`, 'plaintext');
    const diags = ours(doc.uri);
    assert.deepEqual(
      diags.map((d) => d.code),
      ['NOT_SCORED'],
    );
    assert.match(diags[0]!.message, /binary content/);
  });

  test('malformed front matter is a REFERENCE diagnostic and StepRVR still runs', async () => {
    const text = `---\nanswer: [7\nkey_steps: {\n---\n\n${applesChain({ stepNumbers: [1, 3] })}`;
    const { doc } = await open(text, 'markdown');
    const codes = ours(doc.uri).map((d) => d.code);
    assert.deepEqual(codes, ['REFERENCE', 'STEP_GAP']);
    assert.match(ours(doc.uri)[0]!.message, /Front matter is not valid YAML/);
    assert.ok(ours(doc.uri)[0]!.range.start.line < 4);
  });

  test('a key_steps field of the wrong type is named in the diagnostic', async () => {
    const { doc } = await open(withFrontMatter(applesChain(), { answer: '7', key_steps: 5 as unknown as string[] }), 'markdown');
    const diags = ours(doc.uri);
    assert.deepEqual(
      diags.map((d) => d.code),
      ['REFERENCE'],
    );
    assert.match(diags[0]!.message, /key_steps/);
  });

  test('a chain with 500 steps is scored', async () => {
    const steps = Array.from({ length: 500 }, (_, i) => `Step work ${i}: ${i} + 1 = ${i + 1}.`);
    const { doc } = await open(withFrontMatter(buildChain({ steps, answer: '500' }), { answer: '500', key_steps: ['499 + 1 = 500'] }), 'markdown');
    assert.deepEqual(ours(doc.uri), []);
    assert.match(snapshot(doc.uri).summaries[0]!.text, /^answer ✓ · key steps 1\/1 · StepRVR ✓/);
  });
});
