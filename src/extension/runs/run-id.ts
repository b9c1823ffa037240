// Run ids are folder names: `<preset or config name>-<local YYYYMMDD-HHMMSS>`, unique under a root.
import fs from 'node:fs';
import path from 'node:path';

const pad = (n: number): string => String(n).padStart(2, '0');

export function runIdFor(label: string, at: Date): string {
  const safe =
    label
      .replace(/\.json$/i, '')
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[-.]+|-+$/g, '') || 'run';
  const stamp = `${at.getFullYear()}${pad(at.getMonth() + 1)}${pad(at.getDate())}-${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}`;
  return `${safe}-${stamp}`;
}

/** Creates a fresh run folder (never reusing one: the trainer refuses a folder that holds a run). */
export function createRunDirectory(root: string, label: string, at: Date): { id: string; dir: string } {
  fs.mkdirSync(root, { recursive: true });
  const base = runIdFor(label, at);
  for (let n = 1; ; n++) {
    const id = n === 1 ? base : `${base}-${n}`;
    const dir = path.join(root, id);
    try {
      fs.mkdirSync(dir);
      return { id, dir };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
