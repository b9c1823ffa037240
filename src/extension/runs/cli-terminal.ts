// `stepgrpo` for a user who installed the .vsix: the CLI ships as dist/cli.js, and a shim in the
// extension's global storage runs it with the editor's own runtime (Electron as Node, as the
// trainer is run), so no Node install is needed. Open CLI Terminal puts the shim first on PATH.
import path from 'node:path';
import * as vscode from 'vscode';
import { writeCliShim, type CliShim } from './cli-shim';

export const CLI_TERMINAL_NAME = 'StepGRPO CLI';

/** Open CLI Terminal: a terminal in the workspace where `stepgrpo` runs this extension's CLI. */
export function openCliTerminal(context: vscode.ExtensionContext): { terminal: vscode.Terminal; shim: CliShim } {
  const cliJs = vscode.Uri.joinPath(context.extensionUri, 'dist', 'cli.js').fsPath;
  const shim = writeCliShim(context.globalStorageUri.fsPath, process.execPath, cliJs);
  const terminal = vscode.window.createTerminal({
    name: CLI_TERMINAL_NAME,
    cwd: vscode.workspace.workspaceFolders?.[0]?.uri,
    env: { PATH: `${shim.binDir}${path.delimiter}${process.env['PATH'] ?? ''}` },
    message: 'stepgrpo in this terminal runs the StepGRPO Studio CLI (try: stepgrpo --help).',
  });
  terminal.show();
  return { terminal, shim };
}
