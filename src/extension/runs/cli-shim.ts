// The `stepgrpo` shim Open CLI Terminal puts first on PATH: it runs the extension's bundled CLI
// (dist/cli.js) with the editor's own runtime (Electron as Node), so no Node install is needed.
// Free of `vscode`: tested directly.
import fs from 'node:fs';
import path from 'node:path';

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
