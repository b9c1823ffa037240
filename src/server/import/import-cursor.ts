// How far an engine-folder import has read, kept in the run directory (`import-cursor.json`, written
// whole or not at all), so that a second import of the same source into the same run (a followed
// import stopped with Ctrl-C, or ended by a closed window) goes on where the first stopped instead
// of importing its chains again. Per step file: the bytes of complete lines read and their count
// (a verl file), or that it was read whole (a TRL parquet file). What was imported (source, kind,
// preset) is config.json's `imported`, read here too: a followed import that read no step file
// yet has no cursor.
import fs from 'node:fs';
import path from 'node:path';
import { isObject } from '../../protocol/schema';
import { RUN_FILES } from '../../rundir/run-files';
import type { RewardPresetName } from '../../core/reward';
import type { EngineKind } from './engine-rollouts';

export type FileCursor = { bytes: number; lines: number } | { whole: true };

export interface ImportCursor {
  v: 1;
  /** The engine folder, resolved. */
  source: string;
  kind: EngineKind;
  /** By file name in the source folder. */
  files: Record<string, FileCursor>;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function readFileCursor(value: unknown): FileCursor | undefined {
  if (!isObject(value)) return undefined;
  if (value.whole === true) return { whole: true };
  return isCount(value.bytes) && isCount(value.lines) ? { bytes: value.bytes, lines: value.lines } : undefined;
}

/** The cursor in `runDir`, undefined when there is none; an unreadable one is an error naming the file. */
export function readImportCursor(runDir: string): ImportCursor | undefined {
  const file = path.join(runDir, RUN_FILES.importCursor);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const bad = (why: string): Error => new Error(`${file}: ${why}; remove it to import the source again from the start into a new folder`);
  if (!isObject(value) || value.v !== 1 || typeof value.source !== 'string' || (value.kind !== 'verl' && value.kind !== 'trl') || !isObject(value.files)) {
    throw bad('expected {v: 1, source, kind: "verl" | "trl", files}');
  }
  const files: Record<string, FileCursor> = {};
  for (const [name, entry] of Object.entries(value.files)) {
    const cursor = readFileCursor(entry);
    if (!cursor) throw bad(`files.${name}: expected {bytes, lines} or {whole: true}`);
    files[name] = cursor;
  }
  return { v: 1, source: value.source, kind: value.kind, files };
}

/** What config.json says of a folder import (`imported`, written by create()). */
export interface FolderImportConfig {
  source: string;
  kind: EngineKind;
  preset?: RewardPresetName;
}

/** The folder import `runDir` holds, or undefined when it holds none (no config.json, a file import, a trainer run). */
export function readFolderImport(runDir: string): FolderImportConfig | undefined {
  let config: unknown;
  try {
    config = JSON.parse(fs.readFileSync(path.join(runDir, RUN_FILES.config), 'utf8'));
  } catch {
    return undefined;
  }
  const imported = isObject(config) ? config.imported : undefined;
  if (!isObject(imported) || typeof imported.from !== 'string' || (imported.kind !== 'verl' && imported.kind !== 'trl')) return undefined;
  return {
    source: imported.from,
    kind: imported.kind,
    ...(typeof imported.preset === 'string' ? { preset: imported.preset as RewardPresetName } : {}),
  };
}

/** Run folders under `runsRoot` whose cursor is an import of `source`, newest name last. */
export function findImportRuns(runsRoot: string, source: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(runsRoot);
  } catch {
    return [];
  }
  return names.sort().flatMap((name) => {
    const dir = path.join(runsRoot, name);
    try {
      return readImportCursor(dir)?.source === path.resolve(source) ? [dir] : [];
    } catch {
      return [];
    }
  });
}
