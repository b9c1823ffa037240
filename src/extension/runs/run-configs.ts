// Run config files (`*.stepgrpo.json`): VS Code validates and completes them through the contributed
// schema (package.json `jsonValidation`, media/run-config.schema.json); this adds New Run Config,
// the workspace's config files for the Start picker, and the check before a run starts — the
// trainer's own check of the same schema (src/protocol/run-config-check.ts) — whose problems become
// diagnostics on the fields (cleared as soon as the file is edited).
import fs from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../disposable';
import { checkRunConfigText, type LocatedConfigIssue } from '../../protocol/run-config-check';
import { starterConfig } from './run-configs-starter';

export const CONFIG_GLOB = '**/*.stepgrpo.json';
export const CONFIG_SUFFIX = '.stepgrpo.json';

export class RunConfigs extends Disposable {
  private readonly diagnostics = this._register(vscode.languages.createDiagnosticCollection('stepgrpo-config'));
  constructor() {
    super();
    this._register(vscode.workspace.onDidChangeTextDocument((e) => this.diagnostics.delete(e.document.uri)));
  }

  /** Checks a config file (as the editor holds it, if open) and shows its problems on the fields. */
  async check(file: string): Promise<LocatedConfigIssue[]> {
    const uri = vscode.Uri.file(file);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === uri.fsPath);
    const text = open ? open.getText() : await fs.readFile(file, 'utf8');
    const issues = checkRunConfigText(text);
    const doc = open ?? (issues.length ? await vscode.workspace.openTextDocument(uri) : undefined);
    this.diagnostics.set(
      uri,
      doc
        ? issues.map((i) => {
            const d = new vscode.Diagnostic(
              new vscode.Range(doc.positionAt(i.start), doc.positionAt(i.end)),
              `${i.path ? `${i.path}: ` : ''}${i.message}`,
              vscode.DiagnosticSeverity.Error,
            );
            d.source = 'StepGRPO run config';
            return d;
          })
        : [],
    );
    return issues;
  }

  /** Shows the first problem in the editor, the field selected. */
  async reveal(file: string, issue: LocatedConfigIssue): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const range = new vscode.Range(doc.positionAt(issue.start), doc.positionAt(issue.end));
    await vscode.window.showTextDocument(doc, { selection: range, preview: false });
  }

  /** `*.stepgrpo.json` files of the workspace, for the Start picker. */
  async workspaceConfigs(): Promise<vscode.Uri[]> {
    return vscode.workspace.findFiles(CONFIG_GLOB, '**/{node_modules,.stepgrpo}/**', 50);
  }

  /** New Run Config: writes a starting file with the defaults of the fields people change first, and opens it. */
  async create(args?: { file?: string }): Promise<{ file: string } | undefined> {
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    let file = args?.file;
    if (!file) {
      if (!folder) {
        void vscode.window.showWarningMessage('StepGRPO: open a folder to create a run config in it.');
        return undefined;
      }
      const name = await vscode.window.showInputBox({
        title: 'New Run Config',
        prompt: `File name in ${folder.name} (it ends in ${CONFIG_SUFFIX}, so the editor validates and completes it)`,
        value: `my-run${CONFIG_SUFFIX}`,
        validateInput: (v) => (/^[\w.-]+$/.test(v) ? undefined : 'Letters, digits, dot, dash and underscore only'),
      });
      if (!name) return undefined;
      file = path.join(folder.uri.fsPath, name.endsWith(CONFIG_SUFFIX) ? name : `${name.replace(/\.json$/, '')}${CONFIG_SUFFIX}`);
    }
    try {
      await fs.writeFile(file, `${JSON.stringify(starterConfig(), null, 2)}\n`, { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      void vscode.window.showWarningMessage(`StepGRPO: ${path.basename(file)} exists already; opened it instead.`);
    }
    await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
    return { file };
  }
}
