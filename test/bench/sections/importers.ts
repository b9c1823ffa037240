// Bench section `importers` (issue 19): a verl rollout dump imported once, at growing sizes, each
// in a child process (test/bench/import-child.ts) so that its peak RSS is the import's. Rows come
// in a shuffled order, as verl's balance_batch leaves them. Targets: a ~200 MB step file in ≤ 30 s
// and ≤ 500 MB RSS; cost linear in rows (rows/s about constant across sizes).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchRow, BenchSection } from '../bench-section';
import { writeVerlDump } from '../../support/engine-folders';

interface ChildResult {
  seconds: number;
  chains: number;
  skipped: number;
  maxRssBytes: number;
}

/** Row counts and padding (characters of reasoning per output): ~0.5 KB rows, then ~1.3 KB rows for the ~200 MB file. */
const SIZES = [
  { name: 'rows_10k', rows: 10_000, pad: 0 },
  { name: 'rows_40k', rows: 40_000, pad: 0 },
  { name: 'rows_160k', rows: 160_000, pad: 0 },
  { name: 'file_200mb', rows: 155_000, pad: 800 },
];

function importInChild(source: string, runDir: string): ChildResult {
  const child = path.join(__dirname, '..', 'import-child.ts');
  const out = execFileSync(process.execPath, ['--import', 'tsx', child, source, runDir], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as ChildResult;
}

const section: BenchSection = {
  name: 'importers',
  async run() {
    const rows: BenchRow[] = [];
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-bench-import-'));
    try {
      for (const size of SIZES) {
        const source = path.join(root, size.name);
        fs.mkdirSync(source);
        const bytes = writeVerlDump(path.join(source, '1.jsonl'), size.rows, { pad: size.pad });
        const result = importInChild(source, path.join(root, `${size.name}-run`));
        const mb = bytes / 2 ** 20;
        rows.push(
          {
            key: `importers.verl.${size.name}.seconds`,
            value: Math.round(result.seconds * 100) / 100,
            note: `${size.rows} rows, ${mb.toFixed(0)} MiB, ${result.chains} chains imported`,
          },
          { key: `importers.verl.${size.name}.rows_per_s`, value: Math.round(size.rows / result.seconds), note: 'about constant across sizes: linear in rows' },
          { key: `importers.verl.${size.name}.peak_rss_mb`, value: Math.round(result.maxRssBytes / 2 ** 20), note: 'child process maxRSS (target ≤ 500 MB for ~200 MB)' },
        );
        fs.rmSync(source, { recursive: true, force: true });
        fs.rmSync(path.join(root, `${size.name}-run`), { recursive: true, force: true });
      }
      return rows;
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  },
};

export default section;
