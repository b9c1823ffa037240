// `npm run bench [-- --only reward,engine]`: runs every section in test/bench/sections/, prints a
// table and merges flat keys into bench-results.json at the repository root.
import fs from 'node:fs';
import path from 'node:path';
import type { BenchRow, BenchSection } from './bench-section';

const root = path.resolve(__dirname, '../..');
const sectionsDir = path.join(__dirname, 'sections');

function parseOnly(): Set<string> | undefined {
  const i = process.argv.indexOf('--only');
  if (i < 0) return undefined;
  return new Set((process.argv[i + 1] ?? '').split(',').filter(Boolean));
}

function format(value: BenchRow['value']): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toPrecision(4);
  if (typeof value === 'string') return value;
  return Object.entries(value)
    .map(([k, v]) => `${k}=${v.toPrecision(3)}`)
    .join(' ');
}

async function main(): Promise<void> {
  const only = parseOnly();
  const files = fs
    .readdirSync(sectionsDir)
    .filter((f) => f.endsWith('.ts'))
    .sort();
  const results: Record<string, BenchRow['value']> = {};
  const table: string[][] = [];
  for (const file of files) {
    const mod = (await import(path.join(sectionsDir, file))) as { default: BenchSection };
    const section = mod.default;
    if (only && !only.has(section.name)) continue;
    process.stderr.write(`bench: ${section.name}…\n`);
    let rows: BenchRow[] | { skipped: string };
    try {
      rows = await section.run();
    } catch (err) {
      rows = { skipped: `failed: ${(err as Error).message}` };
    }
    if (!Array.isArray(rows)) {
      results[`${section.name}.skipped`] = rows.skipped;
      table.push([section.name, 'skipped', rows.skipped]);
      continue;
    }
    for (const row of rows) {
      results[row.key] = row.value;
      table.push([row.key, format(row.value), row.note ?? '']);
    }
  }
  const widths = [0, 1, 2].map((c) => Math.max(...table.map((r) => r[c]!.length), 6));
  console.log(['key', 'value', 'note'].map((h, c) => h.padEnd(widths[c]!)).join('  '));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of table) console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));

  const file = path.join(root, 'bench-results.json');
  const previous = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const merged = { ...previous, ...results, 'meta.date': new Date().toISOString(), 'meta.node': process.version };
  fs.writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), file) || file}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
