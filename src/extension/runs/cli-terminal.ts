// `stepgrpo` for a user who installed the .vsix: the CLI ships as dist/cli.js, and a shim in the
// extension's global storage runs it with the editor's own runtime (Electron as Node, as the
// trainer is run), so no Node install is needed. Open CLI Terminal puts the shim first on PATH.
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';

export const CLI_TERMINAL_NAME = 'StepGRPO CLI';

export interface CliShim {
  /** The folder to put first on PATH. */
  binDir: string;
  /** The shim itself (`stepgrpo`, or `stepgrpo.cmd` on Windows). */
  file: string;
}

/** Writes (or rewrites: the extension's folder changes with each version) the shim under `storageDir`. */
export function writeCliShim(storageDir: string, runtime: string, cliJs: string, platform: NodeJS.Platform = process.platform): CliShim {
  const binDir = path.join(storageDir, 'bin');
  fs.mkdirSync(binDir, { recursive: true });
  if (platform === 'win32') {
    const file = path.join(binDir, 'stepgrpo.cmd');
    fs.writeFileSync(file, `@echo off\r\nset ELECTRON_RUN_AS_NODE=1\r\n"${runtime}" "${cliJs}" %*\r\n`);
    return { binDir, file };
  }
  const file = path.join(binDir, 'stepgrpo');
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  fs.writeFileSync(
    file,
    `#!/bin/sh\n# Written by StepGRPO Studio: runs its bundled CLI with the editor's runtime.\nELECTRON_RUN_AS_NODE=1 exec ${quote(runtime)} ${quote(cliJs)} "$@"\n`,
    { mode: 0o755 },
  );
  fs.chmodSync(file, 0o755);
  return { binDir, file };
}

/** Open CLI Terminal: a terminal in the workspace where `stepgrpo` runs this extension's CLI. */
export function openCliTerminal(context: vscode.ExtensionContext): { terminal: vscode.Terminal; shim: CliShim } {
  const cliJs = vscode.Uri.joinPath(context.extensionUri, 'dist', 'cli.js').fsPath;
  const shim = writeCliShim(context.globalStorageUri.fsPath, process.execPath, cliJs);
  const terminal = vscode.window.createTerminal({
    name: CLI_TERMINAL_NAME,
    cwd: vscode.workspace.workspaceFolders?.[0]?.uri,
    env: { PATH: `${shim.binDir}${path.delimiter}${process.env['PATH'] ?? ''}` },
    message: '`stepgrpo` in this terminal runs the StepGRPO Studio CLI (try `stepgrpo --help`).',
  });
  terminal.show();
  return { terminal, shim };
}
