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
import { ENGINE_TEMPLATES, engineStarterConfig } from './engine-templates';
import { ENGINE_KINDS, type EngineKind } from '../../protocol/engine-config';

export const CONFIG_GLOB = '**/*.stepgrpo.json';
export const CONFIG_SUFFIX = '.stepgrpo.json';

export class RunConfigs extends Disposable {
  private readonly diagnostics = this._register(vscode.languages.createDiagnosticCollection('stepgrpo-config'));
  constructor() {
    super();
    this._register(vscode.workspace.onDidChangeTextDocument((e) => this.diagnostics.delete(e.document.uri)));
  }

  /** A config file's text as the editor holds it (if open), else as saved. */
  async text(file: string): Promise<string> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === vscode.Uri.file(file).fsPath);
    return open ? open.getText() : fs.readFile(file, 'utf8');
  }

  /** Checks a config file (as the editor holds it, if open) and shows its problems on the fields. */
  async check(file: string): Promise<LocatedConfigIssue[]> {
    const uri = vscode.Uri.file(file);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === uri.fsPath);
    const text = await this.text(file);
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

  /**
   * New Run Config: a local run (the defaults of the fields people change first) or an external
   * engine's template (`engine`: verl, OpenRLHF, TRL), written and opened.
   */
  async create(args?: { file?: string; engine?: EngineKind | 'local' }): Promise<{ file: string } | undefined> {
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    const kind = args?.engine ?? (args?.file ? 'local' : await pickRunKind());
    if (!kind) return undefined;
    let file = args?.file;
    if (!file) {
      if (!folder) {
        void vscode.window.showWarningMessage('StepGRPO: open a folder to create a run config in it.');
        return undefined;
      }
      const name = await vscode.window.showInputBox({
        title: 'New Run Config',
        prompt: `File name in ${folder.name} (it ends in ${CONFIG_SUFFIX}, so the editor validates and completes it)`,
        value: `my-${kind === 'local' ? '' : `${kind}-`}run${CONFIG_SUFFIX}`,
        validateInput: (v) => (/^[\w.-]+$/.test(v) ? undefined : 'Letters, digits, dot, dash and underscore only'),
      });
      if (!name) return undefined;
      file = path.join(folder.uri.fsPath, name.endsWith(CONFIG_SUFFIX) ? name : `${name.replace(/\.json$/, '')}${CONFIG_SUFFIX}`);
    }
    try {
      await fs.writeFile(file, `${JSON.stringify(kind === 'local' ? starterConfig() : engineStarterConfig(kind), null, 2)}\n`, { flag: 'wx' });
      if (kind !== 'local')
        void vscode.window.showInformationMessage(
          `StepGRPO: ${path.basename(file)} has the reward wiring for ${ENGINE_TEMPLATES[kind].versions}; add your model and data arguments to engine.command, then Start StepGRPO Run.`,
        );
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      void vscode.window.showWarningMessage(`StepGRPO: ${path.basename(file)} exists already; opened it instead.`);
    }
    await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
    return { file };
  }
}

async function pickRunKind(): Promise<EngineKind | 'local' | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: '$(rocket) A local StepGRPO run', detail: 'The trainer in this window: SFT, then StepGRPO.', run: 'local' as const },
      ...ENGINE_KINDS.map((k) => ({
        label: `$(server-process) ${ENGINE_TEMPLATES[k].label}`,
        detail: `Launch ${ENGINE_TEMPLATES[k].label} in a terminal, scored and recorded by the reward server (${ENGINE_TEMPLATES[k].versions}).`,
        run: k,
      })),
    ],
    { title: 'New Run Config', placeHolder: 'What will the config run?' },
  );
  return picked?.run;
}
